// Issue 15 items 2–4 and 6 (host side): every new VM operation once through the real agent in real
// PowerShell against the lab's simulated Hyper-V and FailoverClusters modules, with the refusals
// Hyper-V's rules call for, and the model checked afterwards. The scripts' allowed states are a
// copy of the app's one table of VM operations; the first test fails when they drift apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AgentOperationFailed, type AgentLogEntry } from '../../src/main/agent';
import { resolveAgentDir } from '../../src/main/deployment/scripts';
import { VM_EDIT_OPERATIONS, VM_OPERATION_DEFS } from '../../src/shared/contract/vm-operations';
import { setJobKnobs } from '../lab/agent/jobs';
import { settleVmPower } from '../lab/agent/power';
import { setHyperVSimKnobs } from '../lab/pwsh/hyperv-rpc';
import type { SimHost, SimVm, VmState } from '../lab';
import { startRealAgentLab, type RealAgentLab } from './support';

const failure = async (promise: Promise<unknown>): Promise<AgentOperationFailed> => {
  try {
    await promise;
  } catch (error) {
    return error as AgentOperationFailed;
  }
  throw new Error('the operation succeeded; a failure was expected');
};

/** Puts a VM in a settled state directly in the model (memory following), to spare a pwsh run. */
function putInState(host: SimHost, vm: SimVm, state: VmState): void {
  const from = vm.state;
  vm.state = state;
  settleVmPower(host.model, vm, from, state === 'Running' ? 'start' : 'turnoff');
}

test('the agent scripts allow exactly the states of the one table of VM operations, and dispatch every agent operation it names', () => {
  const entry = readFileSync(join(resolveAgentDir(), 'Invoke-AgentOperation.ps1'), 'utf8');
  const dispatched = new Set([...entry.matchAll(/^\s*'([\w.]+)'\s*=\s*@\{ File = '([\w.-]+\.ps1)'/gm)].map((m) => m[1]!));
  for (const def of Object.values(VM_OPERATION_DEFS)) expect(dispatched.has(def.agentOperation), def.agentOperation).toBe(true);
  const common = readFileSync(join(resolveAgentDir(), 'AetherV.Common.ps1'), 'utf8');
  const table = new Map<string, { allowed: string[]; verb: string }>();
  for (const m of common.matchAll(/^\s*'([\w.]+)'\s*=\s*@\{ Allowed = @\(([^)]*)\); Verb = '([^']+)' \}/gm)) {
    table.set(m[1]!, { allowed: [...m[2]!.matchAll(/'(\w+)'/g)].map((x) => x[1]!), verb: m[3]! });
  }
  expect([...table.keys()].sort()).toEqual([...VM_EDIT_OPERATIONS].sort());
  for (const op of VM_EDIT_OPERATIONS) {
    expect(table.get(op), op).toEqual({ allowed: [...VM_OPERATION_DEFS[op].allowed], verb: VM_OPERATION_DEFS[op].verb });
  }
});

