// Issue 15 items 2–4 and 6 (lab side): the TypeScript stand-in's hardware edits, checkpoints and
// moves follow Hyper-V's rules and the one table of VM operations, change the model the inventory
// reports, and refuse with the agent's codes. Cheap: in-memory hosts, timings scaled down.
import { describe, expect, test } from 'vitest';
import { VM_EDIT_OPERATIONS, VM_OPERATION_DEFS, type VmEditOperation } from '../../../src/shared/contract/vm-operations';
import { SimHost } from '../host';
import { generateLabModel } from '../model';
import type { SimVm, VmState } from '../model/types';
import { fullInventoryData } from './inventory';
import { jobOperations, setJobKnobs } from './jobs';
import { registerLabHosts } from './lab-hosts';
import { AgentOperationError, type AgentOperationContext } from './types';

function newCluster(seed: number): SimHost[] {
  const model = generateLabModel({ hosts: 3, vmsPerHost: 5, seed, clusters: 1 });
  const hosts = model.hosts.map((m, i) => new SimHost({ model: m, credentials: { username: 'a', password: 'b' }, allowUnencrypted: true, seed: seed + i }));
  registerLabHosts(hosts);
  for (const h of hosts) setJobKnobs(h, { actionMs: 5, editMs: 5, checkpointMs: 5, migrationMs: 40 });
  return hosts;
}

type Outcome = { ok: true; data: Record<string, unknown>; logs: string[] } | { ok: false; code: string; message: string; logs: string[] };

async function run(host: SimHost, operation: string, fields: Record<string, unknown>): Promise<Outcome> {
  const logs: string[] = [];
  const ctx: AgentOperationContext = {
    host,
    envelope: { operation, fields },
    signal: new AbortController().signal,
    log: (message) => void logs.push(message),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms * host.knobs.slowFactor)),
  };
  try {
    const data = (await jobOperations[operation]!(ctx)) as Record<string, unknown>;
    return { ok: true, data, logs };
  } catch (error) {
    if (!(error instanceof AgentOperationError)) throw error;
    return { ok: false, code: error.code, message: error.message, logs };
  }
}

async function ok(host: SimHost, operation: string, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await run(host, operation, fields);
  if (!r.ok) throw new Error(`${operation} failed: ${r.code} ${r.message}`);
  return r.data;
}

async function refused(host: SimHost, operation: string, fields: Record<string, unknown>, code: string): Promise<string> {
  const r = await run(host, operation, fields);
  expect(r.ok, `${operation} should be refused with ${code}`).toBe(false);
  if (r.ok) return '';
  expect(r.code, r.message).toBe(code);
  return r.message;
}

/** A VM of the host put in the given shape (the generated model varies). */
function vmOf(host: SimHost, index: number, shape: Partial<SimVm>): SimVm {
  const vm = host.model.vms[index]!;
  if (shape.state && shape.state !== vm.state) {
    // Keep the host's memory accounting right when the test changes the power state directly.
    const holding = (s: VmState) => !['Off', 'Saved'].includes(s);
    if (holding(vm.state) && !holding(shape.state)) {
      host.model.memoryAvailableMiB += vm.memoryAssignedMiB;
      vm.memoryAssignedMiB = 0;
    } else if (!holding(vm.state) && holding(shape.state)) {
      vm.memoryAssignedMiB = vm.memoryStartupMiB;
      host.model.memoryAvailableMiB -= vm.memoryAssignedMiB;
    }
  }
  Object.assign(vm, shape);
  return vm;
}

