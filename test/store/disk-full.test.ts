import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { repoRoot } from '../support/cli';
import { tempDir } from '../support/temp';

const temp = tempDir('aetherv-diskfull-');
afterAll(() => temp.cleanup());

/**
 * A real full disk: the child runs in its own user + mount namespace (`unshare -rm`, no root
 * needed) with a 3 MB tmpfs mounted on the data dir, so ENOSPC and SQLITE_FULL come from the
 * kernel and SQLite, not from a mock. The mount vanishes with the namespace.
 */
function runInSmallDisk(dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = 'mount -t tmpfs -o size=3m tmpfs "$1" && exec "$2" --import tsx "$3" "$1"';
  const child = spawn('unshare', ['-rm', 'sh', '-c', script, 'sh', dataDir, process.execPath, path.join(repoRoot, 'test/store/disk-full-child.ts')], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

test('disk full: settings, inventory.db and jobs.db refuse or hold the write with a clear error and a notification, keep what was stored, and recover', async () => {
  const run = await runInSmallDisk(temp.dir);
  const line = /^REPORT (.*)$/m.exec(run.stdout);
  expect(line, `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`).not.toBeNull();
  const report = JSON.parse(line![1]!) as {
    updateBefore: boolean;
    updateDuring: { ok: boolean; error: { code: string; message: string } };
    settingsFileTheme: string;
    settingsThemeInMemory: string;
    tempFilesLeft: string[];
    inventoryWrite: { diskFull: boolean; message: string };
    inventoryIntegrity: string;
    inventoryVms: number;
    faults: Array<{ kind: string; source: string }>;
    notifications: Array<{ title: string; level: string; message: string }>;
    updateAfter: boolean;
    settingsFileThemeAfter: string;
    alive: boolean;
    jobLinesPublishedWhileFull: number;
    jobLinesPublishedAfter: number;
    jobsIntegrity: string;
    jobLinesOnDisk: number;
  };

  expect(report.updateBefore).toBe(true);
  // Settings: a clear DISK_FULL error, the old file intact (atomic write), no temp file left behind.
  expect(report.updateDuring.ok).toBe(false);
  expect(report.updateDuring.error.code).toBe('DISK_FULL');
  expect(report.updateDuring.error.message).toMatch(/the disk is full\. Free some space and try again; the settings saved before are unchanged/);
  expect(report.settingsFileTheme).toBe('dark');
  expect(report.settingsThemeInMemory).toBe('dark');
  expect(report.tempFilesLeft).toEqual([]);
  // inventory.db: SQLite's own "disk is full", not a rollback error hiding it; nothing stored lost.
  expect(report.inventoryWrite).toMatchObject({ diskFull: true });
  expect(report.inventoryWrite.message).not.toMatch(/no transaction is active/);
  expect(report.inventoryIntegrity).toBe('ok');
  expect(report.inventoryVms).toBe(50);
  // Diagnostics and the notification say what happened and what to do.
  expect(report.faults.some((f) => f.kind === 'disk-full' && f.source === 'settings')).toBe(true);
  // Whatever else failed to save (e.g. notifications.json) is recognised as the full disk, not as a bug.
  expect(report.faults.filter((f) => f.kind !== 'disk-full')).toEqual([]);
  expect(report.faults.some((f) => f.kind === 'disk-full' && f.source === 'inventory.db')).toBe(true);
  expect(report.notifications.some((n) => n.title === 'Disk full' && n.message.includes('inventory.db could not be saved'))).toBe(true);
  // jobs.db: output is held (not published, not lost) while full, then saved; the fault names the file.
  expect(report.faults.some((f) => f.kind === 'disk-full' && f.source === 'jobs.db')).toBe(true);
  expect(report.jobLinesPublishedWhileFull).toBe(20);
  expect(report.jobLinesPublishedAfter).toBe(1_020);
  expect(report.jobLinesOnDisk).toBe(1_020);
  expect(report.jobsIntegrity).toBe('ok');
  expect(report.notifications.some((n) => n.title === 'Disk full' && n.level === 'error' && /Free some space/.test(n.message))).toBe(true);
  // With room again the same update goes through; the process never stopped.
  expect(report.updateAfter).toBe(true);
  expect(report.settingsFileThemeAfter).toBe('light');
  expect(report.alive).toBe(true);
  expect(run.code).toBe(0);
}, 60_000);