describe('VM edits, checkpoints and moves in real PowerShell (cluster hv01+hv02, standalone hv03)', () => {
  let rig: RealAgentLab;
  let source: SimHost;
  let target: SimHost;
  const vmOn = (host: SimHost, pick: (vm: SimVm) => boolean) => {
    const vm = host.model.vms.find(pick);
    expect(vm, 'a VM of the needed kind in the model').toBeDefined();
    return vm!;
  };

  beforeAll(async () => {
    rig = await startRealAgentLab({ hosts: 3, vmsPerHost: 5, clusters: 1, seed: 15 });
    const clustered = rig.lab.hosts.filter((h) => h.cluster);
    source = rig.host(clustered[0]!.name);
    target = rig.host(clustered[1]!.name);
    for (const h of clustered) {
      rig.install(h.name);
      setJobKnobs(rig.host(h.name), { actionMs: 20, checkpointMs: 20, migrationMs: 300 });
    }
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  test('vm.update: processors and notes of an Off VM; processors of a Running VM refused with the reason', async () => {
    const off = vmOn(source, (v) => v.generation === 2);
    putInState(source, off, 'Off');
    off.processorCount = 2;
    const data = (await rig.invoke('vm.update', { vmId: off.id, processorCount: 4, notes: 'Owner: lab' })) as Record<string, unknown>;
    expect(data).toMatchObject({ vmId: off.id, vmName: off.name, state: 'Off', changed: ['processorCount', 'notes'] });
    expect([off.processorCount, off.notes]).toEqual([4, 'Owner: lab']);

    putInState(source, off, 'Running');
    const refused = await failure(rig.invoke('vm.update', { vmId: off.id, processorCount: 8 }));
    expect(refused.code).toBe('INVALID_STATE');
    expect(refused.message).toContain('Hyper-V cannot change the processors of a VM that is Running; it must be Off');
    expect(off.processorCount).toBe(4);
  }, 60_000);

  test('disks: a new 20 GB disk hot-added, expanded, removed with its file; another VM\'s disk refused', async () => {
    const vm = vmOn(source, (v) => v.generation === 2 && v.disks.length > 0);
    putInState(source, vm, 'Running');
    vm.checkpoints = [];
    const added = (await rig.invoke('disk.add', { vmId: vm.id, mode: 'new', sizeGb: 20 })) as Record<string, unknown>;
    expect(added).toMatchObject({ state: 'Running', sizeGb: 20, created: true });
    expect(added.path).toMatch(new RegExp(`\\\\${vm.name.replace(/[^\w-]/g, '.')}-disk\\d\\.vhdx$`));
    const disk = vm.disks.find((d) => d.id === added.diskId)!;
    expect(disk.capacityBytes).toBe(20 * 1024 ** 3);
    expect(source.files.exists(added.path as string)).toBe(true);

    expect(await rig.invoke('disk.expand', { vmId: vm.id, diskId: disk.id, sizeGb: 30 })).toMatchObject({ sizeGb: 30, path: added.path });
    expect(disk.capacityBytes).toBe(30 * 1024 ** 3);

    const other = vmOn(source, (v) => v.id !== vm.id && v.disks.length > 0);
    const inUse = await failure(rig.invoke('disk.add', { vmId: vm.id, mode: 'existing', path: other.disks[0]!.path }));
    expect([inUse.code, inUse.message]).toEqual(['DISK_IN_USE', expect.stringContaining(other.name)]);

    expect(await rig.invoke('disk.remove', { vmId: vm.id, diskId: disk.id, deleteFile: true })).toMatchObject({ fileDeleted: true, diskId: disk.id });
    expect(vm.disks.some((d) => d.id === disk.id)).toBe(false);
    expect(source.files.exists(added.path as string)).toBe(false);
  }, 60_000);

  test('network adapters: added with a VLAN and a static MAC, made untagged, removed', async () => {
    const vm = vmOn(source, (v) => v.generation === 1) ?? vmOn(source, () => true);
    putInState(source, vm, 'Off');
    const switchName = source.model.virtualSwitches[0]!;
    const nic = (await rig.invoke('nic.add', { vmId: vm.id, switchName, vlan: 42, macAddress: '00155DFE0001' })) as Record<string, unknown>;
    expect(nic).toMatchObject({ switchName, vlan: 42, macAddress: '00155DFE0001', name: 'Network Adapter', state: 'Off' });
    expect(vm.nics.find((n) => n.id === nic.nicId)).toMatchObject({ vlan: 42, switchName });
    expect(await rig.invoke('nic.update', { vmId: vm.id, nicId: nic.nicId, vlan: null })).toMatchObject({ nicId: nic.nicId, vlan: null });
    expect(vm.nics.find((n) => n.id === nic.nicId)!.vlan).toBeNull();
    await rig.invoke('nic.remove', { vmId: vm.id, nicId: nic.nicId });
    expect(vm.nics.some((n) => n.id === nic.nicId)).toBe(false);
  }, 60_000);

  test('checkpoints: create, the inventory\'s tree, apply refused while Running then applied (Saved), rename, delete a subtree', async () => {
    const vm = vmOn(source, (v) => v.generation === 2);
    putInState(source, vm, 'Running');
    vm.checkpoints = [];
    vm.parentCheckpointId = null;
    vm.checkpointType = 'Production';
    vm.guestUnresponsive = true;
    const failed = await failure(rig.invoke('checkpoint.create', { vmId: vm.id, name: 'app', type: 'production' }));
    expect([failed.code, failed.message]).toEqual(['CHECKPOINT_FAILED', expect.stringContaining('Production checkpoints cannot be created')]);
    // The VM's checkpoint setting is put back whatever happened.
    expect(vm.checkpointType).toBe('Production');
    vm.guestUnresponsive = false;

    const first = (await rig.invoke('checkpoint.create', { vmId: vm.id, name: 'before patch', type: 'standard' })) as Record<string, unknown>;
    expect(first).toMatchObject({ name: 'before patch', type: 'standard', state: 'Running', createdAt: expect.stringMatching(/Z$/) });
    const second = (await rig.invoke('checkpoint.create', { vmId: vm.id, name: 'after patch', type: 'production' })) as Record<string, unknown>;
    expect(vm.checkpoints!.map((c) => [c.id, c.parentId, c.type])).toEqual([
      [first.checkpointId, null, 'Standard'],
      [second.checkpointId, first.checkpointId, 'Production'],
    ]);
    expect(vm.checkpointType).toBe('Production');

    const inventory = (await rig.invoke('inventory')) as { VirtualMachines: Array<Record<string, unknown>>; Warnings: string[] };
    const row = inventory.VirtualMachines.find((r) => r.Id === vm.id)!;
    expect(row.ParentCheckpointId).toBe(second.checkpointId);
    expect(row.Checkpoints).toEqual([
      { Id: first.checkpointId, Name: 'before patch', ParentId: null, CreationTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/), Type: 'Standard' },
      { Id: second.checkpointId, Name: 'after patch', ParentId: first.checkpointId, CreationTime: expect.any(String), Type: 'Production' },
    ]);
    expect(inventory.Warnings).toEqual([]);
    // One failed checkpoint query is a warning; the VMs are all still reported.
    setHyperVSimKnobs(source, { failingMethods: ['snapshot.list'] });
    const degraded = (await rig.invoke('inventory')) as { VirtualMachines: Array<Record<string, unknown>>; Warnings: string[] };
    setHyperVSimKnobs(source, { failingMethods: [] });
    expect(degraded.VirtualMachines.map((r) => r.Id)).toEqual(inventory.VirtualMachines.map((r) => r.Id));
    expect(degraded.Warnings).toEqual([expect.stringContaining('Checkpoint query failed')]);
    expect(degraded.VirtualMachines.find((r) => r.Id === vm.id)!.Checkpoints).toBeUndefined();

    const running = await failure(rig.invoke('checkpoint.apply', { vmId: vm.id, checkpointId: first.checkpointId }));
    expect([running.code, running.message]).toEqual(['INVALID_STATE', expect.stringContaining('it must be Off or Saved')]);
    putInState(source, vm, 'Off');
    // A standard checkpoint of a running VM holds its memory: applying it leaves the VM Saved.
    expect(await rig.invoke('checkpoint.apply', { vmId: vm.id, checkpointId: first.checkpointId })).toMatchObject({ state: 'Saved', checkpointId: first.checkpointId });
    expect([vm.state, vm.parentCheckpointId]).toEqual(['Saved', first.checkpointId]);

    await rig.invoke('checkpoint.rename', { vmId: vm.id, checkpointId: second.checkpointId, name: 'patched' });
    expect(vm.checkpoints!.find((c) => c.id === second.checkpointId)!.name).toBe('patched');
    const deleted = (await rig.invoke('checkpoint.delete', { vmId: vm.id, checkpointId: first.checkpointId, subtree: true })) as Record<string, unknown>;
    expect(deleted.deleted).toEqual([first.checkpointId, second.checkpointId]);
    expect([vm.checkpoints, vm.parentCheckpointId]).toEqual([[], null]);
  }, 90_000);

  test('vm.move: live migration moves a running VM to the other node, memory following; live of an Off VM refused', async () => {
    const vm = vmOn(source, (v) => v.generation === 2);
    putInState(source, vm, 'Running');
    vm.isClustered = true;
    const [freeSource, freeTarget, assigned] = [source.model.memoryAvailableMiB, target.model.memoryAvailableMiB, vm.memoryAssignedMiB];
    const logs: AgentLogEntry[] = [];
    const data = await rig.invoke('vm.move', { vmId: vm.id, targetNode: target.computerName, migrationType: 'Live' }, { logs });
    expect(data).toMatchObject({ vmId: vm.id, state: 'Running', sourceNode: source.computerName, targetNode: target.computerName, migrationType: 'Live' });
    expect(source.model.vms).not.toContain(vm);
    expect(target.model.vms).toContain(vm);
    expect(vm.state).toBe('Running');
    expect([source.model.memoryAvailableMiB, target.model.memoryAvailableMiB]).toEqual([freeSource + assigned, freeTarget - assigned]);
    expect(logs.map((l) => l.message).join('\n')).toContain('Move-ClusterVirtualMachineRole -MigrationType Live');

    const off = vmOn(source, (v) => v.id !== vm.id);
    putInState(source, off, 'Off');
    off.isClustered = true;
    const live = await failure(rig.invoke('vm.move', { vmId: off.id, targetNode: target.computerName, migrationType: 'Live' }));
    expect([live.code, live.message]).toEqual(['INVALID_STATE', expect.stringContaining('a live migration needs the VM Running')]);
    expect(source.model.vms).toContain(off);
  }, 90_000);
});
