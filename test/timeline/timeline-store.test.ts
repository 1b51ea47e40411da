import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { InventoryStore, defaultSync, type FullInventoryInput, type FullVmInput } from '../../src/main/store';
import { ENTRIES_PER_VM } from '../../src/main/timeline/timeline-store';
import { tempDir } from '../support/temp';

// Issue 16 item 5: what the inventory store saw change, written with the refresh that saw it.
const temps: Array<ReturnType<typeof tempDir>> = [];
afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));

const VM = '0b7a1c2d-3e4f-4a5b-8c6d-7e8f90a1b2c3';
const fresh = () => ({ ...defaultSync(), state: 'fresh' as const, lastSuccessAt: new Date().toISOString() });

function vm(over: Partial<FullVmInput['config']> = {}, state: FullVmInput['state'] = 'Running'): FullVmInput {
  return {
    vmId: VM,
    name: 'web-20',
    state,
    config: {
      processorCount: 2, memoryStartupMb: 2048, memoryMinMb: null, memoryMaxMb: null, dynamicMemory: false, generation: 2, configurationVersion: '10.0', notes: null,
      operatingSystem: null, createdAt: null, clustered: false, ipAddresses: [],
      disks: [{ id: 'd1', name: 'os', path: 'C:\\VMs\\web-20\\os.vhdx', type: 'Dynamic', capacityGb: 40, fileSizeGb: 10 }],
      nics: [{ id: 'n1', name: 'Network Adapter', switchName: 'LAN', vlan: null, macAddress: '00155D000001', ipAddresses: [], networkName: null }],
      ...over,
    },
  };
}

function listing(vms: FullVmInput[], observedAt = new Date().toISOString()): FullInventoryInput {
  return { host: { computerName: 'HV', cluster: null, cpuCores: 8, memoryGb: 64, memoryAvailableGb: 32, switches: null, warnings: [] }, vms, observedAt, agentTimestamp: null, complete: true, keep: { nics: false, disks: false, os: false } };
}

function open(now?: () => Date): { store: InventoryStore; file: string } {
  const t = tempDir();
  temps.push(t);
  const file = path.join(t.dir, 'inventory.db');
  const store = InventoryStore.open(file, now);
  store.syncConfiguredHosts([{ id: 'h1' }]);
  return { store, file };
}

const words = (store: InventoryStore) => store.timeline.vm(VM, 100).entries.map((e) => [e.kind, e.field, e.from, e.to, e.sync]);

describe('VM timeline entries', () => {
  test("the host's first inventory records nothing; later changes record old → new with the sync that saw them", () => {
    const { store } = open();
    store.applyFull('h1', listing([vm()]), fresh());
    expect(words(store)).toEqual([]);
    store.applyQuick('h1', { vms: [{ vmId: VM, name: 'web-20', state: 'Off', uptimeS: null, cpuPercent: null, memoryAssignedMb: null, memoryDemandMb: null, heartbeat: null }], hostMemoryAvailableGb: null, observedAt: new Date().toISOString(), agentTimestamp: null }, fresh());
    expect(words(store)).toEqual([['state', 'state', 'Running', 'Off', 'quick']]);
    store.applyFull(
      'h1',
      listing([
        vm(
          {
            processorCount: 4,
            memoryStartupMb: 4096,
            notes: 'password=hunter2 is not a secret we store',
            disks: [
              { id: 'd1', name: 'os', path: 'C:\\VMs\\web-20\\os.vhdx', type: 'Dynamic', capacityGb: 60, fileSizeGb: 10 },
              { id: 'd2', name: 'data', path: 'C:\\VMs\\web-20\\data.vhdx', type: 'Dynamic', capacityGb: 100, fileSizeGb: 1 },
            ],
            nics: [{ id: 'n1', name: 'Network Adapter', switchName: 'DMZ', vlan: 12, macAddress: '00155D000001', ipAddresses: [], networkName: null }],
            checkpoints: [{ id: 'c1', name: 'before patch', parentId: null, createdAt: '2026-01-01T00:00:00Z', type: 'Standard' }],
          },
          'Off',
        ),
      ]),
      fresh(),
    );
    const entries = store.timeline.vm(VM, 100).entries;
    const fullSync = entries.filter((e) => e.sync === 'full').map((e) => [e.field, e.from, e.to]);
    expect(fullSync).toEqual(
      expect.arrayContaining([
        ['processors', '2', '4'],
        ['startupMemory', '2 GB', '4 GB'],
        ['diskSize', 'C:\\VMs\\web-20\\os.vhdx 40 GB', '60 GB'],
        ['disk', null, 'C:\\VMs\\web-20\\data.vhdx (100 GB)'],
        ['nicSwitch', 'Network Adapter: LAN', 'DMZ'],
        ['nicVlan', 'Network Adapter: none', '12'],
        ['checkpoint', null, 'before patch'],
      ]),
    );
    expect(fullSync.find((c) => c[0] === 'notes')).toBeDefined();
    expect(entries.every((e) => e.hostId === 'h1' && e.vmName === 'web-20')).toBe(true);
    store.close();
  });

  test('a VM removed and one appearing on a host already inventoried are recorded; paging goes back in time', () => {
    const { store } = open();
    store.applyFull('h1', listing([]), fresh());
    store.applyFull('h1', listing([vm()]), fresh());
    store.applyFull('h1', listing([]), fresh());
    expect(words(store)).toEqual([
      ['removed', null, null, null, 'full'],
      ['appeared', null, null, null, 'full'],
    ]);
    const first = store.timeline.vm(VM, 1);
    expect(first).toMatchObject({ more: true, entries: [{ kind: 'removed' }] });
    const second = store.timeline.vm(VM, 1, first.entries[0]!.id);
    expect(second).toMatchObject({ more: false, entries: [{ kind: 'appeared' }] });
    store.close();
  });

  test('pending operations: requested, then confirmed by the state a sync saw', () => {
    const { store } = open();
    store.applyFull('h1', listing([vm()]), fresh());
    const now = Date.now();
    store.addPending({ hostId: 'h1', vmId: VM, action: 'stop', desiredState: 'Off', requestedAt: new Date(now).toISOString(), deadline: new Date(now + 60_000).toISOString(), jobId: 'job-1' });
    store.applyQuick('h1', { vms: [{ vmId: VM, name: 'web-20', state: 'Off', uptimeS: null, cpuPercent: null, memoryAssignedMb: null, memoryDemandMb: null, heartbeat: null }], hostMemoryAvailableGb: null, observedAt: new Date().toISOString(), agentTimestamp: null }, fresh());
    expect(words(store)).toEqual(
      expect.arrayContaining([
        ['pending', 'stop', 'Off', 'requested', null],
        ['pending', 'stop', 'Off', 'confirmed', 'quick'],
        ['state', 'state', 'Running', 'Off', 'quick'],
      ]),
    );
    store.close();
  });

  test('a pending operation past its deadline records "no confirmation" once', () => {
    const { store } = open();
    store.applyFull('h1', listing([vm()]), fresh());
    const now = Date.now();
    const op = { hostId: 'h1', vmId: VM, action: 'start', desiredState: 'Running', requestedAt: new Date(now - 120_000).toISOString(), deadline: new Date(now + 60_000).toISOString() };
    const { opId } = store.addPending(op);
    store.addPending({ ...op, opId, deadline: new Date(now - 1000).toISOString() });
    store.addPending({ ...op, opId, deadline: new Date(now - 1000).toISOString() });
    expect(words(store).filter((w) => w[3] === 'no confirmation')).toHaveLength(1);
    store.close();
  });
});

