import type { HostView, InventoryHost, InventoryVm } from '../../../shared/contract';
import type { PsBulkItem, PsContext, PsVmTarget } from '../../../shared/powershell-copy';

/**
 * From the renderer's inventory to the generator's inputs (src/shared/powershell-copy.ts): which
 * computer name a host is reached by, whether a VM's name is unique on its host (Hyper-V matches
 * -Name without regard to case, so neither may two names that differ only in case), and where a
 * move goes.
 */
export interface PsSources {
  vms: Iterable<InventoryVm>;
  hosts: Readonly<Record<string, HostView>>;
  inventoryHosts: ReadonlyMap<string, InventoryHost>;
}

/** `hostId → lower-cased name → how many VMs` over every row (placeholders are not on the host yet). */
export function nameCounts(vms: Iterable<InventoryVm>): Map<string, Map<string, number>> {
  const counts = new Map<string, Map<string, number>>();
  for (const vm of vms) {
    if (vm.placeholder) continue;
    let byName = counts.get(vm.hostId);
    if (!byName) counts.set(vm.hostId, (byName = new Map()));
    const name = vm.name.toLowerCase();
    byName.set(name, (byName.get(name) ?? 0) + 1);
  }
  return counts;
}

/** `-ComputerName`: the address the app itself uses for the host (what an admin's shell would reach too). */
export function computerNameOf(hostId: string, hosts: Readonly<Record<string, HostView>>, inventoryHosts: ReadonlyMap<string, InventoryHost>): string {
  return hosts[hostId]?.address ?? inventoryHosts.get(hostId)?.computerName ?? hostId;
}

export function psTargets(vms: readonly InventoryVm[], src: PsSources): PsVmTarget[] {
  const counts = nameCounts(src.vms);
  return vms.map((vm) => ({
    vmId: vm.vmId,
    vmName: vm.name,
    computerName: computerNameOf(vm.hostId, src.hosts, src.inventoryHosts),
    nameUnique: (counts.get(vm.hostId)?.get(vm.name.toLowerCase()) ?? 0) <= 1,
  }));
}

export function psBulkItems(vms: readonly InventoryVm[], src: PsSources): PsBulkItem[] {
  const targets = psTargets(vms, src);
  return vms.map((vm, i) => ({ hostLabel: src.hosts[vm.hostId]?.displayName ?? targets[i]!.computerName, target: targets[i]! }));
}

/** A move's cluster (the VM's host reports it) and target node (the node's own computer name). */
export function psContext(vm: InventoryVm, src: Pick<PsSources, 'hosts' | 'inventoryHosts'>): PsContext {
  return {
    moveTarget: (targetHostId) => {
      const target = src.inventoryHosts.get(targetHostId);
      if (!target && !src.hosts[targetHostId]) return null;
      return { cluster: src.inventoryHosts.get(vm.hostId)?.cluster ?? null, node: target?.computerName ?? computerNameOf(targetHostId, src.hosts, src.inventoryHosts) };
    },
  };
}
