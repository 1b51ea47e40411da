import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, test } from 'vitest';
import { InventoryStore, migrate, SCHEMA_VERSION, schemaVersion, defaultSync, type FullInventoryInput } from '../../src/main/store';
import { tempDir } from '../support/temp';

const VM_A = '11111111-2222-3333-4444-555555555555';
const VM_B = '66666666-7777-8888-9999-000000000000';

function full(vms: Array<{ id: string; name: string; state?: 'Running' | 'Off' }>, complete = true): FullInventoryInput {
  return {
    host: { computerName: 'HV01', cluster: null, cpuCores: 32, memoryGb: 256, memoryAvailableGb: null, switches: null, warnings: [] },
    vms: vms.map((v) => ({
      vmId: v.id,
      name: v.name,
      state: v.state ?? 'Running',
      config: {
        processorCount: 2, memoryStartupMb: 4096, memoryMinMb: null, memoryMaxMb: null, dynamicMemory: false, generation: 2, configurationVersion: '10.0',
        notes: null, operatingSystem: 'Windows Server 2022 Datacenter', createdAt: '2024-01-01T00:00:00.0000000Z', clustered: false, ipAddresses: ['10.0.0.5'],
        disks: [{ id: 'd1', name: 'a.vhdx', path: 'C:\\VMs\\a.vhdx', type: 'Dynamic', capacityGb: 127, fileSizeGb: 12.5 }],
        nics: [{ id: 'n1', name: 'Network Adapter', switchName: 'vSwitch', vlan: 10, macAddress: '00155D000001', ipAddresses: ['10.0.0.5'], networkName: 'Prod' }],
      },
    })),
    observedAt: new Date().toISOString(),
    agentTimestamp: null,
    complete,
    keep: { nics: false, disks: false, os: false },
  };
}
const fresh = () => ({ ...defaultSync(), state: 'fresh' as const, lastSuccessAt: new Date().toISOString() });

