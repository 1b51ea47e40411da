import type { HostView, InventoryVm } from '../../../shared/contract';
import type { HostVmCounts } from '../../stores/inventory-model';
import type { View } from '../../stores/app-store';
import { compareNatural } from '../../components/natural-compare';
import { counted } from '../../../shared/counted';

export interface TreeRow {
  key: string;
  depth: number;
  label: string;
  count?: string;
  status?: HostView['status'];
  /** VM rows: the VM's key (the row shows its live state, see Sidebar's VmTreeItem). */
  vmKey?: string;
  vmState?: InventoryVm['state'];
  stale?: boolean;
  expandable: boolean;
  expanded?: boolean;
  view: View;
}

/** True when two rows show the same thing (`view` follows from `key`). */
export function sameRow(a: TreeRow, b: TreeRow): boolean {
  return (
    a.key === b.key &&
    a.depth === b.depth &&
    a.label === b.label &&
    a.count === b.count &&
    a.status === b.status &&
    a.vmKey === b.vmKey &&
    a.vmState === b.vmState &&
    a.stale === b.stale &&
    a.expandable === b.expandable &&
    a.expanded === b.expanded
  );
}

export const STANDALONE = 'Standalone hosts';
/** A host with thousands of VMs shows the first ones in the tree and links to its table for the rest. */
export const TREE_VMS_PER_HOST = 200;

/**
 * Groups hosts under their cluster; hosts without one under "Standalone hosts" (last). Names are
 * ordered by compareNatural, not localeCompare: this runs on first paint, where the collator's
 * initialisation alone would cost more than the whole tree.
 */
export function groupHosts(hosts: HostView[], clusterOf: (h: HostView) => string | undefined = (h) => h.cluster): [string, HostView[]][] {
  const groups = new Map<string, HostView[]>();
  for (const host of [...hosts].sort((a, b) => compareNatural(a.displayName, b.displayName))) {
    const key = clusterOf(host) ?? STANDALONE;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(host);
  }
  return [...groups.entries()].sort(([a], [b]) => (a === STANDALONE ? 1 : b === STANDALONE ? -1 : compareNatural(a, b)));
}

export interface TreeInput {
  hosts: HostView[];
  clusterOf(h: HostView): string | undefined;
  counts: ReadonlyMap<string, HostVmCounts>;
  /** The VMs of a host, for expanded hosts only. */
  vmsOf(hostId: string): InventoryVm[];
  collapsedGroups: ReadonlySet<string>;
  expandedHosts: ReadonlySet<string>;
  /**
   * groupHosts(hosts, clusterOf), when the caller keeps it: it changes only with hosts and clusters,
   * while the rows are rebuilt at every counts tick (sorting 2,000 hosts each time is wasted).
   */
  groups?: [string, HostView[]][];
}

/** The visible rows of the clusters → hosts → VMs tree. */
export function treeRows(input: TreeInput): TreeRow[] {
  const out: TreeRow[] = [];
  for (const [group, members] of input.groups ?? groupHosts(input.hosts, input.clusterOf)) {
    const key = `g:${group}`;
    let total = 0;
    for (const h of members) total += input.counts.get(h.id)?.total ?? 0;
    const open = !input.collapsedGroups.has(key);
    out.push({
      key,
      depth: 0,
      label: group,
      count: `${counted(members.length, 'host')} · ${counted(total, 'VM')}`,
      expandable: true,
      expanded: open,
      view: group === STANDALONE ? { name: 'overview' } : { name: 'cluster', label: group },
    });
    if (!open) continue;
    for (const h of members) {
      const hostKey = `h:${h.id}`;
      const c = input.counts.get(h.id);
      const hostOpen = input.expandedHosts.has(hostKey);
      out.push({
        key: hostKey,
        depth: 1,
        label: h.displayName,
        status: h.status,
        count: c ? `${c.running}/${c.total}` : undefined,
        expandable: (c?.total ?? 0) > 0,
        expanded: hostOpen,
        view: { name: 'host', id: h.id },
      });
      if (!hostOpen) continue;
      const vms = input.vmsOf(h.id).sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0));
      for (const vm of vms.slice(0, TREE_VMS_PER_HOST)) {
        out.push({ key: `v:${vm.key}`, vmKey: vm.key, depth: 2, label: vm.name, vmState: vm.state, stale: vm.stale, expandable: false, view: { name: 'vm', key: vm.key } });
      }
      if (vms.length > TREE_VMS_PER_HOST) {
        out.push({ key: `more:${h.id}`, depth: 2, label: `…${vms.length - TREE_VMS_PER_HOST} more`, expandable: false, view: { name: 'host', id: h.id } });
      }
    }
  }
  return out;
}
