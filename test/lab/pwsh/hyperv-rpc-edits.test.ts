// Issue 15: the simulated Hyper-V and FailoverClusters RPCs behind the new cmdlets keep Hyper-V's
// rules (checked here without PowerShell; test/agent-real/vm-edits.test.ts runs the cmdlets for real).
import { describe, expect, test } from 'vitest';
import { setJobKnobs } from '../agent/jobs';
import { registerLabHosts } from '../agent/lab-hosts';
import { SimHost } from '../host';
import { generateLabModel } from '../model';
import type { SimVm } from '../model/types';
import { handleHyperVRpc, HyperVRpcError } from './hyperv-rpc';

function newCluster(seed: number): SimHost[] {
  const model = generateLabModel({ hosts: 3, vmsPerHost: 4, seed, clusters: 1 });
  const hosts = model.hosts.map((m, i) => new SimHost({ model: m, credentials: { username: 'a', password: 'b' }, allowUnencrypted: true, seed: seed + i }));
  registerLabHosts(hosts);
  for (const h of hosts) setJobKnobs(h, { actionMs: 1, checkpointMs: 1, migrationMs: 30 });
  return hosts;
}

async function rpcError(promise: Promise<unknown>): Promise<HyperVRpcError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HyperVRpcError) return error;
    throw error;
  }
  throw new Error('the call succeeded; a Hyper-V error was expected');
}

const running = (host: SimHost): SimVm => {
  const vm = host.model.vms[0]!;
  if (vm.state !== 'Running') {
    vm.state = 'Running';
    vm.memoryAssignedMiB = vm.memoryStartupMiB;
    host.model.memoryAvailableMiB -= vm.memoryAssignedMiB;
  }
  return vm;
};

describe('checkpoints follow the VM\'s CheckpointType', () => {
  test('ProductionOnly fails when the guest does not answer, Production falls back to standard, Disabled fails', async () => {
    const [host] = newCluster(71);
    const vm = running(host!);
    vm.guestUnresponsive = true;
    vm.checkpointType = 'ProductionOnly';
    expect((await rpcError(handleHyperVRpc(host!, 'snapshot.create', { vmId: vm.id, name: 'x' }))).message).toContain('Production checkpoints cannot be created');
    vm.checkpointType = 'Production';
    expect(await handleHyperVRpc(host!, 'snapshot.create', { vmId: vm.id, name: 'fallback' })).toMatchObject({ snapshotType: 'Standard', state: 'Saved', parentSnapshotId: null });
    vm.checkpointType = 'Disabled';
    expect((await rpcError(handleHyperVRpc(host!, 'snapshot.create', { vmId: vm.id }))).message).toContain('Checkpoints are disabled');
    // A disk under a checkpoint is the parent of a chain: it cannot be resized.
    expect((await rpcError(handleHyperVRpc(host!, 'vhd.resize', { path: vm.disks[0]!.path, sizeBytes: 8000 * 1024 ** 3 }))).kind).toBe('InvalidState');
    const facts = (await handleHyperVRpc(host!, 'vm.list', { ids: [vm.id] })) as Array<Record<string, unknown>>;
    expect(facts[0]).toMatchObject({ parentSnapshotId: vm.checkpoints![0]!.id, parentSnapshotName: 'fallback', checkpointType: 'Disabled' });
  });
});

describe('disks, adapters and moves', () => {
  test('a disk file another VM of the cluster uses is never attached; IDE and Generation 1 adapters need the VM Off', async () => {
    const [host, peer] = newCluster(72);
    const vm = host!.model.vms[1]!;
    vm.state = 'Off';
    vm.generation = 2;
    expect((await rpcError(handleHyperVRpc(host!, 'drive.add', { vmId: vm.id, path: peer!.model.vms[0]!.disks[0]!.path }))).message).toContain('being used by another process');
    const gen1 = running(host!);
    gen1.generation = 1;
    expect((await rpcError(handleHyperVRpc(host!, 'nic.add', { vmId: gen1.id, switchName: host!.model.virtualSwitches[0] }))).kind).toBe('InvalidState');
    host!.files.put('D:\\Disks\\spare.vhdx', 'x');
    expect((await rpcError(handleHyperVRpc(host!, 'drive.add', { vmId: gen1.id, path: 'D:\\Disks\\spare.vhdx' }))).kind).toBe('InvalidState');
  });

  test('cluster.moveVm: live needs Running; the VM and its memory move to the target node, which Get-ClusterNode lists', async () => {
    const [host, peer, standalone] = newCluster(73);
    const cluster = (await handleHyperVRpc(host!, 'cluster.get', {})) as { nodes: Array<{ name: string }> };
    expect(cluster.nodes.map((n) => n.name)).toEqual([host!.model.name, peer!.model.name]);
    const off = host!.model.vms[1]!;
    off.state = 'Off';
    off.memoryAssignedMiB = 0;
    expect((await rpcError(handleHyperVRpc(host!, 'cluster.moveVm', { vmId: off.id, node: peer!.model.name, migrationType: 'Live' }))).kind).toBe('InvalidState');
    expect((await rpcError(handleHyperVRpc(host!, 'cluster.moveVm', { vmId: off.id, node: standalone!.model.name, migrationType: 'Quick' }))).kind).toBe('NotFound');
    const vm = running(host!);
    const [free, peerFree] = [host!.model.memoryAvailableMiB, peer!.model.memoryAvailableMiB];
    expect(await handleHyperVRpc(host!, 'cluster.moveVm', { vmId: vm.id, node: peer!.computerName, migrationType: 'Live' })).toMatchObject({ ownerNode: peer!.model.name, vmId: vm.id });
    expect([host!.model.vms.includes(vm), peer!.model.vms.includes(vm), vm.state]).toEqual([false, true, 'Running']);
    expect([host!.model.memoryAvailableMiB, peer!.model.memoryAvailableMiB]).toEqual([free + vm.memoryAssignedMiB, peerFree - vm.memoryAssignedMiB]);
  });
});
