// Inventory: the SQLite-backed read path for clusters, hosts and VMs, kept fresh from the hosts.
// (The service itself arrives with the inventory issue; until then this module says so.)
import { notBuiltModule } from '../service-module';

export const inventoryModule = notBuiltModule('inventory', 'inventory refresh arrives with the inventory issue; the tree shows hosts only');
