import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AppNotification, BulkRunResponse, JobRecord } from '../../src/shared/contract';
import { startLab, type Lab } from '../lab';
import { startJobsHarness, waitFor, type JobsHarness } from './support';

// Issue 12 item 6: a power action the host refuses must not just lose its pending note; the
// admin gets one error notification (bell, tray; a toast in the window) naming the VM and why.
describe('a power action that fails on the host is told to the admin', () => {
  let lab: Lab;
  let h: JobsHarness;
  const finished = (r: JobRecord | undefined) => !!r && ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(r.state);
  const notices = (): AppNotification[] =>
    h.events.flatMap((e) => (e.topic === 'notifications' && e.kind === 'delta' ? (e.payload as { upsert: AppNotification[] }).upsert : []));

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 6, clusters: 0, seed: 21 });
    for (const vm of lab.host('hv01').model.vms) vm.state = 'Off';
    h = await startJobsHarness(lab);
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await lab?.close();
  });

  test('single action: an error notification with the host, the job and the host\'s reason; the pending note is gone', async () => {
    const hostId = h.hostIds.get('hv01')!;
    const row = h.snapshot().vms.find((v) => v.hostId === hostId && !v.placeholder && v.state === 'Off')!;
    // The VM changed behind the inventory's back: the host refuses to start it again.
    lab.host('hv01').model.vms.find((v) => v.id === row.vmId)!.state = 'Running';
    const job = await h.ok<JobRecord>('vm.action', { hostId, vmId: row.vmId, action: 'start' });
    expect(h.inventory.listPending().some((p) => p.jobId === job.id)).toBe(true);
    await waitFor(() => finished(h.job(job.id)), 30_000, 'the start job to finish');
    expect(h.job(job.id)!.state).toBe('failed');
    await waitFor(() => notices().some((n) => n.jobId === job.id), 10_000, 'a notification about the job');
    const notice = notices().find((n) => n.jobId === job.id)!;
    expect(notice).toMatchObject({ level: 'error', title: `Could not start ${row.name}`, hostId });
    expect(notice.message).toMatch(/^hv01: INVALID_STATE: /);
    expect(h.inventory.listPending().some((p) => p.jobId === job.id)).toBe(false);
    // The quick refresh after the failure shows the VM Running: the next test must not pick it as Off.
    await waitFor(() => h.snapshot().vms.find((v) => v.key === row.key)?.state === 'Running', 10_000, 'the refreshed row');
  }, 45_000);

  test('a successful action notifies nothing', async () => {
    const hostId = h.hostIds.get('hv01')!;
    const row = h.snapshot().vms.find((v) => v.hostId === hostId && !v.placeholder && v.state === 'Off')!;
    const job = await h.ok<JobRecord>('vm.action', { hostId, vmId: row.vmId, action: 'start' });
    await waitFor(() => finished(h.job(job.id)), 30_000, 'the start job to finish');
    expect(h.job(job.id)!.state).toBe('succeeded');
    expect(notices().filter((n) => n.jobId === job.id)).toHaveLength(0);
  }, 45_000);

  test('bulk: one summary notification naming the failed VMs, not one per item', async () => {
    const hostId = h.hostIds.get('hv01')!;
    await h.inventory.refresh(hostId);
    const off = h.snapshot().vms.filter((v) => v.hostId === hostId && !v.placeholder && v.state === 'Off');
    expect(off.length).toBeGreaterThanOrEqual(3);
    const sneaky = off.slice(0, 2);
    for (const v of sneaky) lab.host('hv01').model.vms.find((m) => m.id === v.vmId)!.state = 'Running';
    const before = notices().length;
    const run = await h.ok<BulkRunResponse>('vm.bulkRun', { targets: off.map((v) => ({ hostId, vmId: v.vmId })), action: 'start' });
    await waitFor(() => finished(h.job(run.job.id)), 30_000, 'the bulk job to finish');
    await waitFor(() => notices().some((n) => n.jobId === run.job.id), 10_000, 'the bulk notification');
    const added = notices().slice(before).filter((n) => n.level === 'error');
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ title: `Could not start 2 of ${off.length} VMs`, jobId: run.job.id });
    for (const v of sneaky) expect(added[0]!.message).toContain(`${v.name} on hv01:`);
  }, 45_000);
});