describe('inventory store (node:sqlite, real files)', () => {
  const temps: Array<ReturnType<typeof tempDir>> = [];
  const newFile = () => {
    const t = tempDir();
    temps.push(t);
    return path.join(t.dir, 'inventory.db');
  };
  afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));

  test('numbered migrations upgrade an old file in place and keep its rows; WAL is on', () => {
    const file = newFile();
    const old = new DatabaseSync(file);
    expect(migrate(old, 1)).toEqual([1]);
    old.exec(`INSERT INTO hosts (host_id) VALUES ('h1'); INSERT INTO host_sync (host_id, state, generation) VALUES ('h1', 'fresh', 4)`);
    old.exec(`INSERT INTO vms VALUES ('h1', '${VM_A}', 'web-01', NULL, 4, NULL, '2024-01-01T00:00:00Z')`);
    old.exec(`INSERT INTO vm_hot (host_id, vm_id, state, observed_at) VALUES ('h1', '${VM_A}', 'Running', '2024-01-01T00:00:00Z')`);
    old.exec(`INSERT INTO vm_config (host_id, vm_id, dynamic_memory, clustered, ip_addresses, content_hash, updated_at) VALUES ('h1', '${VM_A}', 0, 0, '[]', 'x', '2024')`);
    old.exec(`INSERT INTO vm_nics (host_id, vm_id, position, nic_id, name, mac_address, ip_addresses) VALUES ('h1', '${VM_A}', 0, 'n', 'NIC', '00', '[]')`);
    old.close();

    const store = InventoryStore.open(file);
    expect(store.migrationsApplied).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    // Migration 5: a host from before agent 1.2.0 has no switch list yet (unknown, not "none").
    expect(store.host('h1')?.switches).toBeNull();
    // Migration 6: a VM from before agent 1.4.0 has no checkpoints (none, not "failed").
    expect(store.vm('h1', VM_A)).toMatchObject({ checkpointCount: 0, oldestCheckpointAt: null });
    expect(store.vmDetail('h1', VM_A)?.details).toMatchObject({ checkpoints: [], currentCheckpointId: null });
    expect(schemaVersion(store.db)).toBe(SCHEMA_VERSION);
    expect((store.db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    expect(store.snapshot().vms.map((v) => v.name)).toEqual(['web-01']);
    expect(store.vmDetail('h1', VM_A)?.details.nics.map((n) => n.name)).toEqual(['NIC']);
    expect(store.host('h1')?.sync.generation).toBe(4);
    store.close();
    // Opening again applies nothing.
    const again = InventoryStore.open(file);
    expect(again.migrationsApplied).toEqual([]);
    again.close();
  });

  test('a file from a newer app is refused with an actionable message (and kept)', () => {
    const file = newFile();
    const db = new DatabaseSync(file);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const store = InventoryStore.open(file);
    expect(store.recovered?.reason).toMatch(/newer than this app understands/);
    store.close();
  });

  test('partial enumeration deletes nothing; a complete one tombstones what it did not see; generations count complete ones', () => {
    const store = InventoryStore.open(newFile());
    store.syncConfiguredHosts([{ id: 'h1' }]);
    store.applyFull('h1', full([{ id: VM_A, name: 'a' }, { id: VM_B, name: 'b' }]), fresh());
    expect(store.host('h1')?.sync.generation).toBe(1);
    const partial = store.applyFull('h1', full([{ id: VM_A, name: 'a' }], false), fresh());
    expect(partial.vms.remove).toEqual([]);
    expect(store.host('h1')?.sync.generation).toBe(1);
    const complete = store.applyFull('h1', full([{ id: VM_A, name: 'a' }]), fresh());
    expect(complete.vms.remove).toEqual([`h1:${VM_B}`]);
    expect(store.host('h1')?.sync.generation).toBe(2);
    expect(store.tombstones('h1').map((t) => [t.vmId, t.name, t.generation])).toEqual([[VM_B, 'b', 2]]);
    store.close();
  });

  test('config is written only when its content hash changes; hot state only when it changes', () => {
    const store = InventoryStore.open(newFile());
    store.syncConfiguredHosts([{ id: 'h1' }]);
    store.applyFull('h1', full([{ id: VM_A, name: 'a' }]), fresh());
    const changes = () => (store.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    let before = changes();
    expect(store.applyFull('h1', full([{ id: VM_A, name: 'a' }]), fresh()).vms.upsert).toEqual([]);
    expect(changes() - before).toBe(1); // the host's sync row
    before = changes();
    const renamed = store.applyFull('h1', full([{ id: VM_A, name: 'a', state: 'Off' }]), fresh());
    expect(renamed.vms.upsert.map((v) => v.state)).toEqual(['Off']);
    expect(changes() - before).toBe(3); // sync row + vm_hot + the timeline entry of the state change
    const quick = { vmId: VM_A, name: 'a', state: 'Off' as const, uptimeS: 0, cpuPercent: 0, memoryAssignedMb: 0, memoryDemandMb: 0, heartbeat: null };
    const first = store.applyQuick('h1', { vms: [quick], observedAt: new Date().toISOString(), agentTimestamp: null, hostMemoryAvailableGb: null }, fresh());
    expect(first.delta.vms.upsert).toHaveLength(1);
    const second = store.applyQuick('h1', { vms: [quick, { ...quick, vmId: VM_B }], observedAt: new Date().toISOString(), agentTimestamp: null, hostMemoryAvailableGb: null }, fresh());
    expect(second.delta.vms.upsert).toHaveLength(0);
    expect(second.unknownVmIds).toEqual([VM_B]);
    store.close();
  });

  test('a full enumeration carries hot state (CPU, memory, uptime, heartbeat); one from an older agent keeps the stored values', () => {
    const store = InventoryStore.open(newFile());
    store.syncConfiguredHosts([{ id: 'h1' }]);
    const hot = { uptimeS: 3600, cpuPercent: 12, memoryAssignedMb: 4096, memoryDemandMb: 2900, heartbeat: 'OkApplicationsUnknown' };
    const withHot = (h: typeof hot) => {
      const input = full([{ id: VM_A, name: 'a' }]);
      input.vms[0]!.hot = h;
      return input;
    };
    // The first refresh already fills the CPU and memory columns: no wait for a quick sync.
    const first = store.applyFull('h1', withHot(hot), fresh());
    expect(first.vms.upsert[0]).toMatchObject({ cpuPercent: 12, memoryAssignedMb: 4096, memoryDemandMb: 2900, uptimeS: 3600, heartbeat: 'OkApplicationsUnknown' });
    const changes = () => (store.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    // The same values (uptime advanced with the clock) write nothing but the sync row.
    let before = changes();
    expect(store.applyFull('h1', withHot({ ...hot, uptimeS: 3601 }), fresh()).vms.upsert).toEqual([]);
    expect(changes() - before).toBe(1);
    before = changes();
    expect(store.applyFull('h1', withHot({ ...hot, cpuPercent: 80 }), fresh()).vms.upsert[0]!.cpuPercent).toBe(80);
    expect(changes() - before).toBe(2); // sync row + vm_hot
    // An agent older than 1.1.0 sends no hot state: the stored values stay, not erased to null.
    expect(store.applyFull('h1', full([{ id: VM_A, name: 'a' }]), fresh()).vms.upsert).toEqual([]);
    expect(store.snapshot().vms[0]).toMatchObject({ cpuPercent: 80, memoryAssignedMb: 4096 });
    store.close();
  });

  test("a quick sync updates the host's free memory (kept on file); one without the reading keeps the last", () => {
    const file = newFile();
    const store = InventoryStore.open(file);
    store.syncConfiguredHosts([{ id: 'h1' }]);
    const input = full([{ id: VM_A, name: 'a' }]);
    input.host.memoryAvailableGb = 100;
    store.applyFull('h1', input, fresh());
    expect(store.snapshot().hosts[0]!.memoryAvailableGb).toBe(100);
    const quick = (gb: number | null) => ({ vms: [], observedAt: new Date().toISOString(), agentTimestamp: null, hostMemoryAvailableGb: gb });
    const { delta } = store.applyQuick('h1', quick(92.5), fresh());
    expect(delta.hosts.upsert.map((h) => h.memoryAvailableGb)).toEqual([92.5]);
    store.applyQuick('h1', quick(null), fresh());
    expect(store.snapshot().hosts[0]!.memoryAvailableGb).toBe(92.5);
    store.close();
    const reopened = InventoryStore.open(file);
    expect(reopened.snapshot().hosts[0]!.memoryAvailableGb).toBe(92.5);
    reopened.close();
  });

  test('a host that fails keeps its VMs and they turn stale; everything survives a reopen', () => {
    const file = newFile();
    const store = InventoryStore.open(file);
    store.syncConfiguredHosts([{ id: 'h1' }]);
    store.applyFull('h1', full([{ id: VM_A, name: 'Überwachung-01' }]), fresh());
    const since = new Date().toISOString();
    const delta = store.setSync('h1', { ...store.host('h1')!.sync, state: 'error', lastError: 'connection refused', staleSince: since });
    expect(delta.vms.upsert.map((v) => [v.stale, v.staleSince])).toEqual([[true, since]]);
    const { placeholderId } = store.addPlaceholder({ hostId: 'h1', name: 'creating-01' });
    store.close();
    const reopened = InventoryStore.open(file);
    const snapshot = reopened.snapshot();
    expect(snapshot.vms.map((v) => [v.name, v.stale, v.placeholder]).sort()).toEqual([['creating-01', false, true], ['Überwachung-01', true, false]]);
    expect(snapshot.vms.find((v) => !v.placeholder)?.diskCount).toBe(1);
    // The failure notice's count: VMs only, never a placeholder, and none for a host it does not know.
    expect(reopened.vmCount('h1')).toBe(1);
    expect(reopened.vmCount('unknown')).toBe(0);
    expect(reopened.vmDetail('h1', VM_A)?.details.disks[0]?.capacityGb).toBe(127);
    reopened.removePlaceholder(placeholderId);
    expect(reopened.snapshot().vms).toHaveLength(1);
    reopened.close();
  });

  test('opened at start (staleUntilConfirmed), a host that was fresh is stale since its last success, on file too', () => {
    const file = newFile();
    const store = InventoryStore.open(file);
    store.syncConfiguredHosts([{ id: 'h1' }, { id: 'h2' }]);
    const success = fresh();
    store.applyFull('h1', full([{ id: VM_A, name: 'web-01' }]), success);
    store.setSync('h2', { ...defaultSync(), state: 'error', lastError: 'connection refused', staleSince: '2026-01-01T00:00:00.000Z' });
    store.close();

    const plain = InventoryStore.open(file); // a reopen without the option keeps the stored state
    expect(plain.host('h1')!.sync.state).toBe('fresh');
    expect(plain.snapshot().vms.map((v) => v.stale)).toEqual([false]);
    plain.close();

    const started = InventoryStore.open(file, () => new Date(), { staleUntilConfirmed: true });
    expect(started.host('h1')!.sync).toMatchObject({ state: 'stale', staleSince: success.lastSuccessAt });
    expect(started.host('h2')!.sync).toMatchObject({ state: 'error', staleSince: '2026-01-01T00:00:00.000Z' }); // untouched
    expect(started.snapshot().vms.map((v) => [v.name, v.stale, v.staleSince])).toEqual([['web-01', true, success.lastSuccessAt]]);
    started.close();
    const again = InventoryStore.open(file);
    expect(again.host('h1')!.sync.state).toBe('stale');
    again.close();
  });

  test('rows stay lean; inventory.vm details come from the file, and a failed NIC or disk query keeps the stored ones', () => {
    const file = newFile();
    const store = InventoryStore.open(file);
    store.syncConfiguredHosts([{ id: 'h1' }]);
    store.applyFull('h1', full([{ id: VM_A, name: 'a' }]), fresh());
    const row = store.vm('h1', VM_A)!;
    expect(row).not.toHaveProperty('disks');
    expect(row).not.toHaveProperty('nics');
    expect(row.diskCount).toBe(1);
    const before = store.vmDetail('h1', VM_A)!;
    expect(before.details).toEqual({
      memoryMinMb: null,
      memoryMaxMb: null,
      configurationVersion: '10.0',
      notes: null,
      disks: [{ id: 'd1', name: 'a.vhdx', path: 'C:\\VMs\\a.vhdx', type: 'Dynamic', capacityGb: 127, fileSizeGb: 12.5 }],
      nics: [{ id: 'n1', name: 'Network Adapter', switchName: 'vSwitch', vlan: 10, macAddress: '00155D000001', ipAddresses: ['10.0.0.5'] }],
      checkpoints: [],
      currentCheckpointId: null,
    });

    // The NIC and disk batch queries failed on the host: the agent sent none; the stored ones stay.
    const partial = full([{ id: VM_A, name: 'a' }]);
    partial.vms[0]!.config = { ...partial.vms[0]!.config, nics: [], disks: [], ipAddresses: [], notes: 'edited' };
    partial.keep = { nics: true, disks: true, os: false };
    const delta = store.applyFull('h1', partial, fresh());
    expect(delta.vms.upsert.map((v) => [v.ipAddresses, v.diskCount])).toEqual([[['10.0.0.5'], 1]]);
    const after = store.vmDetail('h1', VM_A)!;
    expect(after.details.notes).toBe('edited');
    expect(after.details.nics).toEqual(before.details.nics);
    expect(after.details.disks).toEqual(before.details.disks);
    expect(after.vm.detailsHash).not.toBe(before.vm.detailsHash);
    expect(store.vmDetail('h1', VM_B)).toBeUndefined();
    store.close();
  });
});
