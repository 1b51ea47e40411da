/**
 * Fault catalogue (docs/reliability.md): what happens to the workstation's side — the app starts
 * while a host is down, the process is killed in the middle of a job, a database file is damaged,
 * a clock jumps, the disk fills up. One data folder lives through every scenario, restarted between
 * them, so each also proves that what the earlier ones stored is still there.
 *
 * Disk full is real, not mocked: the settings file's temporary file is /dev/full (every write fails
 * with ENOSPC), and the inventory database hits SQLite's page limit, which fails a growing write with
 * SQLITE_FULL exactly as a full disk does.
 */
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JobGetResponse, JobListResponse, Settings } from '../../src/shared/contract';
import { setInventoryKnobs } from '../lab/agent/inventory';
import { setJobKnobs } from '../lab/agent/jobs';
import { tempDir } from '../support/temp';
import { crashBackendMidJob, startFleet, waitFor, type Fleet } from './support';
import { fillSqliteUp } from '../support/disk-full';

const DISK_FULL = /disk|space|full|ENOSPC/i;

describe('fault catalogue: restarts, crashes, damaged files, clocks and a full disk', () => {
  const temp = tempDir();
  let f: Fleet;

  beforeAll(async () => {
    f = await startFleet({ hosts: 3, seed: 61, dataDir: temp.dir });
  });
  afterAll(async () => {
    await f?.close();
    temp.cleanup();
  });

  it('scenario 02: host down at start', async () => {
    await f.restartBackend(() => f.lab.host('hv02').setKnobs({ unreachable: true }));
    // The cached inventory is served at once, every row marked stale until its host answers.
    const cached = f.inventory.snapshot();
    for (const [name, keys] of f.baseline.vmKeys) expect(cached.vms.filter((v) => v.hostId === f.idOf(name) && !v.placeholder).map((v) => v.key).sort()).toEqual(keys);
    expect(cached.vms.every((v) => v.stale)).toBe(true);

    await f.inventory.initialRefresh;
    await waitFor(() => f.sync('hv02').state === 'error' && f.sync('hv01').state === 'fresh' && f.sync('hv03').state === 'fresh', 15_000, 'hv02 failed and the others fresh');
    const error = f.sync('hv02').lastError;
    expect(error).toMatch(/^host hv02: cannot reach 127\.0\.0\.1:\d+ \(connection refused\) — is the WinRM service running and TCP 5985\/5986 open in the firewall\?$/);
    // It may be raised while the backend starts, before the live feed: read the bell itself.
    const notices = f.backend.services.notifications.list().filter((n) => n.hostId === f.idOf('hv02') && n.level === 'error');
    expect(notices.map((n) => n.title)).toEqual(['Host hv02 unreachable']);
    expect(notices[0]!.message).toMatch(/Its 3 VMs keep their last known values, marked stale; retrying automatically/);
    expect(f.hostView('hv02').status).toBe('unreachable');
    await f.expectNothingLost(['hv02']);

    // A redeploy brings it back; recovery-faults.test.ts shows it also comes back by itself.
    await f.lab.host('hv02').setKnobs({ unreachable: false });
    await f.ok('deployment.redeploy', { hostId: f.idOf('hv02') });
    await waitFor(() => f.sync('hv02').state === 'fresh', 30_000, 'hv02 fresh after the redeploy');
    await f.expectNothingLost([]);
  });

  it('scenario 16: crash mid-job', async () => {
    setJobKnobs(f.lab.host('hv01'), { stepMs: 1500 });
    let crashed = { jobId: '', linesSeen: 0 };
    // Another backend process on the same data folder runs a create-VM job and is killed mid-way.
    await f.restartBackend(async () => {
      crashed = await crashBackendMidJob(temp.dir);
    });
    setJobKnobs(f.lab.host('hv01'), { stepMs: 0 });

    const { job, lines } = await f.ok<JobGetResponse>('jobs.get', { id: crashed.jobId });
    expect(job).toMatchObject({ state: 'interrupted', error: { code: 'INTERRUPTED' } });
    expect(job.finishedAt).not.toBeNull();
    // Every line a client saw before the crash is on disk, in order.
    expect(lines.length).toBeGreaterThanOrEqual(crashed.linesSeen);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i));
    // Raised while the backend started, so read from the notification centre (the bell), not the live feed.
    const notice = f.backend.services.notifications.list().find((n) => n.title === '1 job(s) interrupted');
    expect(notice?.message).toBe('The app stopped while these jobs ran; their output is kept. Check the VMs, then run the jobs again if needed.');
    await f.inventory.initialRefresh;
    await waitFor(() => ['hv01', 'hv02', 'hv03'].every((n) => f.sync(n).state === 'fresh'), 15_000, 'every host fresh after the restart');
    await f.expectNothingLost([]);
  });

  it('scenario 18: corrupt database', async () => {
    const inventoryFile = path.join(temp.dir, 'inventory.db');
    const jobsFile = path.join(temp.dir, 'jobs.db');
    const jobsBefore = (await f.ok<JobListResponse>('jobs.list', {})).jobs;
    const garbage = Buffer.from('this is not a SQLite database '.repeat(200));
    await f.restartBackend(() => {
      for (const suffix of ['-wal', '-shm']) if (existsSync(inventoryFile + suffix)) writeFileSync(inventoryFile + suffix, '');
      writeFileSync(inventoryFile, garbage);
    });
    // The damaged file is kept aside byte for byte, the admin is told, and the inventory is rebuilt from the hosts.
    const kept = readdirSync(temp.dir).filter((name) => /^inventory\.db\.corrupt-[^-]+.*[^lm]$/.test(name) && !/-(wal|shm)$/.test(name));
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(temp.dir, kept[0]!))).toEqual(garbage);
    const notice = f.backend.services.notifications.list().find((n) => n.title === 'Inventory database rebuilt');
    expect(notice?.message).toMatch(/^The local inventory database could not be read \(.+\)\. It was kept as .*inventory\.db\.corrupt-.* and a new one is being filled from the hosts\.$/);
    await f.inventory.initialRefresh;
    await waitFor(() => ['hv01', 'hv02', 'hv03'].every((n) => f.sync(n).state === 'fresh'), 15_000, 'the inventory rebuilt from every host');
    // Jobs live in their own file: all of them are still there, and so is every setting.
    expect((await f.ok<JobListResponse>('jobs.list', {})).jobs).toEqual(jobsBefore);
    await f.expectNothingLost([]);

    // The jobs file damaged instead: it is kept aside too, and the inventory and settings are untouched.
    const jobsGarbage = Buffer.from('not a jobs database either '.repeat(100));
    await f.restartBackend(() => {
      for (const suffix of ['-wal', '-shm']) if (existsSync(jobsFile + suffix)) writeFileSync(jobsFile + suffix, '');
      writeFileSync(jobsFile, jobsGarbage);
    });
    const keptJobs = readdirSync(temp.dir).filter((name) => name.startsWith('jobs.db.corrupt-') && !/-(wal|shm)$/.test(name));
    expect(keptJobs).toHaveLength(1);
    expect(readFileSync(path.join(temp.dir, keptJobs[0]!))).toEqual(jobsGarbage);
    for (const [name, keys] of f.baseline.vmKeys) expect(f.inventory.snapshot().vms.filter((v) => v.hostId === f.idOf(name) && !v.placeholder).map((v) => v.key).sort()).toEqual(keys);
    expect(await f.ok('settings.get', {})).toEqual(f.baseline.settings);
    // The app works on with a new, empty jobs file.
    expect(await f.ok<JobListResponse>('jobs.list', {})).toEqual({ jobs: [], total: 0 });
  });

  it('scenario 19: clock jump', async () => {
    await f.inventory.initialRefresh;
    await waitFor(() => ['hv01', 'hv02', 'hv03'].every((n) => f.sync(n).state === 'fresh'), 15_000, 'every host fresh');
    const host = f.lab.host('hv03');
    const vm = host.model.vms[0]!;
    const nameOf = () => f.inventory.snapshot().vms.find((v) => v.vmId === vm.id)!.name;
    const before = nameOf();

    // The host's clock jumps back an hour: its answer is still the newest the workstation asked
    // for (ordering follows the workstation's requests, not the host's clock), so it is applied.
    vm.name = 'renamed-while-clock-was-wrong';
    setInventoryKnobs(host, { clockOffsetMs: -3_600_000 });
    expect(await f.refresh('hv03')).toBe('refreshed');
    expect(nameOf()).not.toBe(before);
    expect(nameOf()).toBe('renamed-while-clock-was-wrong');
    expect(f.sync('hv03')).toMatchObject({ state: 'fresh', lastError: null });
    // Its clock is right again (an hour ahead of its last answer): applied as well.
    setInventoryKnobs(host, { clockOffsetMs: 0 });
    vm.name = 'renamed-after-clock-was-fixed';
    expect(await f.refresh('hv03')).toBe('refreshed');
    expect(nameOf()).toBe('renamed-after-clock-was-fixed');

    // The workstation's clock jumps two hours ahead and back (sleep, a bad NTP answer); the host's does not.
    const realNow = Date.now();
    vm.name = 'renamed-during-local-jump';
    try {
      vi.setSystemTime(realNow + 2 * 3_600_000);
      setInventoryKnobs(host, { clockOffsetMs: -2 * 3_600_000 });
      expect(await f.refresh('hv03')).toBe('refreshed');
      expect(nameOf()).toBe('renamed-during-local-jump');
      expect(Date.parse(f.sync('hv03').lastSuccessAt!)).toBeGreaterThan(realNow + 3_600_000);
    } finally {
      vi.useRealTimers();
      setInventoryKnobs(host, { clockOffsetMs: 0 });
    }
    vm.name = 'renamed-after-local-jump';
    expect(await f.refresh('hv03')).toBe('refreshed');
    expect(nameOf()).toBe('renamed-after-local-jump');
    expect(f.sync('hv03')).toMatchObject({ state: 'fresh', lastError: null });
    for (const [name, keys] of f.baseline.vmKeys) expect(f.inventory.snapshot().vms.filter((v) => v.hostId === f.idOf(name) && !v.placeholder).map((v) => v.key).sort()).toEqual(keys);
    expect(await f.ok('settings.get', {})).toEqual(f.baseline.settings);
  });
  it('scenario 19: clock jump — a host clock that jumped ahead and back does not freeze its inventory', async () => {
    const host = f.lab.host('hv01');
    const vm = host.model.vms[0]!;
    setInventoryKnobs(host, { clockOffsetMs: 24 * 3_600_000 });
    try {
      expect(await f.refresh('hv01')).toBe('refreshed');
      // NTP puts the clock right; the VM changes. Ordered by the host's clock, every answer would be
      // "discarded" for the next 24 h, silently: the host would show fresh while its rows no longer change.
      setInventoryKnobs(host, { clockOffsetMs: 0 });
      vm.name = 'renamed-after-the-clock-was-fixed';
      const outcome = await f.refresh('hv01');
      const shown = f.inventory.snapshot().vms.find((v) => v.vmId === vm.id)!.name;
      expect({ outcome, shown }).toEqual({ outcome: 'refreshed', shown: 'renamed-after-the-clock-was-fixed' });
    } finally {
      setInventoryKnobs(host, { clockOffsetMs: 0 });
    }
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
    const release = fillSqliteUp(db);
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
      // The host keeps its state, marked stale since what is shown is not its latest answer, and says why.
      expect(f.sync('hv02')).toMatchObject({ state: 'stale', consecutiveFailures: 0 });
      expect(f.sync('hv02').lastError).toMatch(/^Local disk full: .*inventory database \(inventory\.db\)/);
      // What was stored stays, readable.
      for (const [name, keys] of f.baseline.vmKeys) expect(f.inventory.snapshot().vms.filter((v) => v.hostId === f.idOf(name) && !v.placeholder && !v.name.startsWith('fill-')).map((v) => v.key).sort()).toEqual(keys);
    } finally {
      release();
      host.model.vms.splice(host.model.vms.findIndex((v) => v.name === 'fill-0'));
    }
    await f.heal('hv02');
    expect(f.sync('hv02')).toMatchObject({ state: 'fresh', lastError: null });
    // Nothing stored was lost (the job history went with scenario 18's damaged jobs.db).
    for (const [name, keys] of f.baseline.vmKeys) expect(f.inventory.snapshot().vms.filter((v) => v.hostId === f.idOf(name) && !v.placeholder).map((v) => v.key).sort()).toEqual(keys);
    expect(await f.ok('settings.get', {})).toEqual(f.baseline.settings);
  });
});
