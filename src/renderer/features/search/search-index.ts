import type { HostView } from '../../../shared/contract';
import type { InventoryModel } from '../../stores/inventory-model';
import type { View } from '../../stores/app-store';

export interface SearchHit {
  key: string;
  kind: 'vm' | 'host' | 'cluster';
  label: string;
  detail: string;
  view: View;
}

export const SEARCH_LIMITS = { host: 8, cluster: 5, vm: 40 } as const;

/**
 * Search everywhere: hosts by name or address, clusters by name, VMs by name, IP, GUID or their
 * host's name. VMs are matched against the model's precomputed lowercase text (kept in step with
 * every delta), so a query is one linear scan of short strings — well under a frame for 10,000
 * VMs — and stops as soon as the result cap is reached.
 */
export function searchEverything(
  query: string,
  hosts: readonly HostView[],
  model: InventoryModel,
  clusterByHost: ReadonlyMap<string, string | undefined>,
): SearchHit[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits: SearchHit[] = [];
  const hostName = new Map<string, string>();
  const hostsMatching = new Set<string>();
  let hostHits = 0;
  for (const h of hosts) {
    hostName.set(h.id, h.displayName);
    const computer = model.hosts.get(h.id)?.computerName ?? '';
    if (h.displayName.toLowerCase().includes(q) || h.address.toLowerCase().includes(q) || computer.toLowerCase().includes(q)) {
      hostsMatching.add(h.id);
      if (hostHits++ < SEARCH_LIMITS.host) {
        hits.push({ key: `h:${h.id}`, kind: 'host', label: h.displayName, detail: h.address, view: { name: 'host', id: h.id } });
      }
    }
  }
  const clusters = new Set<string>();
  for (const c of clusterByHost.values()) if (c && c.toLowerCase().includes(q)) clusters.add(c);
  for (const c of [...clusters].sort().slice(0, SEARCH_LIMITS.cluster)) {
    hits.push({ key: `c:${c}`, kind: 'cluster', label: c, detail: 'cluster', view: { name: 'cluster', label: c } });
  }
  // Exact-name and prefix matches first, then anything containing the query.
  const prefix: SearchHit[] = [];
  const rest: SearchHit[] = [];
  for (const [key, vm] of model.vms) {
    const text = model.searchTextOf(vm);
    const byHost = hostsMatching.has(vm.hostId);
    if (!byHost && !text.includes(q)) continue;
    const hit: SearchHit = {
      key: `v:${key}`,
      kind: 'vm',
      label: vm.name,
      detail: `${hostName.get(vm.hostId) ?? vm.hostId}${vm.ipAddresses.length ? ' · ' + vm.ipAddresses[0] : ''}`,
      view: { name: 'vm', key },
    };
    if (text.startsWith(q)) prefix.push(hit);
    else if (rest.length < SEARCH_LIMITS.vm) rest.push(hit);
    if (prefix.length >= SEARCH_LIMITS.vm) break;
  }
  hits.push(...prefix, ...rest.slice(0, SEARCH_LIMITS.vm - prefix.length));
  return hits;
}
