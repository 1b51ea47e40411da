import { describe, expect, test } from 'vitest';
import { checkMoveTarget, checkVmOperationParams, vmOperationHost, type VmOperationDetails, type VmOperationHost, type VmOperationVm } from '../../src/shared/vm-operation-rules';

// The fact-based rules the backend refuses with and the renderer shows before submitting.
const vm = (over: Partial<VmOperationVm> = {}): VmOperationVm => ({
  vmId: 'vm-a',
  name: 'web-20',
  state: 'Off',
  generation: 2,
  processorCount: 2,
  memoryStartupMb: 4096,
  dynamicMemory: true,
  memoryAssignedMb: 4096,
  clustered: true,
  ...over,
});
const CP = '0b7a1c2d-3e4f-4a5b-8c6d-7e8f90a1b2c3';
const details = (over: Partial<VmOperationDetails> = {}): VmOperationDetails => ({
  memoryMinMb: 1024,
  memoryMaxMb: 8192,
  disks: [{ id: 'disk-1', name: 'web-20.vhdx', path: 'D:\\VMs\\web-20.vhdx', type: 'Dynamic', capacityGb: 40, fileSizeGb: 10 }],
  nics: [{ id: 'nic-1', name: 'Network Adapter', switchName: 'External', vlan: null, macAddress: '00155D000001', ipAddresses: [] }],
  checkpoints: [],
  ...over,
});
const host = (over: Partial<VmOperationHost> = {}): VmOperationHost => ({
  hostId: 'h1',
  name: 'hv01',
  logicalProcessors: 8,
  memoryMb: 65536,
  switches: ['External', 'Internal'],
  cluster: 'CLU-A',
  diskPaths: [
    { path: 'D:\\VMs\\web-20.vhdx', vmId: 'vm-a', vmName: 'web-20' },
    { path: 'D:\\VMs\\db-01.vhdx', vmId: 'vm-b', vmName: 'db-01' },
  ],
  macAddresses: [{ macAddress: '00155D00AA01', vmId: 'vm-b', vmName: 'db-01' }],
  moveCandidates: [
    { hostId: 'h1', name: 'hv01', connected: true, cluster: 'CLU-A', memoryAvailableMb: 30000 },
    { hostId: 'h2', name: 'hv02', connected: true, cluster: 'CLU-A', memoryAvailableMb: 30000 },
    { hostId: 'h3', name: 'hv03', connected: true, cluster: 'CLU-B', memoryAvailableMb: 30000 },
    { hostId: 'h4', name: 'hv04', connected: false, cluster: 'CLU-A', memoryAvailableMb: 30000 },
    { hostId: 'h5', name: 'hv05', connected: true, cluster: 'CLU-A', memoryAvailableMb: 2000 },
  ],
  ...over,
});

