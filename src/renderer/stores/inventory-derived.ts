import { useInventory } from './inventory-store';
import { useApp } from './app-store';
import { countByHost, type HostVmCounts, type InventoryModel } from './inventory-model';
import { useCountsPace } from './counts-pace';
import type { HostView, InventoryHost } from '../../shared/contract';

/**
 * Figures derived from the inventory, memoised on the model's version counters so every
 * component asking for them in the same frame shares one computation.
 */
function memoOn<T>(compute: (model: InventoryModel) => T, versionOf: (model: InventoryModel) => number) {
  let cachedModel: InventoryModel | undefined;
  let cachedVersion = -1;
  let value: T;
  return (model: InventoryModel): T => {
    const v = versionOf(model);
    if (model !== cachedModel || v !== cachedVersion) {
      value = compute(model);
      cachedModel = model;
      cachedVersion = v;
    }
    return value;
  };
}

export const hostCounts = memoOn(countByHost, (m) => m.version);

export interface FleetFigures {
  vms: number;
  running: number;
  stale: number;
}

export const fleetFigures = memoOn((model): FleetFigures => {
  const out: FleetFigures = { vms: 0, running: 0, stale: 0 };
  for (const c of model.counts.values()) {
    out.vms += c.total;
    out.running += c.running;
    out.stale += c.stale;
  }
  return out;
}, (m) => m.version);

/** VM counts per host, re-rendering the caller at the counts' pace (see useCountsPace), not per delta. */
export function useHostCounts(): Map<string, HostVmCounts> {
  useCountsPace();
  return hostCounts(useInventory.getState().model);
}

export function useInventoryHost(hostId: string | undefined): InventoryHost | undefined {
  useInventory((s) => s.hostsVersion);
  return hostId ? useInventory.getState().model.hosts.get(hostId) : undefined;
}

/**
 * The cluster a host belongs to: only what the host itself reports (its last full inventory). The
 * label typed in Settings is never membership; see clusterLabelNote for where it is shown.
 */
export function clusterOf(inventoryHost: InventoryHost | undefined): string | undefined {
  return inventoryHost?.cluster ?? undefined;
}

/**
 * The Settings label, for showing beside the reported membership when it says something else
 * (a standalone host's group name, or a label that differs from the reported cluster).
 */
export function clusterLabelNote(host: HostView | undefined, inventoryHost: InventoryHost | undefined): string | undefined {
  const label = host?.cluster?.trim();
  if (!label || label === clusterOf(inventoryHost)) return undefined;
  return label;
}

/** hostId → cluster for every configured host (for table filters and search). */
export function useClusterByHost(): Map<string, string | undefined> {
  const hosts = useApp((s) => s.hosts);
  useInventory((s) => s.hostsVersion);
  const model = useInventory.getState().model;
  return clusterMapMemo(hosts, model, model.hostsVersion);
}

let clusterCache: { hosts: Record<string, HostView>; model: InventoryModel; version: number; map: Map<string, string | undefined> } | undefined;
function clusterMapMemo(hosts: Record<string, HostView>, model: InventoryModel, version: number) {
  if (clusterCache && clusterCache.hosts === hosts && clusterCache.model === model && clusterCache.version === version) return clusterCache.map;
  const map = new Map<string, string | undefined>();
  for (const h of Object.values(hosts)) map.set(h.id, clusterOf(model.hosts.get(h.id)));
  for (const [id, ih] of model.hosts) if (!map.has(id)) map.set(id, clusterOf(ih));
  clusterCache = { hosts, model, version, map: sameOrNext(clusterCache?.map, map) };
  return clusterCache.map;
}

/**
 * hostId → display name for every configured host. Same Map as long as no name changes: the
 * registry's host records change with every status update (an unreachable host is retried all the
 * time), and views that sort or label 10,000 VMs by host must not redo that work for a status change.
 */
export function useHostNames(): Map<string, string> {
  const hosts = useApp((s) => s.hosts);
  if (hostNamesCache?.hosts !== hosts) {
    const map = new Map<string, string>();
    for (const h of Object.values(hosts)) map.set(h.id, h.displayName);
    hostNamesCache = { hosts, map: sameOrNext(hostNamesCache?.map, map) };
  }
  return hostNamesCache.map;
}
let hostNamesCache: { hosts: Record<string, HostView>; map: Map<string, string> } | undefined;

/** `prev` when `next` holds exactly the same entries, else `next`: a derived map keeps its identity while its contents stand still. */
export function sameOrNext<K, V>(prev: Map<K, V> | undefined, next: Map<K, V>): Map<K, V> {
  if (!prev || prev.size !== next.size) return next;
  for (const [k, v] of next) if (!prev.has(k) || !Object.is(prev.get(k), v)) return next;
  return prev;
}

/** A host is disconnected when the registry says unreachable or its last inventory sync failed. */
export function isDisconnected(host: HostView, inventoryHost: InventoryHost | undefined): boolean {
  if (!host.enabled) return false;
  return host.status === 'unreachable' || inventoryHost?.sync.state === 'error';
}

export function isPreparing(host: HostView | undefined, inventoryHost: InventoryHost | undefined): boolean {
  return host?.status === 'preparing' || inventoryHost?.sync.state === 'preparing';
}
