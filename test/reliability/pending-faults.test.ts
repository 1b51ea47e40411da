/**
 * Fault catalogue scenario 17 (disk full), whose correct behaviour comes with the faults helper's
 * work on issue 12 (item 6: disk full for SQLite and settings). It FAILS until that branch is
 * merged; docs/reliability.md says what it expects. Disk full is real, not mocked: the settings
 * file's temporary file is /dev/full (every write fails with ENOSPC), and the inventory database
 * hits SQLite's page limit, which fails a growing write with SQLITE_FULL exactly as a full disk does.
 */
import { readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/shared/contract';
import { tempDir } from '../support/temp';
import { startFleet, type Fleet } from './support';

const DISK_FULL = /disk|space|full|ENOSPC/i;

/**
 * Caps a database at its current size and fills what room is left, so the next write that needs
 * space fails with SQLITE_FULL ("database or disk is full"). The returned function undoes both.
 */
function fillUp(db: DatabaseSync): () => void {
  const pages = (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
  db.exec(`PRAGMA max_page_count = ${pages + 2}; CREATE TABLE catalogue_filler (b BLOB)`);
  const insert = db.prepare('INSERT INTO catalogue_filler VALUES (randomblob(?))');
  for (const size of [65_536, 4096, 512, 64, 8]) {
    try {
      for (let i = 0; i < 10_000; i++) insert.run(size);
    } catch (error) {
      if (!/full/i.test((error as Error).message)) throw error;
    }
  }
  return () => db.exec('DROP TABLE catalogue_filler; PRAGMA max_page_count = 1073741823');
}

describe('fault catalogue (pending the faults branch): disk full', () => {
  const temp = tempDir();
  let f: Fleet;

  beforeAll(async () => {
    f = await startFleet({ hosts: 3, seed: 81, dataDir: temp.dir });
  });
  afterAll(async () => {
    await f?.close();
    temp.cleanup();
  });

  it('scenario 17: disk full (settings)', async () => {
    const file = path.join(temp.dir, 'settings.json');
    const before = readFileSync(file, 'utf8');
    const since = f.notifications.length;
    const temporary = path.join(temp.dir, `settings.json.${process.pid}.tmp`);
    symlinkSync('/dev/full', temporary);
    try {
      const result = await f.backend.invoke('settings.update', { theme: 'dark' });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.message).toMatch(DISK_FULL);
        expect(result.error.message).toMatch(/settings/i);
      }
      // Told in the bell too, and the file on disk is whole and unchanged.
      expect(f.notifications.slice(since).some((n) => DISK_FULL.test(`${n.title} ${n.message}`))).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe(before);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ settings: f.baseline.settings });
    } finally {
      rmSync(temporary, { force: true });
    }
    // Space is back: the same change goes through and is stored.
    await f.ok('settings.update', { theme: 'dark' });
    expect((JSON.parse(readFileSync(file, 'utf8')) as { settings: Settings }).settings.theme).toBe('dark');
    await f.ok('settings.update', { theme: f.baseline.settings.theme });
  });

  it('scenario 17: disk full (inventory database)', async () => {
    const since = f.notifications.length;
    const db = (f.inventory.store as unknown as { db: DatabaseSync }).db;
    const release = fillUp(db);
    const host = f.lab.host('hv02');
    try {
      // The host has news (many new VMs) that no longer fit in the database.
      const template = host.model.vms[0]!;
      for (let i = 0; i < 200; i++) host.model.vms.push({ ...template, id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `fill-${i}`, notes: 'n'.repeat(2000) });
      await f.refresh('hv02');
      const notices = f.notifications.slice(since);
      // The admin learns the local disk is full — not that the host is unreachable.
      expect(notices.some((n) => DISK_FULL.test(`${n.title} ${n.message}`) && /inventory|database/i.test(`${n.title} ${n.message}`))).toBe(true);
      expect(notices.map((n) => n.title)).not.toContain('Host hv02 unreachable');
      expect(f.hostView('hv02').status).not.toBe('unreachable');
      // What was stored stays, readable.
      for (const [name, keys] of f.baseline.vmKeys) expect(f.inventory.snapshot().vms.filter((v) => v.hostId === f.idOf(name) && !v.placeholder && !v.name.startsWith('fill-')).map((v) => v.key).sort()).toEqual(keys);
    } finally {
      release();
      host.model.vms.splice(host.model.vms.findIndex((v) => v.name === 'fill-0'));
    }
    await f.heal('hv02');
    await f.expectNothingLost([]);
  });
});
