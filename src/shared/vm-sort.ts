import type { InventoryVm } from './contract';
import { confirmedAt, type CellColumn, type CellContext } from './vm-cells';

/**
 * The VM tables' sort keys, shared with `aether-v export --sort`, so the CLI orders rows as the
 * table does. Keys are compared with < (not localeCompare); ties break on the name, then the key.
 */
export type SortKey = string | number;

export function vmSortKey(vm: InventoryVm, column: CellColumn, ctx: Pick<CellContext, 'hostName' | 'clusterOf' | 'host' | 'reach'>): SortKey {
  switch (column) {
    case 'name':
      return vm.name.toLowerCase();
    case 'state':
      return vm.state;
    case 'host':
      return ctx.hostName(vm.hostId).toLowerCase();
    case 'cluster':
      return (ctx.clusterOf(vm.hostId) ?? '').toLowerCase();
    case 'cpu':
      return vm.cpuPercent ?? -1;
    case 'memory':
      return vm.memoryAssignedMb ?? -1;
    case 'demand':
      return vm.memoryDemandMb ?? -1;
    case 'startup':
      return vm.memoryStartupMb ?? -1;
    case 'uptime':
      return vm.uptimeS ?? -1;
    case 'vcpu':
      return vm.processorCount ?? -1;
    case 'os':
      return (vm.operatingSystem ?? '').toLowerCase();
    case 'generation':
      return vm.generation ?? -1;
    case 'disks':
      return vm.diskCount;
    case 'created':
      return Date.parse(vm.createdAt ?? '') || 0;
    case 'heartbeat':
      return vm.heartbeat ?? '';
    case 'ip':
      return vm.ipAddresses[0] ?? '';
    case 'checkpoints':
      return vm.checkpointCount;
    case 'checkpointAge':
      // Ascending = youngest first: the earlier the oldest checkpoint, the larger the key; none sorts below any.
      return vm.oldestCheckpointAt ? -(Date.parse(vm.oldestCheckpointAt) || 0) : -Number.MAX_SAFE_INTEGER;
    case 'observed':
      return Date.parse(confirmedAt(vm, ctx.host?.(vm.hostId)) ?? '') || 0;
    case 'rdp':
    case 'ssh': {
      // Open first when ascending, then closed, then unknown (features/connect reachSortKey).
      const state = ctx.reach?.(vm.key)?.[column] ?? 'unknown';
      return state === 'open' ? '0' : state === 'closed' ? '1' : '2';
    }
    case 'tags':
      return vm.tags.join(' ').toLowerCase();
  }
}

/** The VMs in the table's order for this column and direction. */
export function sortVms(vms: readonly InventoryVm[], column: CellColumn, dir: 'asc' | 'desc', ctx: Pick<CellContext, 'hostName' | 'clusterOf' | 'host' | 'reach'>): InventoryVm[] {
  const sign = dir === 'asc' ? 1 : -1;
  const rows = vms.map((vm) => ({ vm, k: vmSortKey(vm, column, ctx), name: vm.name.toLowerCase() }));
  rows.sort((a, b) => {
    if (a.k < b.k) return -sign;
    if (a.k > b.k) return sign;
    if (a.name !== b.name) return a.name < b.name ? -1 : 1;
    return a.vm.key < b.vm.key ? -1 : a.vm.key > b.vm.key ? 1 : 0;
  });
  return rows.map((r) => r.vm);
}
