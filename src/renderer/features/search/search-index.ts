import type { HostView, InventoryVm } from '../../../shared/contract';
import type { InventoryModel } from '../../stores/inventory-model';
import type { View } from '../../stores/app-store';
import { compileQuery, parseQuery, type QueryContext, type QueryError, type QueryNode } from '../../../shared/query';

export interface SearchHit {
  key: string;
  kind: 'vm' | 'host' | 'cluster';
  label: string;
  detail: string;
  view: View;
}

export const SEARCH_LIMITS = { host: 8, cluster: 5, vm: 40 } as const;

/** What the header's search box shows: hits, and for a query how many VMs match in all, or why it is wrong. */
export interface SearchResults {
  hits: SearchHit[];
  /** Set when the text was a query (fields, OR, -, wildcards): every VM that matches, of which `hits` shows the first. */
  matched?: number;
  error?: QueryError;
}

const NO_TAGS: readonly string[] = [];

/**
 * Plain words (`web`, `10.0.0.7`, a GUID, `hv05.lab.local`) search everything as before; anything
 * the query language adds (a field, OR, a leading -, a quote, a `*`, parentheses) lists the VMs
 * that match the query, as the VM tables would.
 */
function isPlainText(query: QueryNode): boolean {
  if (query.kind === 'text') return !query.value.includes('*');
  return query.kind === 'and' && query.terms.every((t) => t.kind === 'text' && !t.value.includes('*'));
}

export function searchWithQuery(
  text: string,
  hosts: readonly HostView[],
  model: InventoryModel,
  clusterByHost: ReadonlyMap<string, string | undefined>,
  tags: (vm: InventoryVm) => readonly string[] = () => NO_TAGS,
): SearchResults {
  if (!text.trim()) return { hits: [] };
  const parsed = parseQuery(text);
  const plain = /^[^"()]*$/.test(text) && !/(^|\s)-/.test(text);
  if (parsed.ok ? plain && isPlainText(parsed.query) : false) return { hits: searchEverything(text, hosts, model, clusterByHost) };
  if (!parsed.ok) return { hits: [], error: parsed.error };
  const hostName = new Map(hosts.map((h) => [h.id, h.displayName]));
  const ctx: QueryContext = { hostName: (h) => hostName.get(h) ?? h, clusterOf: (h) => clusterByHost.get(h) ?? null, tags, now: Date.now() };
  const test = compileQuery(parsed.query);
  const found: Array<{ vm: InventoryVm; name: string }> = [];
  for (const vm of model.vms.values()) if (test(vm, ctx)) found.push({ vm, name: vm.name.toLowerCase() });
  // By name, so the first page of a large match is predictable.
  found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.vm.key < b.vm.key ? -1 : 1));
  const hits = found.slice(0, SEARCH_LIMITS.vm).map(({ vm }) => vmHit(vm, hostName));
  return { hits, matched: found.length };
}

function vmHit(vm: InventoryVm, hostName: ReadonlyMap<string, string>): SearchHit {
  return {
    key: `v:${vm.key}`,
    kind: 'vm',
    label: vm.name,
    detail: `${hostName.get(vm.hostId) ?? vm.hostId}${vm.ipAddresses.length ? ' · ' + vm.ipAddresses[0] : ''}`,
    view: { name: 'vm', key: vm.key },
  };
}

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
  for (const vm of model.vms.values()) {
    const text = model.searchTextOf(vm);
    const byHost = hostsMatching.has(vm.hostId);
    if (!byHost && !text.includes(q)) continue;
    const hit = vmHit(vm, hostName);
    if (text.startsWith(q)) prefix.push(hit);
    else if (rest.length < SEARCH_LIMITS.vm) rest.push(hit);
    if (prefix.length >= SEARCH_LIMITS.vm) break;
  }
  hits.push(...prefix, ...rest.slice(0, SEARCH_LIMITS.vm - prefix.length));
  return hits;
}
