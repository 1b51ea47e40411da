/**
 * Fault catalogue scenario 17 for the log file: the disk where app.log lives is full. The app
 * still starts and works, and says once that its log cannot be written (docs/reliability.md).
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp';
import { startFleet, type Fleet } from './support';

describe('fault catalogue: log disk full', () => {
  const temp = tempDir();
  let f: Fleet | undefined;
  afterAll(async () => {
    await f?.close();
    temp.cleanup();
  });

  it('scenario 17: disk full (app.log)', async () => {
    // Every write to app.log fails with ENOSPC, from the first line on.
    mkdirSync(path.join(temp.dir, 'logs'), { recursive: true });
    symlinkSync('/dev/full', path.join(temp.dir, 'logs', 'app.log'));
    f = await startFleet({ hosts: 2, seed: 91, dataDir: temp.dir });
    // The app works on: hosts deployed and refreshed, the baseline job ran (startFleet checks both).
    expect(f.sync('hv02').state).toBe('fresh');
    // And the admin is told the log cannot be written.
    const notices = f.backend.services.notifications.list();
    expect(notices.some((n) => /log/i.test(`${n.title} ${n.message}`) && /disk|space|full|ENOSPC|cannot be written|not written/i.test(`${n.title} ${n.message}`))).toBe(true);
    await f.expectNothingLost([]);
  }, 60_000);
});
