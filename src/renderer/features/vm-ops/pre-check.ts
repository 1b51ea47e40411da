import type { HostView, InventoryHost, InventoryVm, VmDetails } from '../../../shared/contract';
import type { VmEditOperation } from '../../../shared/contract/vm-operations';
import type { VmOperationParams } from '../../../shared/contract/vm-operation-params';
import { checkVmOperationParams, vmOperationHost, type VmOperationHost } from '../../../shared/vm-operation-rules';
import { fieldName } from './operate';

/**
 * The backend's fact rules (shared/vm-operation-rules.ts) judged before submitting, on the host as
 * the shared builder makes it from what the renderer has (the inventory's hosts and the configured
 * hosts): the dialog says the same reason at once. Facts only the backend has (other VMs' disk
 * files and MACs) are left to it; it judges everything again anyway.
 */
export function hostFactsFor(hostId: string, hosts: Iterable<InventoryHost>, views: Record<string, HostView>): VmOperationHost {
  return vmOperationHost(hostId, [...hosts], Object.values(views));
}

export type PreCheck = { ok: true } | { ok: false; field: string | null; reason: string };

export function preCheck<K extends VmEditOperation>(vm: InventoryVm, details: VmDetails, host: VmOperationHost, op: K, params: VmOperationParams[K]): PreCheck {
  const verdict = checkVmOperationParams(vm, details, host, op, params);
  return verdict.ok ? { ok: true } : { ok: false, field: verdict.field === null ? null : fieldName(verdict.field), reason: verdict.reason };
}
