import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { InventoryStore, defaultSync, type FullInventoryInput } from '../../src/main/store';
import { tempDir } from '../support/temp';

// Issue 12 item 6: a deleted VM must leave no pending operation behind, in memory or on disk.
const VM_A = '11111111-2222-3333-4444-555555555555';
const temps: Array<ReturnType<typeof tempDir>> = [];
afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));

function full(vms: Array<{ id: string; name: string; clustered?: boolean }>, cluster: string | null = null): FullInventoryInput {
  return {
    host: { computerName: 'HV01', cluster, cpuCores: 8, memoryGb: 64, memoryAvailableGb: null, switches: null, warnings: [] },
    vms: vms.map((v) => ({
      vmId: v.id,
      name: v.name,
      state: 'Off',
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
const deleteOp = (hostId: string) => ({ hostId, vmId: VM_A, action: 'delete' as const, desiredState: null, requestedAt: new Date().toISOString(), deadline: new Date(Date.now() + 60_000).toISOString(), jobId: 'job-1' });

function newStore(): { store: InventoryStore; file: string } {
  const t = tempDir();
  temps.push(t);
  const file = path.join(t.dir, 'inventory.db');
  return { store: InventoryStore.open(file), file };
}

test('a complete enumeration without the deleted VM ends its pending delete, also after a reopen', () => {
  const { store, file } = newStore();
  store.syncConfiguredHosts([{ id: 'h1' }]);
  store.applyFull('h1', full([{ id: VM_A, name: 'gone-01' }]), fresh());
  store.addPending(deleteOp('h1'));
  expect(store.listPending()).toHaveLength(1);
  store.applyFull('h1', full([]), fresh());
  expect(store.listPending()).toEqual([]);
  store.close();
  const reopened = InventoryStore.open(file);
  expect(reopened.listPending()).toEqual([]);
  expect(reopened.tombstones('h1').map((t) => t.name)).toEqual(['gone-01']);
  reopened.close();
});

test('a clustered VM that no peer took over (deleted) ends its pending delete on disk too', () => {
  const { store, file } = newStore();
  store.syncConfiguredHosts([{ id: 'h1' }, { id: 'h2' }]);
  store.applyFull('h1', full([{ id: VM_A, name: 'gone-02', clustered: true }], 'CL'), fresh());
  store.addPending(deleteOp('h1'));
  store.applyFull('h1', full([], 'CL'), fresh());
  expect(store.missingClustered('h1')).toEqual([VM_A]);
  store.applyFull('h2', full([], 'CL'), fresh());
  store.settleMissing('h1');
  expect(store.listPending()).toEqual([]);
  store.close();
  const reopened = InventoryStore.open(file);
  expect(reopened.listPending()).toEqual([]);
  reopened.close();
});
