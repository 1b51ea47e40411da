import { readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { startTestBackend } from '../support/backend';
import { waitFor } from '../inventory/support/harness';

// Saving notifications.json happens in the background after every notification. On a full disk
// that save used to be an unhandled rejection; now it is a Diagnostics fault and one bell entry,
// and the notifications, kept in memory, are written once there is room again.
test('a notification that cannot be saved (disk full) is a fault, not an unhandled rejection, and is saved later', async () => {
  const app = await startTestBackend({ modules: [] });
  const file = path.join(app.dataDir, 'notifications.json');
  // The atomic writer's temporary file is /dev/full: every write fails with ENOSPC, like a full disk.
  const temporary = `${file}.${process.pid}.tmp`;
  symlinkSync('/dev/full', temporary);
  try {
    const center = app.backend.services.notifications;
    center.notify({ level: 'info', title: 'Kept while the disk is full', message: 'shown from memory' });
    await waitFor(() => app.backend.faults.list().some((f) => f.kind === 'disk-full' && f.source === 'notifications.json'), 5000, 'the disk-full fault');
    const titles = center.list().map((n) => n.title);
    expect(titles).toContain('Kept while the disk is full');
    // The admin is told once, in the bell, naming the file that could not be saved.
    const diskFull = center.list().filter((n) => n.title === 'Disk full');
    expect(diskFull).toHaveLength(1);
    expect(diskFull[0]!.message).toMatch(/notifications\.json could not be saved/);
  } finally {
    rmSync(temporary, { force: true });
  }
  // Room again: the next save writes everything that was kept.
  await app.backend.services.notifications.flush();
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { items: Array<{ title: string }> };
  expect(saved.items.map((n) => n.title)).toEqual(expect.arrayContaining(['Kept while the disk is full', 'Disk full']));
  await app.close();
});
