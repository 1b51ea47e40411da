import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, expect, test } from 'vitest';
import { InventoryStore, migrate, defaultSync, type FullInventoryInput } from '../../src/main/store';
import { tempDir } from '../support/temp';

const VM_A = '11111111-2222-3333-4444-555555555555';

function full(cluster: string | null, vms: Array<{ id: string; name: string; clustered?: boolean }>, extra: Partial<FullInventoryInput['host']> = {}): FullInventoryInput {
  return {
    host: { computerName: 'HV', cluster, cpuCores: 8, memoryGb: 64, memoryAvailableGb: null, switches: null, warnings: [], ...extra },
    vms: vms.map((v) => ({
      vmId: v.id,
      name: v.name,
      state: 'Running' as const,
      config: {
        processorCount: 2, memoryStartupMb: 2048, memoryMinMb: null, memoryMaxMb: null, dynamicMemory: false, generation: 2, configurationVersion: '10.0',
        notes: null, operatingSystem: null, createdAt: null, clustered: v.clustered ?? false, ipAddresses: [], disks: [], nics: [],
      },
    })),
    observedAt: new Date().toISOString(),
    agentTimestamp: null,
    complete: true,
    keep: { nics: false, disks: false, os: false },
  };
}
const fresh = () => ({ ...defaultSync(), state: 'fresh' as const, lastSuccessAt: new Date().toISOString() });

const temps: Array<ReturnType<typeof tempDir>> = [];
const newFile = () => {
  const t = tempDir();
  temps.push(t);
  return path.join(t.dir, 'inventory.db');
};
afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));

test("a host's cluster is what it reports: set by its report, dropped when it reports none, kept when the lookup failed", () => {
  const file = newFile();
  const store = InventoryStore.open(file);
  store.syncConfiguredHosts([{ id: 'h1' }]);
  // Nothing typed in Settings reaches the store: before its first report a host is in no cluster.
  expect(store.host('h1')?.cluster).toBeNull();
  store.applyFull('h1', full('CLU-A', [{ id: VM_A, name: 'web-01', clustered: true }]), fresh());
  expect(store.snapshot().hosts[0]!.cluster).toBe('CLU-A');
  expect(store.counts().clusters).toBe(1);
  // The cluster service could not be asked: membership is unknown, not "none".
  store.applyFull('h1', full(null, [{ id: VM_A, name: 'web-01', clustered: true }], { clusterLookupFailed: true, warnings: ['Cluster lookup failed: RPC server unavailable'] }), fresh());
  expect(store.host('h1')?.cluster).toBe('CLU-A');
  // Re-pointed at a standalone host (same host entry, another machine): the old cluster goes.
  const delta = store.applyFull('h1', full(null, [{ id: VM_A, name: 'web-01' }]), fresh());
  expect(delta.hosts.upsert.map((h) => h.cluster)).toEqual([null]);
  expect(store.host('h1')?.cluster).toBeNull();
  expect(store.counts().clusters).toBe(0);
  expect(store.db.prepare('SELECT cluster FROM vms WHERE vm_id = ?').get(VM_A)).toEqual({ cluster: null });
  store.close();
  // And it stays gone after a restart.
  const reopened = InventoryStore.open(file);
  expect(reopened.host('h1')?.cluster).toBeNull();
  reopened.close();
});

test('migration 4 drops clusters seeded from Settings labels on hosts that never reported, and keeps reported ones', () => {
  const file = newFile();
  const old = new DatabaseSync(file);
  expect(migrate(old, 3)).toEqual([1, 2, 3]);
  old.exec(`INSERT INTO hosts (host_id, cluster) VALUES ('labelled', 'typed-label'), ('reported', 'CLU-B');
    INSERT INTO host_sync (host_id, state) VALUES ('labelled', 'never');
    INSERT INTO host_sync (host_id, state, last_success_at) VALUES ('reported', 'fresh', '2026-01-01T00:00:00Z')`);
  old.close();
  const store = InventoryStore.open(file);
  expect(store.migrationsApplied).toEqual([4, 5, 6, 7, 8, 9]);
  expect(store.host('labelled')?.cluster).toBeNull();
  expect(store.host('reported')?.cluster).toBe('CLU-B');
  store.close();
});

test('two cluster nodes listing the same VM ID are two rows; the row leaving a complete enumeration hands over to the other', () => {
  const store = InventoryStore.open(newFile());
  store.syncConfiguredHosts([{ id: 'h1' }, { id: 'h2' }]);
  for (let i = 0; i < 3; i++) {
    store.applyFull('h1', full('CL', [{ id: VM_A, name: 'app', clustered: true }]), fresh());
    store.applyFull('h2', full('CL', [{ id: VM_A, name: 'app-copy', clustered: false }]), fresh());
    expect(store.snapshot().vms.map((v) => `${v.key}=${v.name}`).sort()).toEqual([`h1:${VM_A}=app`, `h2:${VM_A}=app-copy`]);
  }
  store.applyFull('h1', full('CL', []), fresh());
  expect(store.snapshot().vms.map((v) => v.key)).toEqual([`h2:${VM_A}`]);
  expect(store.tombstones()).toEqual([]);
  store.close();
});
