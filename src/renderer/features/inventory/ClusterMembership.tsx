import type { HostView, InventoryHost, InventoryVm } from '../../../shared/contract';
import { clusterLabelNote, clusterOf } from '../../stores/inventory-derived';

/**
 * A host's cluster as the host reports it, the one rule the tree, tables and pages share; the
 * label typed in Settings only appears beside it when it says something else.
 */
export function ClusterMembership({ host, inventoryHost }: { host: HostView | undefined; inventoryHost: InventoryHost | undefined }) {
  const cluster = clusterOf(inventoryHost);
  const label = clusterLabelNote(host, inventoryHost);
  const reported = inventoryHost?.sync.lastSuccessAt != null;
  return (
    <span data-testid="cluster-membership">
      {cluster ?? (reported ? 'None (standalone host)' : 'Not reported yet')}
      {label && <span className="muted" data-testid="cluster-label">{` · labelled “${label}” in Settings`}</span>}
    </span>
  );
}

/** The VM page's words: the host's cluster (as in the tree) and whether the VM is a cluster role there. */
export function vmClusterText(vm: Pick<InventoryVm, 'clustered'>, inventoryHost: InventoryHost | undefined): string {
  const cluster = clusterOf(inventoryHost);
  if (!cluster) return inventoryHost?.sync.lastSuccessAt != null ? 'None (standalone host)' : 'Not reported yet';
  return `${cluster} · ${vm.clustered ? 'cluster role (highly available)' : 'not a cluster role (runs on this node only)'}`;
}
