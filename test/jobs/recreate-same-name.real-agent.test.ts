import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_SETTINGS, type InventoryVm, type JobInputSchema, type JobRecord, type JobSubmitResponse } from '../../src/shared/contract';
import { LAB_GOLDEN_IMAGES, startLab, type Lab } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs';
import { repoRoot } from '../support/cli';
import { startJobsHarness, waitFor, windowsVmFields, type JobsHarness } from './support';

const INSTALL_DIR = DEFAULT_SETTINGS.agent.installDir;

// Issue 12 item 6, against the real agent scripts (real PowerShell over the lab's host model and
// files): create, delete, then create a VM of the same name again.
describe('real agent: create, delete, create the same name again', () => {
  let lab: Lab;
  let h: JobsHarness;
  let version: number;
  const finished = (r: JobRecord | undefined) => !!r && ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(r.state);
  const untilDone = async (id: string): Promise<JobRecord> => {
    await waitFor(() => finished(h.job(id)), 150_000, `job ${id} to finish`);
    return h.job(id)!;
  };
  const rowsNamed = (hostId: string, name: string): InventoryVm[] => h.snapshot().vms.filter((v) => v.hostId === hostId && v.name.toLowerCase() === name.toLowerCase());
  const output = (id: string) => h.lines(id).map((l) => l.text).join('\n');

  const create = async (hostId: string, name: string): Promise<JobRecord> => {
    const { job } = await h.ok<JobSubmitResponse>('jobs.submit', { schemaVersion: version, hostId, imageOsFamily: 'windows', fields: { ...windowsVmFields(name), imagePath: LAB_GOLDEN_IMAGES[0] } });
    const done = await untilDone(job.id);
    expect(done.state, `${JSON.stringify(done.error)}\n${output(job.id)}`).toBe('succeeded');
    await waitFor(() => rowsNamed(hostId, name).length === 1 && !rowsNamed(hostId, name)[0]!.placeholder, 20_000, `${name} in the inventory`);
    return done;
  };

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 1, seed: 34, clusters: 0, realAgent: true });
    const host = lab.host(lab.hosts[0]!.name);
    await host.setKnobs({ slowFactor: 0.01 });
    setJobKnobs(host, { actionMs: 200 });
    // The real inventory script runs in real PowerShell: slower than the harness's own wait.
    // The agent is put in place beforehand (deployment finds its version and leaves it): this test
    // is about create and delete, and the real installer is proven in test/e2e/real-agent.test.ts.
    for (const entry of readdirSync(path.join(repoRoot, 'agent'), { withFileTypes: true })) {
      if (entry.isFile()) host.files.put(`${INSTALL_DIR}\\${entry.name}`, readFileSync(path.join(repoRoot, 'agent', entry.name)));
    }
    h = await startJobsHarness(lab, []);
    await h.addHost(lab.hosts[0]!);
    await waitFor(() => h.snapshot().hosts.some((x) => x.sync.state === 'fresh'), 170_000, 'the host deployed and refreshed');
    host.files.put(`${INSTALL_DIR}\\WindowsProvisioning.iso`, 'lab stand-in for the provisioning ISO\n');
    version = (await h.ok<JobInputSchema>('jobs.schema', {})).version;
  }, 200_000);

  afterAll(async () => {
    await h?.close();
    await lab?.close();
  });

  test('delete with its disks, then the same name is created again', async () => {
    const hostId = h.hostIds.get(lab.hosts[0]!.name)!;
    const first = await create(hostId, 'again-01');
    const vm = rowsNamed(hostId, 'again-01')[0]!;
    const del = await h.ok<JobRecord>('vm.delete', { hostId, vmId: vm.vmId, deleteDisks: true, force: true, confirmName: vm.name });
    const deleted = await untilDone(del.id);
    expect(deleted.state, output(del.id)).toBe('succeeded');
    await waitFor(() => rowsNamed(hostId, 'again-01').length === 0, 20_000, 'again-01 gone from the inventory');
    expect(h.inventory.listPending()).toEqual([]);
    const second = await create(hostId, 'again-01');
    expect(second.vmId).not.toBe(first.vmId);
  }, 400_000);

  test('an empty folder left by an older agent is reused; a folder with kept disks refuses the name, naming it', async () => {
    const hostId = h.hostIds.get(lab.hosts[0]!.name)!;
    const host = lab.host(lab.hosts[0]!.name);
    // What Hyper-V leaves after a VM is removed: its folders, no files.
    for (const sub of ['Virtual Machines', 'Virtual Hard Disks']) mkdirSync(host.files.realPath(`D:\\VMs\\reuse-01\\${sub}`)!, { recursive: true });
    await create(hostId, 'reuse-01');
    const vm = rowsNamed(hostId, 'reuse-01')[0]!;
    const del = await h.ok<JobRecord>('vm.delete', { hostId, vmId: vm.vmId, deleteDisks: false, force: true, confirmName: vm.name });
    expect((await untilDone(del.id)).state, output(del.id)).toBe('succeeded');
    await waitFor(() => rowsNamed(hostId, 'reuse-01').length === 0, 20_000, 'reuse-01 gone from the inventory');
    // The disk the admin kept is never written over: the host refuses, saying where it is.
    const { job } = await h.ok<JobSubmitResponse>('jobs.submit', { schemaVersion: version, hostId, imageOsFamily: 'windows', fields: { ...windowsVmFields('reuse-01'), imagePath: LAB_GOLDEN_IMAGES[0] } });
    const refused = await untilDone(job.id);
    expect(refused.state).toBe('failed');
    expect(refused.error?.code).toBe('VM_EXISTS');
    expect(refused.error?.message).toMatch(/Folder D:[\\/]VMs[\\/]reuse-01 already exists and holds 1 file\(s\)/);
    expect(h.snapshot().vms.filter((v) => v.placeholder)).toEqual([]);
  }, 400_000);
});