describe('host timeline entries', () => {
  test('a sync failure and its recovery; a cluster membership change', () => {
    const { store } = open();
    store.applyFull('h1', listing([vm()]), fresh());
    store.setSync('h1', { ...fresh(), state: 'error', consecutiveFailures: 1, lastError: 'WinRM refused: password=hunter2' });
    store.setSync('h1', { ...fresh(), state: 'error', consecutiveFailures: 2, lastError: 'again' });
    store.applyFull('h1', { ...listing([vm()]), host: { ...listing([]).host, cluster: 'CLU-A' } }, fresh());
    const entries = store.timeline.host('h1', 10).entries;
    expect(entries.map((e) => e.kind)).toEqual(['cluster', 'sync-recovered', 'sync-failed']);
    expect(entries[0]).toMatchObject({ from: null, to: 'CLU-A' });
    expect(entries[1]!.detail).toBe('after 2 failed attempts');
    expect(entries[2]!.detail).toContain('WinRM refused');
    expect(entries[2]!.detail).not.toContain('hunter2');
    // Host events are not VM events.
    expect(store.timeline.vm(VM, 10).entries).toEqual([]);
    store.close();
  });
});

describe('agent versions', () => {
  test('the last recorded version per host is remembered, so a restart does not record the same agent again', () => {
    const { store } = open();
    const base = { vmId: null, vmName: null, kind: 'agent', field: 'agentVersion', sync: null, detail: null };
    store.timeline.addAll([
      { ...base, hostId: 'h1', at: '2026-12-01T00:00:00.000Z', from: null, to: '1.3.0' },
      { ...base, hostId: 'h1', at: '2026-12-02T00:00:00.000Z', from: '1.3.0', to: '1.4.0' },
      { ...base, hostId: 'h2', at: '2026-12-01T00:00:00.000Z', from: null, to: '1.4.0' },
    ]);
    expect(store.timeline.lastAgentVersions()).toEqual(new Map([['h1', '1.4.0'], ['h2', '1.4.0']]));
    store.close();
  });
});

describe('retention', () => {
  test('entries older than the cutoff go, and each VM keeps at most its newest entries', () => {
    const { store } = open();
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const recent = new Date().toISOString();
    const base = { hostId: 'h1', vmName: 'web-20', kind: 'state', field: 'state', from: 'Off', to: 'Running', sync: 'quick' as const, detail: null };
    store.timeline.addAll([{ ...base, vmId: VM, at: old }, { ...base, vmId: VM, at: recent }]);
    const many = Array.from({ length: ENTRIES_PER_VM + 5 }, (_, i) => ({ ...base, vmId: 'aaaaaaaa-3e4f-4a5b-8c6d-7e8f90a1b2c3', at: new Date(Date.now() - i * 1000).toISOString() }));
    store.timeline.addAll(many);
    const removed = store.timeline.prune(new Date(Date.now() - 30 * 86_400_000).toISOString());
    expect(removed).toBe(6);
    expect(store.timeline.vm(VM, 10).entries.map((e) => e.at)).toEqual([recent]);
    expect(store.timeline.vm('aaaaaaaa-3e4f-4a5b-8c6d-7e8f90a1b2c3', 1).entries[0]!.at).toBe(many[0]!.at);
    store.close();
  });
});
