import type { InventoryVm } from '../../shared/contract';

/**
 * An Off or Saved VM runs nothing: Hyper-V reports 0 % CPU and 0 MB assigned for it. Those are
 * shown as "—", as Hyper-V Manager does, so a column of zeros does not read like idle machines.
 * An Unknown VM's figures are not its own either (the host could not say what it is doing).
 */
function runsNothing(vm: Pick<InventoryVm, 'state'>): boolean {
  return vm.state === 'Off' || vm.state === 'Saved' || vm.state === 'Unknown';
}

/** CPU usage in the VM tables and the VM page: "29 %", or "—" when unknown or not running. */
export function cpuUsageText(vm: Pick<InventoryVm, 'state' | 'cpuPercent'>): string {
  return vm.cpuPercent === null || runsNothing(vm) ? '—' : `${Math.round(vm.cpuPercent)} %`;
}

/** Memory a VM holds (assigned or demand, in MB): "5.6 GB", or "—" when unknown or not running. */
export function heldMemoryText(vm: Pick<InventoryVm, 'state'>, mb: number | null): string {
  return mb === null || runsNothing(vm) ? '—' : `${(mb / 1024).toFixed(1)} GB`;
}