describe('checkVmOperationParams (src/shared/vm-operation-rules.ts)', () => {
  test('processors: at most the host has, and 64 on Generation 1', () => {
    expect(checkVmOperationParams(vm(), details(), host(), 'processors', { count: 8 })).toEqual({ ok: true });
    const tooMany = checkVmOperationParams(vm(), details(), host(), 'processors', { count: 16 });
    expect(tooMany).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', field: 'params.count' });
    expect(!tooMany.ok && tooMany.reason).toMatch(/web-20 on hv01: 16 processors is more than hv01 has \(8 logical processors\); choose 8 or fewer/);
    // A host that has not reported its processors is not judged.
    expect(checkVmOperationParams(vm(), details(), host({ logicalProcessors: null }), 'processors', { count: 16 })).toEqual({ ok: true });
    expect(checkVmOperationParams(vm({ generation: 1 }), details(), host({ logicalProcessors: 128 }), 'processors', { count: 65 })).toMatchObject({ ok: false, field: 'params.count' });
  });

  test('memory: startup within the host, minimum ≤ startup ≤ maximum, limits only with dynamic memory', () => {
    expect(checkVmOperationParams(vm(), details(), host(), 'memory', { startupMb: 8192, dynamic: true, minimumMb: 2048, maximumMb: 16384, bufferPercent: 20 })).toEqual({ ok: true });
    expect(checkVmOperationParams(vm(), details(), host(), 'memory', { startupMb: 131072, dynamic: false })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', field: 'params.startupMb' });
    expect(checkVmOperationParams(vm(), details(), host(), 'memory', { startupMb: 4096, dynamic: true, minimumMb: 8192 })).toMatchObject({ ok: false, field: 'params.minimumMb' });
    // The stored maximum (8192) is below the new startup memory: named as the maximum's problem.
    expect(checkVmOperationParams(vm(), details(), host(), 'memory', { startupMb: 16384, dynamic: true })).toMatchObject({ ok: false, field: 'params.maximumMb' });
    expect(checkVmOperationParams(vm(), details(), host(), 'memory', { startupMb: 4096, dynamic: false, bufferPercent: 20 })).toMatchObject({ ok: false, field: 'params.bufferPercent' });
  });

  test('memory on a running VM: startup and the dynamic switch need Off; minimum only lowered, maximum only raised', () => {
    const running = vm({ state: 'Running' });
    expect(checkVmOperationParams(running, details(), host(), 'memory', { startupMb: 4096, dynamic: true, minimumMb: 512, maximumMb: 16384, bufferPercent: 50 })).toEqual({ ok: true });
    const startup = checkVmOperationParams(running, details(), host(), 'memory', { startupMb: 8192, dynamic: true });
    expect(startup).toMatchObject({ ok: false, code: 'INVALID_STATE', field: 'params.startupMb' });
    expect(!startup.ok && startup.reason).toMatch(/only change while the VM is Off \(it is Running\); shut it down first/);
    expect(checkVmOperationParams(running, details(), host(), 'memory', { startupMb: 4096, dynamic: false })).toMatchObject({ ok: false, code: 'INVALID_STATE', field: 'params.dynamic' });
    expect(checkVmOperationParams(running, details(), host(), 'memory', { startupMb: 4096, dynamic: true, minimumMb: 2048 })).toMatchObject({ ok: false, code: 'INVALID_STATE', field: 'params.minimumMb' });
    expect(checkVmOperationParams(running, details(), host(), 'memory', { startupMb: 4096, dynamic: true, maximumMb: 6144 })).toMatchObject({ ok: false, code: 'INVALID_STATE', field: 'params.maximumMb' });
    // Nothing a running VM can change was given; a VM with static memory cannot change it running at all.
    expect(checkVmOperationParams(running, details(), host(), 'memory', { startupMb: 4096, dynamic: true })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    const fixed = checkVmOperationParams(vm({ state: 'Running', dynamicMemory: false }), details(), host(), 'memory', { startupMb: 4096, dynamic: false });
    expect(fixed).toMatchObject({ ok: false, code: 'INVALID_STATE' });
    expect(!fixed.ok && fixed.reason).toMatch(/without dynamic memory can only change its memory while it is Off/);
  });

  test('disk.add: an existing file must be a full .vhd(x) path used by no VM; Generation 1 needs Off', () => {
    expect(checkVmOperationParams(vm({ state: 'Running' }), details(), host(), 'disk.add', { mode: 'new', sizeGb: 20 })).toEqual({ ok: true });
    expect(checkVmOperationParams(vm(), details(), host(), 'disk.add', { mode: 'existing', path: 'E:\\Data\\free.vhdx' })).toEqual({ ok: true });
    const used = checkVmOperationParams(vm(), details(), host(), 'disk.add', { mode: 'existing', path: 'd:/vms/DB-01.vhdx' });
    expect(used).toMatchObject({ ok: false, code: 'DISK_IN_USE', field: 'params.path' });
    expect(!used.ok && used.reason).toContain('attached to db-01 on hv01');
    expect(checkVmOperationParams(vm(), details(), host(), 'disk.add', { mode: 'existing', path: 'D:\\VMs\\web-20.vhdx' })).toMatchObject({ ok: false, code: 'DISK_IN_USE' });
    // On cluster storage a peer node's VM counts too, named with its node.
    const peer = checkVmOperationParams(vm(), details(), host({ diskPaths: [{ path: 'C:\\ClusterStorage\\Volume1\\app.vhdx', vmId: 'vm-p', vmName: 'app-01', hostName: 'hv02' }] }), 'disk.add', { mode: 'existing', path: 'C:\\ClusterStorage\\Volume1\\app.vhdx' });
    expect(!peer.ok && peer.reason).toContain('attached to app-01 on hv02');
    expect(checkVmOperationParams(vm(), details(), host(), 'disk.add', { mode: 'existing', path: 'data.vhdx' })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', field: 'params.path' });
    expect(checkVmOperationParams(vm(), details(), host(), 'disk.add', { mode: 'existing', path: 'E:\\Data\\notes.txt' })).toMatchObject({ ok: false, field: 'params.path' });
    expect(checkVmOperationParams(vm(), details(), host(), 'disk.add', { mode: 'new', sizeGb: 20, folder: 'relative\\dir' })).toMatchObject({ ok: false, field: 'params.folder' });
    const gen1 = checkVmOperationParams(vm({ generation: 1, state: 'Running' }), details(), host(), 'disk.add', { mode: 'new', sizeGb: 20 });
    expect(gen1).toMatchObject({ ok: false, code: 'INVALID_STATE' });
    expect(!gen1.ok && gen1.reason).toMatch(/Generation 1 VM must be Off/);
  });

  test('disk.expand and disk.remove: the disk must exist; grow only; checkpoints block resizing and deleting the file', () => {
    expect(checkVmOperationParams(vm(), details(), host(), 'disk.expand', { diskId: 'DISK-1', sizeGb: 60 })).toEqual({ ok: true });
    expect(checkVmOperationParams(vm(), details(), host(), 'disk.expand', { diskId: 'disk-9', sizeGb: 60 })).toMatchObject({ ok: false, code: 'DISK_NOT_FOUND', field: 'params.diskId' });
    expect(checkVmOperationParams(vm(), details(), host(), 'disk.expand', { diskId: 'disk-1', sizeGb: 40 })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', field: 'params.sizeGb' });
    const withCheckpoint = details({ checkpoints: [{ id: CP, name: 'c', parentId: null, createdAt: '2026-01-01T00:00:00Z', type: 'Standard' }] });
    expect(checkVmOperationParams(vm(), withCheckpoint, host(), 'disk.expand', { diskId: 'disk-1', sizeGb: 60 })).toMatchObject({ ok: false, code: 'DISK_HAS_CHECKPOINTS' });
    expect(checkVmOperationParams(vm(), withCheckpoint, host(), 'disk.remove', { diskId: 'disk-1', deleteFile: true })).toMatchObject({ ok: false, code: 'DISK_HAS_CHECKPOINTS', field: 'params.deleteFile' });
    expect(checkVmOperationParams(vm(), withCheckpoint, host(), 'disk.remove', { diskId: 'disk-1', deleteFile: false })).toEqual({ ok: true });
    const shared = host({ diskPaths: [{ path: 'D:\\VMs\\web-20.vhdx', vmId: 'vm-c', vmName: 'web-21' }] });
    expect(checkVmOperationParams(vm(), details(), shared, 'disk.remove', { diskId: 'disk-1', deleteFile: true })).toMatchObject({ ok: false, code: 'DISK_IN_USE' });
    expect(checkVmOperationParams(vm({ generation: 1, state: 'Running' }), details(), host(), 'disk.remove', { diskId: 'disk-1', deleteFile: false })).toMatchObject({ ok: false, code: 'INVALID_STATE' });
  });

  test("nic.add / nic.update / nic.remove: the host's switches (unknown: not judged), unused unicast MACs, adapters that exist", () => {
    expect(checkVmOperationParams(vm({ state: 'Running' }), details(), host(), 'nic.add', { switchName: 'internal', vlan: 12, macAddress: null })).toEqual({ ok: true });
    const badSwitch = checkVmOperationParams(vm(), details(), host(), 'nic.add', { switchName: 'Lab', vlan: null, macAddress: null });
    expect(badSwitch).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', field: 'params.switchName' });
    expect(!badSwitch.ok && badSwitch.reason).toContain('its inventory reports External, Internal');
    expect(checkVmOperationParams(vm(), details(), host({ switches: null }), 'nic.add', { switchName: 'Lab', vlan: null, macAddress: null })).toEqual({ ok: true });
    expect(checkVmOperationParams(vm(), details(), host(), 'nic.add', { switchName: 'External', vlan: null, macAddress: '00-15-5d-00-aa-01' })).toMatchObject({ ok: false, code: 'MAC_IN_USE', field: 'params.macAddress' });
    expect(checkVmOperationParams(vm(), details(), host(), 'nic.add', { switchName: 'External', vlan: null, macAddress: '01:00:5E:00:00:01' })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect(checkVmOperationParams(vm(), details(), host(), 'nic.add', { switchName: 'External', vlan: null, macAddress: '00155D00BB02' })).toEqual({ ok: true });
    expect(checkVmOperationParams(vm({ generation: 1, state: 'Running' }), details(), host(), 'nic.add', { switchName: 'External', vlan: null, macAddress: null })).toMatchObject({ ok: false, code: 'INVALID_STATE' });
    expect(checkVmOperationParams(vm(), details(), host(), 'nic.update', { nicId: 'nic-1', vlan: null })).toEqual({ ok: true });
    expect(checkVmOperationParams(vm(), details(), host(), 'nic.update', { nicId: 'nic-1' })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect(checkVmOperationParams(vm(), details(), host(), 'nic.update', { nicId: 'nic-1', switchName: 'Nope' })).toMatchObject({ ok: false, field: 'params.switchName' });
    expect(checkVmOperationParams(vm(), details(), host(), 'nic.remove', { nicId: 'nic-7' })).toMatchObject({ ok: false, code: 'NIC_NOT_FOUND', field: 'params.nicId' });
  });

  test('checkpoints: apply, rename and delete name a checkpoint the VM has', () => {
    const withCheckpoint = details({ checkpoints: [{ id: CP, name: 'c', parentId: null, createdAt: '2026-01-01T00:00:00Z', type: 'Standard' }] });
    expect(checkVmOperationParams(vm(), withCheckpoint, host(), 'checkpoint.apply', { checkpointId: CP.toUpperCase() })).toEqual({ ok: true });
    expect(checkVmOperationParams(vm(), details(), host(), 'checkpoint.delete', { checkpointId: CP, subtree: false })).toMatchObject({ ok: false, code: 'CHECKPOINT_NOT_FOUND', field: 'params.checkpointId' });
    expect(checkVmOperationParams(vm(), details(), host(), 'checkpoint.create', { name: 'before patch', type: 'production' })).toEqual({ ok: true });
  });

  test('move: another connected node of the same cluster with the free memory the VM uses; live needs Running', () => {
    const running = vm({ state: 'Running' });
    expect(checkVmOperationParams(running, details(), host(), 'move', { targetHostId: 'h2', migrationType: 'live' })).toEqual({ ok: true });
    expect(checkVmOperationParams(vm({ state: 'Off' }), details(), host(), 'move', { targetHostId: 'h2', migrationType: 'live' })).toMatchObject({ ok: false, code: 'INVALID_STATE', field: 'params.migrationType' });
    expect(checkVmOperationParams(vm({ state: 'Off' }), details(), host(), 'move', { targetHostId: 'h2', migrationType: 'quick' })).toEqual({ ok: true });
    expect(checkVmOperationParams(running, details(), host(), 'move', { targetHostId: 'h1', migrationType: 'live' })).toMatchObject({ ok: false, code: 'TARGET_HOST_INVALID' });
    expect(checkVmOperationParams(running, details(), host(), 'move', { targetHostId: 'h3', migrationType: 'live' })).toMatchObject({ ok: false, code: 'TARGET_HOST_INVALID' });
    expect(checkVmOperationParams(running, details(), host(), 'move', { targetHostId: 'h4', migrationType: 'live' })).toMatchObject({ ok: false, code: 'TARGET_HOST_INVALID' });
    expect(checkVmOperationParams(running, details(), host(), 'move', { targetHostId: 'nope', migrationType: 'live' })).toMatchObject({ ok: false, code: 'TARGET_HOST_INVALID' });
    const memory = checkVmOperationParams(running, details(), host(), 'move', { targetHostId: 'h5', migrationType: 'live' });
    expect(memory).toMatchObject({ ok: false, code: 'INSUFFICIENT_MEMORY' });
    // Both figures, so the admin can compare.
    expect(!memory.ok && memory.reason).toMatch(/hv05 has 2000 MB free, less than the 4096 MB the VM uses/);
    expect(checkMoveTarget(vm({ clustered: false, state: 'Running' }), host(), undefined, 'live')).toMatchObject({ ok: false, code: 'NOT_CLUSTERED' });
  });

  test('vmOperationHost builds the host as backend and renderer both see it: reported facts only, move candidates from the host list', () => {
    const facts = [
      { hostId: 'h1', cpuCores: 16, memoryGb: 64, memoryAvailableGb: 20, switches: ['External'], cluster: 'CLU-A', sync: { lastSuccessAt: '2026-01-01T00:00:00Z' } },
      { hostId: 'h2', cpuCores: 16, memoryGb: 64, memoryAvailableGb: 1.5, switches: ['External'], cluster: 'CLU-A', sync: { lastSuccessAt: null } },
    ];
    const configured = [
      { id: 'h1', displayName: 'hv01', enabled: true, status: 'connected' as const },
      { id: 'h2', displayName: 'hv02', enabled: true, status: 'connected' as const },
      { id: 'h3', displayName: 'hv03', enabled: true, status: 'unreachable' as const },
    ];
    const built = vmOperationHost('h1', facts, configured);
    expect(built).toMatchObject({ hostId: 'h1', name: 'hv01', logicalProcessors: 16, memoryMb: 65536, switches: ['External'], cluster: 'CLU-A' });
    expect(built.moveCandidates).toEqual([
      { hostId: 'h1', name: 'hv01', connected: true, cluster: 'CLU-A', memoryAvailableMb: 20480 },
      { hostId: 'h2', name: 'hv02', connected: true, cluster: 'CLU-A', memoryAvailableMb: 1536 },
      { hostId: 'h3', name: 'hv03', connected: false, cluster: null, memoryAvailableMb: null },
    ]);
    // A switch list from a host that never completed an inventory is not its report.
    expect(vmOperationHost('h2', facts, configured).switches).toBeNull();
    // The agent not ready counts as not connected for a move target.
    expect(vmOperationHost('h1', facts, configured, { agentReady: (id) => id !== 'h2' }).moveCandidates?.[1]?.connected).toBe(false);
    const move = checkVmOperationParams(vm({ state: 'Running' }), details(), built, 'move', { targetHostId: 'h2', migrationType: 'live' });
    expect(!move.ok && move.reason).toMatch(/hv02 has 1536 MB free, less than the 4096 MB/);
  });
});
