import type { BulkPreviewItem, BulkTarget, InventoryVm, VmAction } from '../../../shared/contract';
import { checkVmAction, VM_ACTIONS } from '../../../shared/contract/vm-actions';
import { compareNatural } from '../../components/natural-compare';

/** Selected inventory keys (`hostId:vmId`) → bulk targets; keys of VMs no longer known are dropped. */
export function targetsOf(keys: Iterable<string>, vms: ReadonlyMap<string, Pick<InventoryVm, 'hostId' | 'vmId'>>): BulkTarget[] {
  const out: BulkTarget[] = [];
  for (const key of keys) {
    const vm = vms.get(key);
    if (vm) out.push({ hostId: vm.hostId, vmId: vm.vmId });
  }
  return out;
}

/** Per action, how many of the selected VMs the shared matrix allows it on (the bar's counts). */
export function bulkActionCounts(vms: Iterable<Pick<InventoryVm, 'state' | 'placeholder'>>): Record<VmAction, number> {
  const counts = Object.fromEntries(VM_ACTIONS.map((a) => [a, 0])) as Record<VmAction, number>;
  for (const vm of vms) {
    if (vm.placeholder) continue;
    for (const a of VM_ACTIONS) if (checkVmAction(vm.state, a).allowed) counts[a]++;
  }
  return counts;
}

export interface HostCount {
  hostId: string;
  hostName: string;
  willRun: number;
  skipped: number;
}

/** The preview's per-host counts, busiest first. */
export function perHostCounts(items: readonly BulkPreviewItem[]): HostCount[] {
  const byHost = new Map<string, HostCount>();
  for (const item of items) {
    const row = byHost.get(item.hostId) ?? { hostId: item.hostId, hostName: item.hostName ?? item.hostId, willRun: 0, skipped: 0 };
    if (item.willRun) row.willRun++;
    else row.skipped++;
    byHost.set(item.hostId, row);
  }
  return [...byHost.values()].sort((a, b) => b.willRun - a.willRun || compareNatural(a.hostName, b.hostName));
}
