/**
 * Child process for the disk-full test, run by the parent inside `unshare -rm` with a small tmpfs
 * mounted on the data dir: a real backend (settings.json) and a real inventory.db fill the disk,
 * then try to write more. Prints one JSON report on stdout.
 */
import { existsSync, openSync, readdirSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createBackend } from '../../src/main/backend';
import { isDiskFull } from '../../src/main/diagnostics/faults';
import { JobStore } from '../../src/main/jobs/store/job-store';
import { defaultSync, InventoryStore, type FullInventoryInput } from '../../src/main/store';
import type { AppHealth, AppNotification } from '../../src/shared/contract';

const dataDir = process.argv[2]!;
const filler = path.join(dataDir, 'filler.bin');

function fillDisk(): void {
  const fd = openSync(filler, 'a');
  const chunk = Buffer.alloc(16 * 1024, 0x5a);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  // Last crumbs smaller than a chunk.
  const small = openSync(filler, 'a');
  try {
    for (;;) writeSync(small, Buffer.alloc(512, 0x5a));
  } catch {
    // full
  } finally {
    closeSync(small);
  }
}

function inventoryInput(count: number, notes: string): FullInventoryInput {
  return {
    host: { computerName: 'HV01', cluster: null, cpuCores: 32, memoryGb: 256, memoryAvailableGb: null, switches: null, warnings: [] },
    vms: Array.from({ length: count }, (_, i) => ({
      vmId: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
      name: `vm-${i}`,
      state: 'Running' as const,
      config: {
        processorCount: 2, memoryStartupMb: 4096, memoryMinMb: null, memoryMaxMb: null, dynamicMemory: false, generation: 2, configurationVersion: '10.0',
        notes, operatingSystem: 'Windows Server 2022', createdAt: '2024-01-01T00:00:00Z', clustered: false, ipAddresses: [],
        disks: [], nics: [],
      },
    })),
    observedAt: new Date().toISOString(),
    agentTimestamp: null,
    complete: true,
    keep: { nics: false, disks: false, os: false },
  };
}

const report: Record<string, unknown> = {};
const backend = await createBackend({ dataDir, runtime: 'browser', modules: [], lastResortHandlers: true });
const before = await backend.invoke('settings.update', { theme: 'dark' });
report.updateBefore = before.ok;

const inventoryFile = path.join(dataDir, 'inventory.db');
const fresh = () => ({ ...defaultSync(), state: 'fresh' as const, lastSuccessAt: new Date().toISOString() });
const inventory = InventoryStore.open(inventoryFile);
inventory.syncConfiguredHosts([{ id: 'h1' }]);
inventory.applyFull('h1', inventoryInput(50, 'saved before'), fresh());
inventory.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');

const jobsFile = path.join(dataDir, 'jobs.db');
let published = 0;
const jobs = new JobStore(jobsFile, { records: () => undefined, lines: (l) => (published += l.length) });
await jobs.openingPrune;
const at = new Date().toISOString();
jobs.put({ id: 'job1', type: 'vm.action', state: 'running', hostId: 'h1', hostName: 'hv01', vmId: null, vmName: 'web01', action: 'start', parameters: {}, createdAt: at, startedAt: at, finishedAt: null, result: null, error: null, lineCount: 0, parentId: null, warnings: [], bulk: null });
for (let i = 0; i < 20; i++) jobs.appendLine('job1', { stream: 'stdout', level: 'info', text: `before ${i}`, step: null });
jobs.flush();

fillDisk();

for (let i = 0; i < 1_000; i++) jobs.appendLine('job1', { stream: 'stdout', level: 'info', text: `during ${i} ${'z'.repeat(400)}`, step: null });
jobs.flush();
report.jobLinesPublishedWhileFull = published;

const during = await backend.invoke('settings.update', { theme: 'light' });
report.updateDuring = during;
report.settingsFileTheme = (JSON.parse(readFileSync(path.join(dataDir, 'settings.json'), 'utf8')) as { settings: { theme: string } }).settings.theme;
// The disk-full notices are saved in the background: wait for those writes (serialised, each
// removing its temp file when it fails), so the listing sees what they left, not one in flight.
await backend.services.notifications.flush().catch(() => undefined);
report.tempFilesLeft = readdirSync(dataDir).filter((f) => f.endsWith('.tmp'));
// What the app reports must be what the file holds: the failed save changed nothing in memory either.
report.settingsThemeInMemory = ((await backend.invoke('settings.get', {})) as { ok: true; data: { theme: string } }).data.theme;

try {
  inventory.applyFull('h1', inventoryInput(2_000, 'x'.repeat(2_000)), fresh());
  report.inventoryWrite = 'succeeded';
} catch (error) {
  report.inventoryWrite = { diskFull: isDiskFull(error), message: (error as Error).message };
}
inventory.close();

const health = (await backend.invoke('app.health', {})) as { ok: true; data: AppHealth };
report.faults = health.data.faults;
const notes = (await backend.invoke('notifications.list', {})) as { ok: true; data: AppNotification[] };
report.notifications = notes.data.map((n) => ({ title: n.title, level: n.level, message: n.message }));

// Room again: what was stored before is all there, and writes work.
rmSync(filler);
jobs.flush();
report.jobLinesPublishedAfter = published;
jobs.close();
const jobsCheck = new DatabaseSync(jobsFile);
report.jobsIntegrity = Object.values(jobsCheck.prepare('PRAGMA integrity_check').get() as Record<string, unknown>)[0];
report.jobLinesOnDisk = Number((jobsCheck.prepare('SELECT COUNT(*) AS n FROM job_lines').get() as { n: number }).n);
jobsCheck.close();
const check = new DatabaseSync(inventoryFile);
report.inventoryIntegrity = Object.values(check.prepare('PRAGMA integrity_check').get() as Record<string, unknown>)[0];
report.inventoryVms = Number((check.prepare('SELECT COUNT(*) AS n FROM vms').get() as { n: number }).n);
check.close();
const after = await backend.invoke('settings.update', { theme: 'light' });
report.updateAfter = after.ok;
report.settingsFileThemeAfter = (JSON.parse(readFileSync(path.join(dataDir, 'settings.json'), 'utf8')) as { settings: { theme: string } }).settings.theme;
report.alive = true;
await backend.close();
report.logExists = existsSync(path.join(dataDir, 'app.log'));
process.stdout.write(`REPORT ${JSON.stringify(report)}\n`);
