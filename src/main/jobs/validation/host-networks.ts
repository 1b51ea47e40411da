import type { HostNetworks } from '../../../shared/network-rules';
import type { InventoryApi } from '../../inventory';

/**
 * The switches a host's inventory reported, for the create-VM switch rule. Undefined without an
 * inventory service (then the switch is not judged here; the host refuses an unknown one).
 */
export function hostNetworksOf(inventory: InventoryApi | undefined, hostId: string, hostName: string): HostNetworks | undefined {
  if (!inventory) return undefined;
  const layout = inventory.store.hostLayout(hostId);
  return { known: layout.inventoried, names: layout.switchNames, hostName };
}
