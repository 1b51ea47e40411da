import { normalizeMac } from '../../shared/vm-operation-rules';
import type { InventoryVm, VmEditOperation, VmOperationParams } from '../../shared/contract';

/** What the mapping needs beyond the parameters: the VM as stored, and a move target's computer name. */
export interface AgentFieldContext {
  vm: InventoryVm;
  targetNode?: string;
}

/**
 * The agent envelope's fields (docs/agent.md, agent 1.4.0) for each edit operation's app
 * parameters. `Record<VmEditOperation, …>`: an operation added to the table without its mapping
 * does not compile. Every envelope carries the VM's GUID.
 */
const FIELDS: { [K in VmEditOperation]: (p: VmOperationParams[K], c: AgentFieldContext) => Record<string, unknown> } = {
  processors: (p) => ({ processorCount: p.count }),
  // A running VM takes only what may change while it runs (vm.update refuses startup memory and
  // the dynamic switch unless the VM is Off), so unchanged values are not sent for it.
  memory: (p, { vm }) => {
    const off = vm.state === 'Off';
    return {
      ...(off || p.startupMb !== vm.memoryStartupMb ? { memoryStartupMb: p.startupMb } : {}),
      ...(off || p.dynamic !== vm.dynamicMemory ? { dynamicMemory: p.dynamic } : {}),
      ...(p.minimumMb !== undefined ? { memoryMinimumMb: p.minimumMb } : {}),
      ...(p.maximumMb !== undefined ? { memoryMaximumMb: p.maximumMb } : {}),
      ...(p.bufferPercent !== undefined ? { memoryBufferPercent: p.bufferPercent } : {}),
    };
  },
  notes: (p) => ({ notes: p.notes }),
  'disk.add': (p) => (p.mode === 'new' ? { mode: 'new', sizeGb: p.sizeGb, ...(p.folder !== undefined ? { folder: p.folder } : {}) } : { mode: 'existing', path: p.path }),
  'disk.expand': (p) => ({ diskId: p.diskId, sizeGb: p.sizeGb }),
  'disk.remove': (p) => ({ diskId: p.diskId, deleteFile: p.deleteFile }),
  // The agent takes 12 hex digits without separators.
  'nic.add': (p) => ({ switchName: p.switchName, vlan: p.vlan, macAddress: p.macAddress === null ? null : normalizeMac(p.macAddress) }),
  'nic.update': (p) => ({ nicId: p.nicId, ...(p.switchName !== undefined ? { switchName: p.switchName } : {}), ...(p.vlan !== undefined ? { vlan: p.vlan } : {}) }),
  'nic.remove': (p) => ({ nicId: p.nicId }),
  'checkpoint.create': (p) => ({ name: p.name, type: p.type }),
  'checkpoint.apply': (p) => ({ checkpointId: p.checkpointId }),
  'checkpoint.rename': (p) => ({ checkpointId: p.checkpointId, name: p.name }),
  'checkpoint.delete': (p) => ({ checkpointId: p.checkpointId, subtree: p.subtree }),
  move: (p, c) => ({ targetNode: c.targetNode, migrationType: p.migrationType === 'live' ? 'Live' : 'Quick' }),
};

export function agentOperationFields<K extends VmEditOperation>(op: K, params: VmOperationParams[K], context: AgentFieldContext): Record<string, unknown> {
  const fields = (FIELDS[op] as (p: VmOperationParams[K], c: AgentFieldContext) => Record<string, unknown>)(params, context);
  return { vmId: context.vm.vmId, ...fields };
}