describe('hardware edits', () => {
  test('vm.update: processors need Off (the table says why), a running VM may only widen dynamic memory, notes in any state', async () => {
    const [host] = newCluster(501);
    const off = vmOf(host!, 0, { state: 'Off', processorCount: 2 });
    const data = await ok(host!, 'vm.update', { vmId: off.id, processorCount: 4, notes: 'raised' });
    expect(data).toMatchObject({ vmId: off.id, vmName: off.name, state: 'Off', changed: ['processorCount', 'notes'] });
    expect(off.processorCount).toBe(4);
    expect(off.notes).toBe('raised');

    const running = vmOf(host!, 1, { state: 'Running', dynamicMemoryEnabled: true, memoryStartupMiB: 2048, memoryMinimumMiB: 1024, memoryMaximumMiB: 4096, processorCount: 2 });
    const why = await refused(host!, 'vm.update', { vmId: running.id, processorCount: 8 }, 'INVALID_STATE');
    expect(why).toContain('Hyper-V cannot change the processors of a VM that is Running; it must be Off');
    expect(await refused(host!, 'vm.update', { vmId: running.id, memoryStartupMb: 4096, dynamicMemory: true }, 'INVALID_STATE')).toContain('startup memory');
    expect(await refused(host!, 'vm.update', { vmId: running.id, memoryMinimumMb: 1536 }, 'INVALID_STATE')).toContain('only be lowered');
    // The whole memory form, with only the minimum lowered and the maximum raised: applied.
    const widened = await ok(host!, 'vm.update', { vmId: running.id, memoryStartupMb: 2048, dynamicMemory: true, memoryMinimumMb: 512, memoryMaximumMb: 8192, memoryBufferPercent: 30 });
    expect(widened.changed).toEqual(['memoryMinimumMb', 'memoryMaximumMb', 'memoryBufferPercent']);
    expect([running.memoryMinimumMiB, running.memoryMaximumMiB, running.memoryBufferPercent, running.processorCount]).toEqual([512, 8192, 30, 2]);
    expect(await refused(host!, 'vm.update', { vmId: off.id, processorCount: 1000 }, 'INVALID_FIELDS')).toContain('processorCount');
    await refused(host!, 'vm.update', { vmId: '00000000-0000-0000-0000-000000000001', notes: 'x' }, 'VM_NOT_FOUND');
  });

  test('disks: add new and existing, expand, remove; never a disk another VM uses; Generation 1 needs Off', async () => {
    const [host, peer] = newCluster(502);
    const vm = vmOf(host!, 0, { state: 'Running', generation: 2, checkpoints: [], parentCheckpointId: null });
    const before = vm.disks.length;
    const added = await ok(host!, 'disk.add', { vmId: vm.id, mode: 'new', sizeGb: 20 });
    expect(added).toMatchObject({ state: 'Running', sizeGb: 20, created: true, path: `${vm.disks[0]!.path.replace(/\\[^\\]*$/, '')}\\${vm.name}-disk${before + 1}.vhdx` });
    expect(vm.disks).toHaveLength(before + 1);
    expect(host!.files.exists(added.path as string)).toBe(true);

    // Another VM's disk (on another node of the cluster: shared storage) is never attached twice.
    const other = peer!.model.vms[0]!;
    expect(await refused(host!, 'disk.add', { vmId: vm.id, mode: 'existing', path: other.disks[0]!.path }, 'DISK_IN_USE')).toContain(other.name);
    const gen1 = vmOf(host!, 1, { state: 'Running', generation: 1 });
    expect(await refused(host!, 'disk.add', { vmId: gen1.id, mode: 'new', sizeGb: 5 }, 'INVALID_STATE')).toContain('Generation 1');

    await refused(host!, 'disk.expand', { vmId: vm.id, diskId: added.diskId, sizeGb: 10 }, 'INVALID_FIELDS');
    expect(await ok(host!, 'disk.expand', { vmId: vm.id, diskId: added.diskId, sizeGb: 30 })).toMatchObject({ sizeGb: 30, diskId: added.diskId });
    expect(vm.disks.at(-1)!.capacityBytes).toBe(30 * 1024 ** 3);

    const removed = await ok(host!, 'disk.remove', { vmId: vm.id, diskId: added.diskId, deleteFile: false });
    expect(removed).toMatchObject({ fileDeleted: false, path: added.path });
    expect(vm.disks).toHaveLength(before);
    // The kept file attaches again, at its size.
    expect(await ok(host!, 'disk.add', { vmId: vm.id, mode: 'existing', path: added.path })).toMatchObject({ created: false, sizeGb: 30 });
    const again = vm.disks.at(-1)!;
    const deleted = await ok(host!, 'disk.remove', { vmId: vm.id, diskId: again.id, deleteFile: true });
    expect(deleted.fileDeleted).toBe(true);
    expect(host!.files.exists(added.path as string)).toBe(false);

    // A file two VMs share is never deleted: nothing changes.
    const sharer = vmOf(host!, 2, { state: 'Off' });
    sharer.disks.push({ ...vm.disks[0]!, id: `${vm.disks[0]!.id}-copy` });
    const disks = vm.disks.length;
    expect(await refused(host!, 'disk.remove', { vmId: vm.id, diskId: vm.disks[0]!.id, deleteFile: true }, 'DISK_IN_USE')).toContain(sharer.name);
    expect(vm.disks).toHaveLength(disks);
  });

  test('network adapters: switch must exist, a MAC in use is refused, VLAN set and cleared, removed', async () => {
    const [host] = newCluster(503);
    const vm = vmOf(host!, 0, { state: 'Off', generation: 1 });
    await refused(host!, 'nic.add', { vmId: vm.id, switchName: 'NoSuchSwitch', vlan: null, macAddress: null }, 'SWITCH_NOT_FOUND');
    const used = host!.model.vms.flatMap((v) => v.nics)[0]!.macAddress;
    await refused(host!, 'nic.add', { vmId: vm.id, switchName: host!.model.virtualSwitches[0], vlan: null, macAddress: used }, 'MAC_IN_USE');
    await refused(host!, 'nic.add', { vmId: vm.id, switchName: host!.model.virtualSwitches[0], vlan: null, macAddress: '00-15-5D-01-02-03' }, 'INVALID_FIELDS');
    const nic = await ok(host!, 'nic.add', { vmId: vm.id, switchName: host!.model.virtualSwitches[0]!.toUpperCase(), vlan: 42, macAddress: '00155DAABBCC' });
    expect(nic).toMatchObject({ switchName: host!.model.virtualSwitches[0], vlan: 42, macAddress: '00155DAABBCC', name: 'Network Adapter' });
    expect(await ok(host!, 'nic.update', { vmId: vm.id, nicId: nic.nicId, vlan: null })).toMatchObject({ nicId: nic.nicId, vlan: null });
    expect(vm.nics.find((n) => n.id === nic.nicId)!.vlan).toBeNull();
    vmOf(host!, 0, { state: 'Running' });
    expect(await refused(host!, 'nic.remove', { vmId: vm.id, nicId: nic.nicId }, 'INVALID_STATE')).toContain('Generation 1');
    vmOf(host!, 0, { state: 'Off' });
    await ok(host!, 'nic.remove', { vmId: vm.id, nicId: nic.nicId });
    expect(vm.nics.some((n) => n.id === nic.nicId)).toBe(false);
  });
});

