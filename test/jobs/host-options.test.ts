import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { hostOptions, vmRootOf } from '../../src/main/inventory/host-options';
import { defaultSync, InventoryStore, type FullInventoryInput } from '../../src/main/store';
import { unavailableReason } from '../../src/renderer/features/jobs/host-options';
import { tempDir } from '../support/temp';

let n = 0;
const vm = (name: string, switches: (string | null)[], disks: string[]): FullInventoryInput['vms'][number] => ({
  vmId: `00000000-0000-0000-0000-${String(++n).padStart(12, '0')}`,
  name,
  state: 'Running',
  config: {
    processorCount: 2, memoryStartupMb: 2048, memoryMinMb: null, memoryMaxMb: null, dynamicMemory: false, generation: 2, configurationVersion: '10.0',
    notes: null, operatingSystem: null, createdAt: null, clustered: false, ipAddresses: [],
    disks: disks.map((p, i) => ({ id: `d${i}`, name: p.split('\\').pop()!, path: p, type: 'Dynamic', capacityGb: 40, fileSizeGb: 4 })),
    nics: switches.map((switchName, i) => ({ id: `n${i}`, name: 'Network Adapter', switchName, vlan: null, macAddress: `00155D0000${i}${n}`, ipAddresses: [], networkName: null })),
  },
});
const inventory = (vms: FullInventoryInput['vms'], switches: string[] | null = null): FullInventoryInput => ({
  host: { computerName: 'HV', cluster: null, cpuCores: 8, memoryGb: 64, memoryAvailableGb: null, switches, warnings: [] },
  vms,
  observedAt: new Date().toISOString(),
  agentTimestamp: null,
  complete: true,
  keep: { nics: false, disks: false, os: false },
});
const fresh = () => ({ ...defaultSync(), state: 'fresh' as const, lastSuccessAt: new Date().toISOString() });

describe('create-VM form: options from what the host reports (inventory.hostOptions)', () => {
  const temps: Array<ReturnType<typeof tempDir>> = [];
  afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));

  test('the VM root is the folder that holds the VM folder', () => {
    expect(vmRootOf('D:\\VMs\\web01\\Virtual Hard Disks\\web01.vhdx', 'web01')).toBe('D:\\VMs');
    expect(vmRootOf('C:\\ClusterStorage\\Volume1\\DB01\\db01.vhdx', 'db01')).toBe('C:\\ClusterStorage\\Volume1');
    expect(vmRootOf('E:\\disks\\shared.vhdx', 'web01')).toBe('E:\\disks');
    expect(vmRootOf('E:\\web01\\web01.vhdx', 'web01')).toBe('E:');
  });

  test('networks and storage are the distinct switches and VM roots of that host only, read from the store file', () => {
    const t = tempDir();
    temps.push(t);
    const store = InventoryStore.open(path.join(t.dir, 'inventory.db'));
    store.syncConfiguredHosts([{ id: 'hv01' }, { id: 'hv02' }, { id: 'hv03' }]);
    store.applyFull(
      'hv01',
      inventory([vm('web01', ['External', null], ['D:\\VMs\\web01\\Virtual Hard Disks\\web01.vhdx']), vm('web02', ['Internal', 'External'], ['D:\\VMs\\web02\\web02.vhdx'])]),
      fresh(),
    );
    store.applyFull('hv02', inventory([vm('other', ['OtherSwitch'], ['F:\\Elsewhere\\other\\other.vhdx'])]), fresh());
    store.addPlaceholder({ hostId: 'hv01', name: 'new01' });
    expect(hostOptions(store, 'hv01')).toEqual({ known: true, networks: ['External', 'Internal'], storage: ['D:\\VMs'] });
    expect(hostOptions(store, 'hv03')).toEqual({ known: false, networks: [], storage: [] });
    store.close();
  });

  test("the host's own switch list (agent 1.2.0) is offered with switches no VM uses, survives a reopen, and an older agent's report keeps it", () => {
    const t = tempDir();
    temps.push(t);
    const file = path.join(t.dir, 'inventory.db');
    let store = InventoryStore.open(file);
    store.syncConfiguredHosts([{ id: 'hv01' }]);
    store.applyFull('hv01', inventory([vm('web01', ['External'], [])], ['External', 'Spare']), fresh());
    expect(hostOptions(store, 'hv01').networks).toEqual(['External', 'Spare']);
    expect(store.hostLayout('hv01').reportedSwitches).toEqual(['External', 'Spare']);
    store.close();

    store = InventoryStore.open(file);
    expect(store.hostLayout('hv01').reportedSwitches).toEqual(['External', 'Spare']);
    expect(store.snapshot().hosts[0]!.switches).toEqual(['External', 'Spare']);
    // A report without the list (older agent, failed Get-VMSwitch) says nothing about switches.
    store.applyFull('hv01', inventory([vm('web01', ['External'], [])], null), fresh());
    expect(store.hostLayout('hv01').reportedSwitches).toEqual(['External', 'Spare']);
    // A host that reports none has none.
    store.applyFull('hv01', inventory([vm('web01', [null], [])], []), fresh());
    expect(store.hostLayout('hv01').reportedSwitches).toEqual([]);
    store.close();
  });

  test('the form is blocked, with the reason, only while the host is being prepared', () => {
    expect(unavailableReason({ displayName: 'HV01', status: 'preparing' })).toMatch(/agent is being deployed to HV01/);
    expect(unavailableReason({ displayName: 'HV01', status: 'connected' })).toBeUndefined();
    expect(unavailableReason(undefined)).toBeUndefined();
  });
});
