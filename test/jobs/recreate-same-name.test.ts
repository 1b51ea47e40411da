import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { InventoryVm, JobInputSchema, JobRecord, JobSubmitResponse } from '../../src/shared/contract';
import { startLab, type Lab } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs';
import { startJobsHarness, waitFor, windowsVmFields, type JobsHarness } from './support';

// Issue 12 item 6: deleting a VM must leave nothing — placeholder, pending operation, tombstone,
// name reservation, duplicate-name safeguard — that refuses a new VM of the same name.
describe('create, delete, create the same name again (real backend, lab over NTLM)', () => {
  let lab: Lab;
  let h: JobsHarness;
  let version: number;
  const finished = (r: JobRecord | undefined) => !!r && ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(r.state);
  const untilDone = async (id: string): Promise<JobRecord> => {
    await waitFor(() => finished(h.job(id)), 30_000, `job ${id} to finish`);
    return h.job(id)!;
  };
  const rowsNamed = (hostId: string, name: string): InventoryVm[] => h.snapshot().vms.filter((v) => v.hostId === hostId && v.name.toLowerCase() === name.toLowerCase());

  const create = async (hostId: string, name: string): Promise<JobRecord> => {
    const { job } = await h.ok<JobSubmitResponse>('jobs.submit', { schemaVersion: version, hostId, imageOsFamily: 'windows', fields: windowsVmFields(name) });
    const done = await untilDone(job.id);
    expect(done.error).toBeNull();
    expect(done.state).toBe('succeeded');
    await waitFor(() => rowsNamed(hostId, name).length === 1 && !rowsNamed(hostId, name)[0]!.placeholder, 10_000, `${name} in the inventory`);
    return done;
  };

  const remove = async (hostId: string, vm: InventoryVm, deleteDisks: boolean): Promise<void> => {
    // A delete needs the VM off.
    if (vm.state !== 'Off') {
      const off = await h.ok<JobRecord>('vm.action', { hostId, vmId: vm.vmId, action: 'turnoff' });
      expect((await untilDone(off.id)).state).toBe('succeeded');
      await waitFor(() => rowsNamed(hostId, vm.name)[0]?.state === 'Off' && !rowsNamed(hostId, vm.name)[0]?.pending, 10_000, `${vm.name} off`);
    }
    const job = await h.ok<JobRecord>('vm.delete', { hostId, vmId: vm.vmId, deleteDisks, confirmName: vm.name });
    expect((await untilDone(job.id)).state).toBe('succeeded');
    await waitFor(() => rowsNamed(hostId, vm.name).length === 0, 10_000, `${vm.name} gone from the inventory`);
  };

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 2, seed: 33, clusters: 0 });
    setJobKnobs(lab.host('hv01'), { stepMs: 5 });
    h = await startJobsHarness(lab);
    version = (await h.ok<JobInputSchema>('jobs.schema', {})).version;
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await lab?.close();
  });

  test('with its disks deleted: the same name is accepted again, checked and created', async () => {
    const hostId = h.hostIds.get('hv01')!;
    const first = await create(hostId, 'again-01');
    await remove(hostId, rowsNamed(hostId, 'again-01')[0]!, true);
    // Nothing of the first VM is left that a submission or a row would meet.
    expect(h.inventory.listPending().filter((p) => p.vmId === first.vmId)).toEqual([]);
    expect(h.inventory.listPlaceholders()).toEqual([]);
    const check = await h.ok<{ valid: boolean; warnings: string[] }>('jobs.validate', { schemaVersion: version, hostId, imageOsFamily: 'windows', fields: windowsVmFields('again-01') });
    expect(check.valid).toBe(true);
    expect(check.warnings.filter((w) => w.startsWith('A submission would be refused'))).toEqual([]);

    const second = await create(hostId, 'again-01');
    expect(second.vmId).not.toBe(first.vmId);
    const row = rowsNamed(hostId, 'again-01')[0]!;
    expect(row).toMatchObject({ vmId: second.vmId, placeholder: false, pending: null });
    // The new VM is a normal VM: actions on it are not refused as pending on the old one.
    const off = await h.ok<JobRecord>('vm.action', { hostId, vmId: row.vmId, action: 'turnoff' });
    expect((await untilDone(off.id)).state).toBe('succeeded');
  }, 90_000);

  test('differing only in case, after a delete, is accepted too', async () => {
    const hostId = h.hostIds.get('hv01')!;
    await create(hostId, 'case-01');
    await remove(hostId, rowsNamed(hostId, 'case-01')[0]!, true);
    await create(hostId, 'CASE-01');
  }, 90_000);
});