describe('checkpoints', () => {
  test('create, apply (Saved when it holds memory), rename, delete a subtree; the inventory reports the tree', async () => {
    const [host] = newCluster(504);
    const vm = vmOf(host!, 0, { state: 'Running', processorCount: 2, guestUnresponsive: false, checkpoints: [], parentCheckpointId: null });
    const first = await ok(host!, 'checkpoint.create', { vmId: vm.id, name: 'before patch', type: 'standard' });
    expect(first).toMatchObject({ name: 'before patch', type: 'standard', state: 'Running' });
    const second = await ok(host!, 'checkpoint.create', { vmId: vm.id, name: 'app-consistent', type: 'production' });
    vm.guestUnresponsive = true;
    expect(await refused(host!, 'checkpoint.create', { vmId: vm.id, name: 'x', type: 'production' }, 'CHECKPOINT_FAILED')).toContain('Production checkpoints cannot be created');
    vm.guestUnresponsive = false;
    expect(vm.checkpoints!.map((c) => [c.name, c.parentId])).toEqual([['before patch', null], ['app-consistent', first.checkpointId]]);
    await refused(host!, 'disk.expand', { vmId: vm.id, diskId: vm.disks[0]!.id, sizeGb: 4000 }, 'DISK_HAS_CHECKPOINTS');

    expect(await refused(host!, 'checkpoint.apply', { vmId: vm.id, checkpointId: first.checkpointId }, 'INVALID_STATE')).toContain('must be Off or Saved');
    const freeBefore = host!.model.memoryAvailableMiB;
    await ok(host!, 'vm.action', { vmId: vm.id, action: 'turnoff' });
    expect(host!.model.memoryAvailableMiB).toBeGreaterThan(freeBefore);
    await ok(host!, 'vm.update', { vmId: vm.id, processorCount: 6 });
    expect(await ok(host!, 'checkpoint.apply', { vmId: vm.id, checkpointId: first.checkpointId })).toMatchObject({ state: 'Saved', checkpointId: first.checkpointId });
    expect(vm.processorCount).toBe(2);
    expect(vm.parentCheckpointId).toBe(first.checkpointId);
    await ok(host!, 'checkpoint.apply', { vmId: vm.id, checkpointId: second.checkpointId });
    expect(vm.state).toBe('Off');

    await ok(host!, 'checkpoint.rename', { vmId: vm.id, checkpointId: second.checkpointId, name: 'renamed' });
    const row = (fullInventoryData(host!).VirtualMachines as Array<Record<string, unknown>>).find((r) => r.Id === vm.id)!;
    expect(row.ParentCheckpointId).toBe(second.checkpointId);
    expect(row.Checkpoints).toEqual([
      { Id: first.checkpointId, Name: 'before patch', ParentId: null, CreationTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/), Type: 'Standard' },
      { Id: second.checkpointId, Name: 'renamed', ParentId: first.checkpointId, CreationTime: expect.any(String), Type: 'Production' },
    ]);

    const gone = await ok(host!, 'checkpoint.delete', { vmId: vm.id, checkpointId: first.checkpointId, subtree: true });
    expect(gone.deleted).toEqual([first.checkpointId, second.checkpointId]);
    expect(vm.checkpoints).toEqual([]);
    expect(vm.parentCheckpointId).toBeNull();
    const after = (fullInventoryData(host!).VirtualMachines as Array<Record<string, unknown>>).find((r) => r.Id === vm.id)!;
    expect(after.Checkpoints).toBeUndefined();
  });

  test('deleting one checkpoint merges it: its children move up to its parent', async () => {
    const [host] = newCluster(505);
    const vm = vmOf(host!, 0, { state: 'Off', checkpoints: [], parentCheckpointId: null });
    const a = await ok(host!, 'checkpoint.create', { vmId: vm.id, name: 'a', type: 'standard' });
    const b = await ok(host!, 'checkpoint.create', { vmId: vm.id, name: 'b', type: 'standard' });
    const c = await ok(host!, 'checkpoint.create', { vmId: vm.id, name: 'c', type: 'standard' });
    expect((await ok(host!, 'checkpoint.delete', { vmId: vm.id, checkpointId: b.checkpointId, subtree: false })).deleted).toEqual([b.checkpointId]);
    expect(vm.checkpoints!.find((x) => x.id === c.checkpointId)!.parentId).toBe(a.checkpointId);
    expect(vm.parentCheckpointId).toBe(c.checkpointId);
    await refused(host!, 'checkpoint.rename', { vmId: vm.id, checkpointId: b.checkpointId, name: 'x' }, 'INVALID_FIELDS');
  });
});

