import type { HostNetworks } from '../../../shared/network-rules';
import type { InventoryApi } from '../../inventory';

/**
 * The switches the host reported (Get-VMSwitch, agent 1.2.0+), for the create-VM switch rule.
 * Only that complete list can refuse a name: switches seen on VMs miss any switch no VM uses yet.
 * Unknown (older agent, failed query, never inventoried, no inventory service) means the switch is
 * not judged here; the host refuses an unknown one.
 */
export function hostNetworksOf(inventory: InventoryApi | undefined, hostId: string, hostName: string): HostNetworks | undefined {
  if (!inventory) return undefined;
  const reported = inventory.store.hostLayout(hostId).reportedSwitches;
  return { known: reported !== null, names: reported ?? [], hostName };
}
