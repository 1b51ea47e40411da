import { describe, expect, test } from 'vitest';
import { agentOperationFields } from '../../src/main/jobs/vm-operation-fields';
import type { InventoryVm } from '../../src/shared/contract';

// The agent envelope's fields (docs/agent.md, agent 1.4.0) for the app's parameters.
const vm = (over: Partial<InventoryVm> = {}) => ({ vmId: '0b7a1c2d-3e4f-4a5b-8c6d-7e8f90a1b2c3', state: 'Off', memoryStartupMb: 4096, dynamicMemory: true, ...over }) as InventoryVm;

describe('agentOperationFields', () => {
  test('app parameters become the agent fields, always with the VM GUID', () => {
    expect(agentOperationFields('processors', { count: 4 }, { vm: vm() })).toEqual({ vmId: vm().vmId, processorCount: 4 });
    expect(agentOperationFields('notes', { notes: '' }, { vm: vm() })).toEqual({ vmId: vm().vmId, notes: '' });
    expect(agentOperationFields('disk.add', { mode: 'new', sizeGb: 20 }, { vm: vm() })).toEqual({ vmId: vm().vmId, mode: 'new', sizeGb: 20 });
    expect(agentOperationFields('disk.add', { mode: 'existing', path: 'D:\\x.vhdx' }, { vm: vm() })).toEqual({ vmId: vm().vmId, mode: 'existing', path: 'D:\\x.vhdx' });
    expect(agentOperationFields('nic.add', { switchName: 'External', vlan: null, macAddress: '00-15-5d:01.02-03' }, { vm: vm() })).toEqual({ vmId: vm().vmId, switchName: 'External', vlan: null, macAddress: '00155D010203' });
    expect(agentOperationFields('nic.update', { nicId: 'n1', vlan: null }, { vm: vm() })).toEqual({ vmId: vm().vmId, nicId: 'n1', vlan: null });
    expect(agentOperationFields('checkpoint.delete', { checkpointId: 'c', subtree: true }, { vm: vm() })).toEqual({ vmId: vm().vmId, checkpointId: 'c', subtree: true });
    expect(agentOperationFields('move', { targetHostId: 'h2', migrationType: 'live' }, { vm: vm(), targetNode: 'HV02' })).toEqual({ vmId: vm().vmId, targetNode: 'HV02', migrationType: 'Live' });
  });

  test('memory: the whole form for an Off VM; for a running VM only what may change while it runs', () => {
    const form = { startupMb: 4096, dynamic: true, minimumMb: 1024, maximumMb: 16384, bufferPercent: 25 };
    expect(agentOperationFields('memory', form, { vm: vm() })).toEqual({ vmId: vm().vmId, memoryStartupMb: 4096, dynamicMemory: true, memoryMinimumMb: 1024, memoryMaximumMb: 16384, memoryBufferPercent: 25 });
    expect(agentOperationFields('memory', form, { vm: vm({ state: 'Running' }) })).toEqual({ vmId: vm().vmId, memoryMinimumMb: 1024, memoryMaximumMb: 16384, memoryBufferPercent: 25 });
  });
});