describe('moves', () => {
  test('live migration: the VM keeps running, leaves the source and appears on the target, memory follows', async () => {
    const [source, target] = newCluster(506);
    const vm = vmOf(source!, 0, { state: 'Running' });
    const [freeSource, freeTarget, assigned, booted] = [source!.model.memoryAvailableMiB, target!.model.memoryAvailableMiB, vm.memoryAssignedMiB, vm.bootedAt];
    const started = Date.now();
    const data = await ok(source!, 'vm.move', { vmId: vm.id, targetNode: target!.computerName, migrationType: 'Live' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(data).toMatchObject({ vmId: vm.id, state: 'Running', sourceNode: source!.computerName, targetNode: target!.computerName, migrationType: 'Live' });
    expect(source!.model.vms).not.toContain(vm);
    expect(target!.model.vms).toContain(vm);
    expect([source!.model.memoryAvailableMiB, target!.model.memoryAvailableMiB]).toEqual([freeSource + assigned, freeTarget - assigned]);
    expect(vm.bootedAt).toBe(booted);
  });

  test('quick migration saves, moves and resumes; refusals: live of an Off VM, a non-clustered VM, a node of no cluster', async () => {
    const [source, target, standalone] = newCluster(507);
    const vm = vmOf(source!, 0, { state: 'Running' });
    const data = await ok(source!, 'vm.move', { vmId: vm.id, targetNode: target!.name, migrationType: 'Quick' });
    expect(data).toMatchObject({ state: 'Running', migrationType: 'Quick' });
    expect(target!.model.vms).toContain(vm);
    expect(Date.parse(vm.bootedAt!)).toBeGreaterThan(Date.now() - 5000);

    const off = vmOf(source!, 1, { state: 'Off' });
    expect(await refused(source!, 'vm.move', { vmId: off.id, targetNode: target!.computerName, migrationType: 'Live' }, 'INVALID_STATE')).toContain('live migration needs the VM Running');
    expect(await refused(source!, 'vm.move', { vmId: off.id, targetNode: standalone!.computerName, migrationType: 'Quick' }, 'INVALID_FIELDS')).toContain('is not a node of cluster');
    off.isClustered = false;
    await refused(source!, 'vm.move', { vmId: off.id, targetNode: target!.computerName, migrationType: 'Quick' }, 'NOT_CLUSTERED');
  });
});

/** Minimal valid fields for each edit operation on `vm` (the matrix runs every operation in every settled state). */
function fieldsFor(op: VmEditOperation, host: SimHost, peer: SimHost, vm: SimVm): Record<string, unknown> {
  const checkpointId = vm.checkpoints?.[0]?.id;
  const all: Record<VmEditOperation, Record<string, unknown>> = {
    processors: { processorCount: vm.processorCount === 1 ? 2 : 1 },
    memory: { memoryMinimumMb: 256 },
    notes: { notes: `notes ${Date.now()}` },
    'disk.add': { mode: 'new', sizeGb: 1 },
    'disk.expand': { diskId: vm.disks[0]?.id, sizeGb: 6000 },
    'disk.remove': { diskId: vm.disks[0]?.id, deleteFile: false },
    'nic.add': { switchName: host.model.virtualSwitches[0], vlan: null, macAddress: null },
    'nic.update': { nicId: vm.nics[0]?.id, vlan: 7 },
    'nic.remove': { nicId: vm.nics[0]?.id },
    'checkpoint.create': { name: 'matrix', type: 'standard' },
    'checkpoint.apply': { checkpointId },
    'checkpoint.rename': { checkpointId, name: 'renamed' },
    'checkpoint.delete': { checkpointId, subtree: false },
    move: { targetNode: peer.computerName, migrationType: 'Quick' },
  };
  return all[op];
}

describe('the lab follows the one table of VM operations', () => {
  test('every edit operation runs in exactly the settled states the table allows (INVALID_STATE otherwise)', async () => {
    const [host, peer] = newCluster(508);
    const problems: string[] = [];
    for (const op of VM_EDIT_OPERATIONS) {
      for (const state of ['Running', 'Off', 'Saved', 'Paused'] as const) {
        // A fresh Generation 2 VM with dynamic memory, a disk, an adapter and a checkpoint, in `state`.
        const vm = vmOf(host!, 0, { generation: 2, dynamicMemoryEnabled: true, memoryMinimumMiB: 512, memoryStartupMiB: 1024, memoryMaximumMiB: 4096, checkpoints: [], parentCheckpointId: null });
        if (!host!.model.vms.includes(vm)) host!.model.vms.unshift(vm);
        vm.state = 'Off';
        vm.memoryAssignedMiB = 0;
        if (!vm.nics.length) vm.nics.push({ id: `Microsoft:${vm.id.toUpperCase()}\\NIC`, name: 'Network Adapter', switchName: null, vlan: null, macAddress: '00155D000001', ipAddresses: [] });
        await ok(host!, 'checkpoint.create', { vmId: vm.id, name: 'base', type: 'standard' });
        vmOf(host!, 0, { state });
        const def = VM_OPERATION_DEFS[op];
        const expected = (def.allowed as readonly string[]).includes(state);
        const fields = { vmId: vm.id, ...fieldsFor(op, host!, peer!, vm) };
        const r = await run(host!, def.agentOperation, fields);
        const stateRefused = !r.ok && r.code === 'INVALID_STATE';
        // Allowed: anything but a state refusal (another rule may still refuse, e.g. DISK_HAS_CHECKPOINTS).
        if (expected === stateRefused) problems.push(`${op} in ${state}: ${r.ok ? 'ran' : `${r.code} ${r.message}`}`);
        // A move takes the VM away: bring it back for the next case.
        if (op === 'move' && r.ok) {
          peer!.model.vms = peer!.model.vms.filter((v) => v !== vm);
          host!.model.vms.unshift(vm);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('generated checkpoints', () => {
  test('some VMs of a generated lab have a checkpoint chain, the same for the same seed, and the inventory reports it', () => {
    const once = generateLabModel({ hosts: 4, vmsPerHost: 20, seed: 9, clusters: 1 });
    const again = generateLabModel({ hosts: 4, vmsPerHost: 20, seed: 9, clusters: 1 });
    expect(again).toEqual(once);
    const vms = once.hosts.flatMap((h) => h.vms);
    const withCheckpoints = vms.filter((vm) => vm.checkpoints?.length);
    expect(withCheckpoints.length).toBeGreaterThan(2);
    expect(withCheckpoints.length).toBeLessThan(vms.length / 3);
    for (const vm of withCheckpoints) {
      const chain = vm.checkpoints!;
      expect(chain[0]!.parentId).toBeNull();
      for (let i = 1; i < chain.length; i++) expect(chain[i]!.parentId).toBe(chain[i - 1]!.id);
      expect(vm.parentCheckpointId).toBe(chain.at(-1)!.id);
      expect(Date.parse(chain[0]!.creationTime)).toBeGreaterThan(Date.parse(vm.creationTime));
    }
  });
});
