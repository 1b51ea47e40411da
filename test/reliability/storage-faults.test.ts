/**
 * Fault catalogue (docs/reliability.md): what happens to the workstation's side — the app starts
 * while a host is down, the process is killed in the middle of a job, a database file is damaged,
 * a clock jumps. One data folder lives through every scenario, restarted between them, so each
 * also proves that what the earlier ones stored is still there.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JobGetResponse, JobListResponse } from '../../src/shared/contract';
import { setInventoryKnobs } from '../lab/agent/inventory';
import { setJobKnobs } from '../lab/agent/jobs';
import { tempDir } from '../support/temp';
import { crashBackendMidJob, startFleet, waitFor, type Fleet } from './support';

describe('fault catalogue: restarts, crashes, damaged files and clocks', () => {
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
    const notices = f.notifications.filter((n) => n.hostId === f.idOf('hv02') && n.level === 'error');
    expect(notices.map((n) => n.title)).toEqual(['Host hv02 unreachable']);
    expect(notices[0]!.message).toMatch(/Its 3 VMs keep their last known values, marked stale; retrying automatically/);
    expect(f.hostView('hv02').status).toBe('unreachable');
    await f.expectNothingLost(['hv02']);

    // Today a redeploy brings it back; pending-recovery.test.ts expects it to come back by itself.
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

    // The host's clock jumps back an hour: its (older-looking) answer is not applied over newer data.
    vm.name = 'renamed-while-clock-was-wrong';
    setInventoryKnobs(host, { clockOffsetMs: -3_600_000 });
    expect(await f.refresh('hv03')).toBe('discarded');
    expect(nameOf()).toBe(before);
    expect(f.sync('hv03')).toMatchObject({ state: 'fresh', lastError: null });
    // Its clock is right again: the next answer is applied.
    setInventoryKnobs(host, { clockOffsetMs: 0 });
    expect(await f.refresh('hv03')).toBe('refreshed');
    expect(nameOf()).toBe('renamed-while-clock-was-wrong');

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
});
