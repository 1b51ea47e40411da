import type { HostView, InventoryHost, InventoryVm } from '../../../shared/contract';
import { clusterPeers } from './operation-model';

/** One node a VM could move to: its free memory and whether the VM's memory fits in it. */
export interface MoveTarget {
  hostId: string;
  name: string;
  freeGb: number | null;
  /** null: the node's free memory or the VM's memory is not known. */
  fits: boolean | null;
  /** Why it cannot be chosen (not connected), or undefined. */
  unavailable?: string;
}

/** The memory the VM needs on the target: what it holds now when running, else its startup memory. */
export function vmMemoryNeedGb(
  vm: Pick<InventoryVm, 'state' | 'memoryAssignedMb' | 'memoryStartupMb'>,
): number | null {
  const mb =
    vm.state === 'Running' || vm.state === 'Paused'
      ? (vm.memoryAssignedMb ?? vm.memoryStartupMb)
      : vm.memoryStartupMb;
  return mb === null ? null : mb / 1024;
}

/** The other nodes of the VM's cluster, most free memory first. */
export function moveTargets(
  vm: Pick<InventoryVm, 'hostId' | 'state' | 'memoryAssignedMb' | 'memoryStartupMb'>,
  hosts: Iterable<InventoryHost>,
  views: Record<string, HostView>,
): MoveTarget[] {
  const need = vmMemoryNeedGb(vm);
  return clusterPeers(vm.hostId, hosts)
    .peers.map((h): MoveTarget => {
      const view = views[h.hostId];
      const freeGb = h.memoryAvailableGb;
      const fits = freeGb === null || need === null ? null : need <= freeGb;
      const unavailable =
        view && view.status !== 'connected' ? `${view.displayName} is ${view.status}` : undefined;
      return {
        hostId: h.hostId,
        name: view?.displayName ?? h.computerName ?? h.hostId,
        freeGb,
        fits,
        ...(unavailable ? { unavailable } : {}),
      };
    })
    .sort((a, b) => (b.freeGb ?? -1) - (a.freeGb ?? -1) || a.name.localeCompare(b.name));
}

/** "62.0 GB free · fits" / "1.5 GB free · does not fit (needs 4.0 GB)". */
export function moveTargetText(t: MoveTarget, needGb: number | null): string {
  const free = t.freeGb === null ? 'free memory unknown' : `${t.freeGb.toFixed(1)} GB free`;
  const fit =
    t.fits === null
      ? ''
      : t.fits
        ? ' · fits'
        : ` · does not fit${needGb !== null ? ` (needs ${needGb.toFixed(1)} GB)` : ''}`;
  return `${free}${fit}${t.unavailable ? ` · ${t.unavailable}` : ''}`;
}
