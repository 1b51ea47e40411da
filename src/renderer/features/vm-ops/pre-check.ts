import type { HostView, InventoryHost, InventoryVm, VmDetails } from '../../../shared/contract';
import type { VmEditOperation } from '../../../shared/contract/vm-operations';
import type { VmOperationParams } from '../../../shared/contract/vm-operation-params';
import { checkVmOperationParams, type VmOperationHost, type VmOperationVerdict } from '../../../shared/vm-operation-rules';
import { fieldName } from './operate';

/**
 * The backend's fact rules (shared/vm-operation-rules.ts) judged before submitting, with what the
 * renderer knows of the host (its inventory record and the other configured hosts): the dialog
 * says the same reason at once. Facts it does not have (other VMs' disk files and MACs) are left
 * to the backend, which judges again anyway.
 */
export function hostFactsFor(hostId: string, hosts: Iterable<InventoryHost>, views: Record<string, HostView>): VmOperationHost {
  const all = [...hosts];
  const own = all.find((h) => h.hostId === hostId);
  const gbToMb = (gb: number | null | undefined) => (gb === null || gb === undefined ? null : gb * 1024);
  return {
    hostId,
    name: views[hostId]?.displayName ?? own?.computerName ?? hostId,
    logicalProcessors: own?.cpuCores ?? null,
    memoryMb: gbToMb(own?.memoryGb),
    switches: own?.switches ?? null,
    cluster: own?.cluster ?? null,
    moveCandidates: all
      .filter((h) => views[h.hostId])
      .map((h) => ({ hostId: h.hostId, name: views[h.hostId]!.displayName, connected: views[h.hostId]!.status === 'connected', cluster: h.cluster, memoryAvailableMb: gbToMb(h.memoryAvailableGb) })),
  };
}

export type PreCheck = { ok: true } | { ok: false; field: string | null; reason: string };

export function preCheck<K extends VmEditOperation>(vm: InventoryVm, details: VmDetails, host: VmOperationHost, op: K, params: VmOperationParams[K]): PreCheck {
  const verdict: VmOperationVerdict = checkVmOperationParams(vm, details, host, op, params);
  return verdict.ok ? { ok: true } : { ok: false, field: verdict.field === null ? null : fieldName(verdict.field), reason: verdict.reason };
}
