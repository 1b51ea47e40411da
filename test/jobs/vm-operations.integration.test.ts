import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BulkRunResponse, InventoryVm, InventoryVmDetail, JobListResponse, JobRecord } from '../../src/shared/contract';
import { startLab, type Lab } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs/knobs';
import { startJobsHarness, waitFor, type JobsHarness } from './support';

// Issue 15 items 2–4 through the real backend and the lab's stand-ins over WinRM (NTLM, loopback):
// hardware edits, checkpoints and a live move between two nodes of one cluster, each a job with
// output, refused before queueing with the reason when Hyper-V would refuse it.
let lab: Lab;
let h: JobsHarness;

const finished = (r: JobRecord | undefined) => !!r && ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(r.state);
async function untilDone(id: string, timeoutMs = 30_000): Promise<JobRecord> {
  await waitFor(() => finished(h.job(id)), timeoutMs, `job ${id} to finish`);
  return h.job(id)!;
}
const row = (hostId: string, vmId: string): InventoryVm | undefined => h.snapshot().vms.find((v) => v.hostId === hostId && v.vmId === vmId);
const detail = (hostId: string, vmId: string) => h.ok<InventoryVmDetail>('inventory.vm', { hostId, vmId });
const total = async () => (await h.ok<JobListResponse>('jobs.list', {})).total;

/** Puts a lab VM in `state` on the host's model and refreshes the inventory, so the test starts from a known VM. */
/** A VM as the commands name it; `name` is kept apart (a request with it would be refused). */
type TestVm = { hostId: string; vmId: string; readonly name: string };
const ids = (vm: TestVm) => ({ hostId: vm.hostId, vmId: vm.vmId });

async function vmIn(hostName: string, state: 'Off' | 'Running', index: number): Promise<TestVm> {
  const sim = lab.host(hostName);
  const vm = sim.model.vms.filter((v) => v.generation === 2)[index]!;
  vm.state = state;
  if (state === 'Off') vm.memoryAssignedMiB = 0;
  else if (vm.memoryAssignedMiB === 0) vm.memoryAssignedMiB = vm.memoryStartupMiB;
  const hostId = h.hostIds.get(hostName)!;
  await h.inventory.refresh(hostId);
  expect(row(hostId, vm.id)?.state).toBe(state);
  return { hostId, vmId: vm.id, name: vm.name };
}

async function operate(target: { hostId: string; vmId: string }, operation: string, params: Record<string, unknown>): Promise<JobRecord> {
  const job = await h.ok<JobRecord>('vm.operate', { hostId: target.hostId, vmId: target.vmId, operation, params });
  expect(job).toMatchObject({ type: 'vm.operation', action: operation });
  const done = await untilDone(job.id);
  // An edit's pending note goes once the refresh after its job ran: then the row and details are current.
  await waitFor(() => !row(target.hostId, target.vmId)?.pending, 10_000, `${operation} confirmed`);
  return done;
}

