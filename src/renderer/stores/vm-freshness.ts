import type { InventoryHost, InventoryVm } from '../../shared/contract';
import { useInventory } from './inventory-store';

function later(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/**
 * When a VM's values were last confirmed by its host. The store keeps a VM's hot state, and its
 * `observedAt`, when a sync reads the same values again (so that an unchanged VM costs no write
 * and no delta): `observedAt` alone says when they last changed. But every successful sync of a
 * host, quick or full, lists all of its VMs, so the host's last success confirms them as well.
 * A placeholder (a VM still being created) is in no enumeration: its own time stands.
 */
export function confirmedAt(vm: InventoryVm, host: InventoryHost | undefined): string | null {
  if (vm.placeholder || !host) return vm.observedAt;
  return later(vm.observedAt, later(host.sync.lastSuccessAt, host.sync.lastQuickAt));
}

/** confirmedAt for a rendered VM; re-renders when its host's record is replaced (a host delta), not on other hosts' changes. */
export function useConfirmedAt(vm: InventoryVm): string | null {
  const host = useInventory((s) => s.model.hosts.get(vm.hostId));
  return confirmedAt(vm, host);
}
