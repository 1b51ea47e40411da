// Schema 8: when a VM's observed state and heartbeat last changed, kept by every refresh, surviving
// a restart; rows from before the upgrade start from their observed_at. And the host's default VM
// version, kept when a later report lacks it.
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, test } from 'vitest';
import { HygieneFacts } from '../../src/main/hygiene';
import { InventoryStore, defaultSync, migrate, type FullInventoryInput } from '../../src/main/store';
import { tempDir } from '../support/temp';

const VM = '11111111-2222-3333-4444-555555555555';
const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 12, minute)).toISOString();
const fresh = () => ({ ...defaultSync(), state: 'fresh' as const, lastSuccessAt: at(0) });

function full(observedAt: string, state: 'Running' | 'Saved', heartbeat: string | null, defaultVmVersion?: string | null): FullInventoryInput {
  return {
    host: { computerName: 'HV01', cluster: null, cpuCores: 8, memoryGb: 64, memoryAvailableGb: null, switches: null, warnings: [], ...(defaultVmVersion !== undefined ? { defaultVmVersion } : {}) },
    vms: [{
      vmId: VM, name: 'web-01', state,
      hot: { uptimeS: null, cpuPercent: Math.random() * 50, memoryAssignedMb: 2048, memoryDemandMb: 1024, heartbeat },
      config: {
        processorCount: 2, memoryStartupMb: 2048, memoryMinMb: 512, memoryMaxMb: 8192, dynamicMemory: true, generation: 2, configurationVersion: '9.0',
        notes: null, operatingSystem: null, createdAt: null, clustered: false, ipAddresses: [], disks: [],
        nics: [{ id: 'n1', name: 'Network Adapter', switchName: 'vSwitch', vlan: null, macAddress: '00155D000001', ipAddresses: [], networkName: null }],
      },
    }],
    observedAt, agentTimestamp: null, complete: true, keep: { nics: false, disks: false, os: false },
  };
}

describe('state and heartbeat since (schema 8)', () => {
  const temps: Array<ReturnType<typeof tempDir>> = [];
  afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));
  const newFile = () => {
    const t = tempDir();
    temps.push(t);
    return path.join(t.dir, 'inventory.db');
  };
  const factsOf = (store: InventoryStore) => new HygieneFacts(store).gather((id) => id);

  test('a CPU reading moves observedAt, not the since-times; a new state or heartbeat moves its own; both survive a restart', () => {
    const file = newFile();
    let store = InventoryStore.open(file);
    store.syncConfiguredHosts([{ id: 'h1' }]);
    store.applyFull('h1', full(at(0), 'Running', 'OkApplicationsHealthy', '10.0'), fresh());
    store.applyFull('h1', full(at(5), 'Running', 'OkApplicationsHealthy'), fresh());
    let [vm] = factsOf(store).vms;
    expect(vm).toMatchObject({ stateSince: at(0), heartbeatSince: at(0), configurationVersion: '9.0', memoryMaxMb: 8192, macAddresses: ['00155D000001'] });
    store.applyFull('h1', full(at(7), 'Running', 'LostCommunication'), fresh());
    store.applyQuick('h1', { vms: [{ vmId: VM, name: 'web-01', state: 'Saved', uptimeS: null, cpuPercent: null, memoryAssignedMb: null, memoryDemandMb: null, heartbeat: 'LostCommunication' }], hostMemoryAvailableGb: null, observedAt: at(9), agentTimestamp: null }, fresh());
    [vm] = factsOf(store).vms;
    expect(vm).toMatchObject({ state: 'Saved', stateSince: at(9), heartbeatSince: at(7) });
    store.close();
    store = InventoryStore.open(file);
    const facts = factsOf(store);
    expect(facts.vms[0]).toMatchObject({ stateSince: at(9), heartbeatSince: at(7) });
    // The agent of the next report did not say its default version: the known one stays.
    expect(facts.hosts.get('h1')!.defaultVmVersion).toBe('10.0');
    store.close();
  });

  test('rows written before schema 8 take their observed_at as the time their state began', () => {
    const file = newFile();
    const db = new DatabaseSync(file);
    migrate(db, 7);
    db.exec(`INSERT INTO hosts (host_id) VALUES ('h1'); INSERT INTO host_sync (host_id, state) VALUES ('h1', 'fresh');
      INSERT INTO vms (host_id, vm_id, name, changed_gen, first_seen_at) VALUES ('h1', '${VM}', 'old', 1, '${at(0)}');
      INSERT INTO vm_hot (host_id, vm_id, state, heartbeat, observed_at) VALUES ('h1', '${VM}', 'Saved', NULL, '${at(3)}');
      INSERT INTO vm_config (host_id, vm_id, dynamic_memory, clustered, ip_addresses, content_hash, updated_at) VALUES ('h1', '${VM}', 0, 0, '[]', 'x', '${at(0)}');`);
    db.close();
    const store = InventoryStore.open(file);
    expect(store.migrationsApplied).toContain(8);
    expect(factsOf(store).vms[0]).toMatchObject({ state: 'Saved', stateSince: at(3), heartbeatSince: at(3) });
    store.close();
  });
});