describe('VM edits, checkpoints and moves on a lab over NTLM (real backend, stand-ins)', () => {
  beforeAll(async () => {
    // hv01 and hv02 are nodes of one cluster; hv03 is standalone.
    lab = await startLab({ hosts: 3, vmsPerHost: 6, seed: 151, clusters: 1 });
    for (const host of ['hv01', 'hv02', 'hv03']) setJobKnobs(lab.host(host), { editMs: 20, checkpointMs: 40, migrationMs: 1_200, actionMs: 30 });
    h = await startJobsHarness(lab, lab.hosts);
  }, 90_000);

  afterAll(async () => {
    await h?.close();
    await lab?.close();
  });

  test('add a 20 GB disk and a network adapter to an Off VM: pending at once, then on its details after the job', async () => {
    const vm = await vmIn('hv01', 'Off', 0);
    const before = await detail(vm.hostId, vm.vmId);
    const job = await h.ok<JobRecord>('vm.operate', { ...ids(vm), operation: 'disk.add', params: { mode: 'new', sizeGb: 20 } });
    // "Requested" feedback before the host did anything.
    expect(row(vm.hostId, vm.vmId)?.pending).toMatchObject({ action: 'disk.add', desiredState: null, jobId: job.id });
    expect(job.parameters).toMatchObject({ mode: 'new', sizeGb: 20, previousState: 'Off' });
    const done = await untilDone(job.id);
    expect(done.state).toBe('succeeded');
    expect(done.result).toMatchObject({ vmId: vm.vmId, sizeGb: 20, created: true });
    expect(h.lines(job.id).some((l) => l.stream === 'log')).toBe(true);
    await waitFor(() => row(vm.hostId, vm.vmId)?.pending === null, 10_000, 'the pending note cleared after the refresh');
    const afterDisk = await detail(vm.hostId, vm.vmId);
    expect(afterDisk.details.disks).toHaveLength(before.details.disks.length + 1);
    expect(afterDisk.details.disks.at(-1)).toMatchObject({ capacityGb: 20, path: done.result!.path });
    expect(row(vm.hostId, vm.vmId)?.diskCount).toBe(before.details.disks.length + 1);

    const switchName = h.snapshot().hosts.find((x) => x.hostId === vm.hostId)!.switches![0]!;
    // Typed in another case: matched as Hyper-V matches names, and sent in the host's own spelling.
    const nic = await operate(vm, 'nic.add', { switchName: switchName.toUpperCase(), vlan: 12, macAddress: null });
    expect(nic.state).toBe('succeeded');
    expect(nic.parameters).toMatchObject({ switchName, vlan: 12, macAddress: 'none' });
    const afterNic = await detail(vm.hostId, vm.vmId);
    expect(afterNic.details.nics).toHaveLength(before.details.nics.length + 1);
    expect(afterNic.details.nics.find((n) => n.id === nic.result!.nicId)).toMatchObject({ switchName, vlan: 12 });

    // A switch the host does not have, and the same disk file again: refused, nothing queued.
    const queued = await total();
    const badSwitch = await h.fail('vm.operate', { ...ids(vm), operation: 'nic.add', params: { switchName: 'No Such Switch', vlan: null, macAddress: null } });
    expect(badSwitch).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [expect.objectContaining({ field: 'params.switchName' })] } });
    const again = await h.fail('vm.operate', { ...ids(vm), operation: 'disk.add', params: { mode: 'existing', path: String(done.result!.path) } });
    expect(again.code).toBe('DISK_IN_USE');
    // hv02 is a node of the same cluster: its VMs' files on cluster storage count too.
    const peerVm = h.snapshot().vms.find((v) => v.hostId === h.hostIds.get('hv02') && v.diskCount > 0)!;
    const peerDisk = (await detail(peerVm.hostId, peerVm.vmId)).details.disks[0]!;
    const onPeer = await h.fail('vm.operate', { ...ids(vm), operation: 'disk.add', params: { mode: 'existing', path: peerDisk.path } });
    expect(onPeer).toMatchObject({ code: 'DISK_IN_USE', message: expect.stringContaining(`attached to ${peerVm.name} on hv02`) });
    expect(await total()).toBe(queued);
  }, 60_000);

  test('processors: changed on an Off VM; refused on a Running one with the reason, and beyond the host or the schema', async () => {
    const off = await vmIn('hv01', 'Off', 1);
    const done = await operate(off, 'processors', { count: 3 });
    expect(done.state).toBe('succeeded');
    await waitFor(() => row(off.hostId, off.vmId)?.processorCount === 3 && row(off.hostId, off.vmId)?.pending === null, 10_000, 'processors shown');

    const running = await vmIn('hv01', 'Running', 2);
    const queued = await total();
    const refused = await h.fail('vm.operate', { ...ids(running), operation: 'processors', params: { count: 2 } });
    expect(refused.code).toBe('INVALID_STATE');
    expect(refused.message).toBe(`${running.name} on hv01: Hyper-V cannot change the processors of a VM that is Running; it must be Off.`);
    const lps = h.snapshot().hosts.find((x) => x.hostId === off.hostId)!.cpuCores!;
    const tooMany = await h.fail('vm.operate', { ...ids(off), operation: 'processors', params: { count: lps + 1 } });
    expect(tooMany).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'params.count', message: expect.stringContaining(`${lps} logical processors`) }] } });
    const zero = await h.fail('vm.operate', { ...ids(off), operation: 'processors', params: { count: 0 } });
    expect(zero).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [expect.objectContaining({ field: 'params.count' })] } });
    const unknown = await h.fail('vm.operate', { ...ids(off), operation: 'processors', params: { count: 2, extra: 1 } });
    expect(unknown.details?.fields?.[0]?.field).toBe('params.extra');
    expect(await total()).toBe(queued);

    // Memory of a running VM with dynamic memory: the minimum may only go down, the maximum up.
    const sim = lab.host('hv01').model.vms.find((v) => v.id === running.vmId)!;
    Object.assign(sim, { dynamicMemoryEnabled: true, memoryStartupMiB: 4096, memoryMinimumMiB: 2048, memoryMaximumMiB: 8192 });
    await h.inventory.refresh(running.hostId);
    const raiseMin = await h.fail('vm.operate', { ...ids(running), operation: 'memory', params: { startupMb: 4096, dynamic: true, minimumMb: 3072 } });
    expect(raiseMin).toMatchObject({ code: 'INVALID_STATE', details: { fields: [expect.objectContaining({ field: 'params.minimumMb' })] } });
    const widened = await operate(running, 'memory', { startupMb: 4096, dynamic: true, minimumMb: 1024, maximumMb: 16384 });
    expect(widened).toMatchObject({ state: 'succeeded', result: { changed: ['memoryMinimumMb', 'memoryMaximumMb'] } });
    expect((await detail(running.hostId, running.vmId)).details).toMatchObject({ memoryMinMb: 1024, memoryMaxMb: 16384 });
  }, 60_000);

  test('create, apply and delete a checkpoint: count and age on the row, the tree on the VM page', async () => {
    const vm = await vmIn('hv02', 'Off', 0);
    const created = await operate(vm, 'checkpoint.create', { name: 'before patch', type: 'standard' });
    expect(created.state).toBe('succeeded');
    await waitFor(() => row(vm.hostId, vm.vmId)?.checkpointCount === 1, 10_000, 'checkpoint counted');
    expect(row(vm.hostId, vm.vmId)?.oldestCheckpointAt).not.toBeNull();
    const tree = (await detail(vm.hostId, vm.vmId)).details;
    expect(tree.checkpoints).toEqual([expect.objectContaining({ id: String(created.result!.checkpointId).toLowerCase(), name: 'before patch', parentId: null, type: 'Standard' })]);
    expect(tree.currentCheckpointId).toBe(tree.checkpoints[0]!.id);

    const applied = await operate(vm, 'checkpoint.apply', { checkpointId: tree.checkpoints[0]!.id });
    expect(applied.state).toBe('succeeded');
    const missing = await h.fail('vm.operate', { ...ids(vm), operation: 'checkpoint.delete', params: { checkpointId: '00000000-0000-0000-0000-000000000000', subtree: false } });
    expect(missing).toMatchObject({ code: 'CHECKPOINT_NOT_FOUND', details: { fields: [expect.objectContaining({ field: 'params.checkpointId' })] } });
    const deleted = await operate(vm, 'checkpoint.delete', { checkpointId: tree.checkpoints[0]!.id, subtree: false });
    expect(deleted.state).toBe('succeeded');
    await waitFor(() => row(vm.hostId, vm.vmId)?.checkpointCount === 0, 10_000, 'checkpoint gone');
    expect((await detail(vm.hostId, vm.vmId)).details).toMatchObject({ checkpoints: [], currentCheckpointId: null });
  }, 60_000);

  test('bulk checkpoint of two VMs: one bulk job, a checkpoint on each; a failed item is retried with the same parameters', async () => {
    const a = await vmIn('hv03', 'Running', 0);
    const b = await vmIn('hv03', 'Off', 1);
    const simA = lab.host('hv03').model.vms.find((v) => v.id === a.vmId)!;
    // A production checkpoint needs the guest to answer when the VM runs: a's does not (yet).
    simA.guestUnresponsive = true;
    const request = { targets: [ids(a), ids(b)], operation: 'checkpoint.create', params: { name: 'nightly', type: 'production' } };
    const preview = await h.ok<{ action: string; willRun: number }>('vm.bulkPreview', request);
    expect(preview).toMatchObject({ action: 'checkpoint.create', willRun: 2 });
    const run = await h.ok<BulkRunResponse>('vm.bulkRun', request);
    expect(run.items.map((i) => [i.type, i.action, i.parentId])).toEqual([
      ['vm.operation', 'checkpoint.create', run.job.id],
      ['vm.operation', 'checkpoint.create', run.job.id],
    ]);
    await waitFor(() => h.job(run.job.id)?.state === 'failed', 20_000, 'bulk checkpoint finished with one failure');
    expect(h.job(run.job.id)?.bulk).toMatchObject({ total: 2, succeeded: 1, failed: 1 });
    expect(h.notices().find((n) => n.jobId === run.job.id)?.title).toBe('Could not checkpoint 1 of 2 VMs');
    await waitFor(() => row(b.hostId, b.vmId)?.checkpointCount === 1, 10_000, 'b checkpointed');

    simA.guestUnresponsive = false;
    const retry = await h.ok<BulkRunResponse>('jobs.retryFailed', { id: run.job.id });
    expect(retry.items.map((i) => [i.vmId, i.parameters.name, i.parameters.type])).toEqual([[a.vmId, 'nightly', 'production']]);
    await waitFor(() => h.job(run.job.id)?.state === 'succeeded', 20_000, 'retry succeeded');
    await waitFor(() => row(a.hostId, a.vmId)?.checkpointCount === 1, 10_000, 'a checkpointed');
    const names = (await detail(a.hostId, a.vmId)).details.checkpoints.map((c) => [c.name, c.type]);
    expect(names).toEqual([['nightly', 'Production']]);

    // Parameters are checked once for the whole selection, before any VM: nothing is queued.
    const bad = await h.fail('vm.bulkPreview', { targets: [ids(a)], operation: 'checkpoint.create', params: { name: '' } });
    expect(bad).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [expect.objectContaining({ field: expect.stringMatching(/^params\./) })] } });
    // Only the operations the table allows in bulk.
    expect((await h.fail('vm.bulkRun', { targets: [ids(a)], operation: 'processors', params: { count: 2 } })).code).toBe('VALIDATION_FAILED');
  }, 60_000);

  test('a job the host refuses fails with its code, clears the pending note and is told in the notification centre', async () => {
    const vm = await vmIn('hv02', 'Running', 1);
    // The guest does not answer: Hyper-V cannot take a production checkpoint.
    lab.host('hv02').model.vms.find((v) => v.id === vm.vmId)!.guestUnresponsive = true;
    const job = await h.ok<JobRecord>('vm.operate', { ...ids(vm), operation: 'checkpoint.create', params: { name: 'app-consistent', type: 'production' } });
    const done = await untilDone(job.id);
    expect(done).toMatchObject({ state: 'failed', error: { code: 'CHECKPOINT_FAILED' } });
    await waitFor(() => !row(vm.hostId, vm.vmId)?.pending, 10_000, 'pending note cleared');
    expect(h.notices().find((n) => n.jobId === job.id)).toMatchObject({ level: 'error', title: `Could not checkpoint ${vm.name}`, message: expect.stringContaining('hv02: CHECKPOINT_FAILED') });
    expect(row(vm.hostId, vm.vmId)?.checkpointCount).toBe(0);
  }, 60_000);

  test('live move between two nodes of one cluster: pending on the source until the VM shows on the target', async () => {
    const vm = await vmIn('hv01', 'Running', 3);
    const target = h.hostIds.get('hv02')!;
    // Refused before queueing: a standalone host, and live migration of a VM that is not Running.
    const standalone = await h.fail('vm.operate', { ...ids(vm), operation: 'move', params: { targetHostId: h.hostIds.get('hv03')!, migrationType: 'live' } });
    expect(standalone).toMatchObject({ code: 'TARGET_HOST_INVALID', details: { fields: [expect.objectContaining({ field: 'params.targetHostId' })] } });

    const job = await h.ok<JobRecord>('vm.operate', { ...ids(vm), operation: 'move', params: { targetHostId: target, migrationType: 'live' } });
    expect(row(vm.hostId, vm.vmId)?.pending).toMatchObject({ action: 'move', jobId: job.id });
    await waitFor(() => h.job(job.id)?.state === 'running', 10_000, 'the move running');
    // A refresh of the source while the memory is still being copied: the VM is there, still pending.
    await h.inventory.refresh(vm.hostId);
    expect(row(vm.hostId, vm.vmId)?.pending?.action).toBe('move');
    expect(row(target, vm.vmId)).toBeUndefined();

    const done = await untilDone(job.id);
    expect(done.state).toBe('succeeded');
    expect(done.result).toMatchObject({ migrationType: 'Live', targetNode: expect.stringMatching(/hv02/i) });
    await waitFor(() => row(target, vm.vmId)?.pending === null && !row(vm.hostId, vm.vmId), 15_000, 'the VM on hv02, confirmed');
    expect(row(target, vm.vmId)).toMatchObject({ name: vm.name, state: 'Running', hostId: target });
    expect(h.inventory.listPending().filter((p) => p.vmId === vm.vmId)).toEqual([]);
  }, 60_000);
});
