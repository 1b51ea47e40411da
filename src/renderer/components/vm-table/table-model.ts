import type { InventoryHost, InventoryVm, VmReach, VmState } from '../../../shared/contract';
import { matchesReach, type ReachFilter } from '../../features/connect/reach-words';
import { vmSortKey } from '../../../shared/vm-sort';
import type { QueryContext, VmPredicate } from '../../../shared/query';

export type SortColumn =
  | 'name'
  | 'state'
  | 'host'
  | 'cluster'
  | 'cpu'
  | 'memory'
  | 'demand'
  | 'startup'
  | 'uptime'
  | 'vcpu'
  | 'os'
  | 'generation'
  | 'disks'
  | 'created'
  | 'ip'
  | 'heartbeat'
  | 'checkpoints'
  | 'checkpointAge'
  | 'observed'
  | 'rdp'
  | 'ssh'
  | 'tags';
export interface SortSpec {
  column: SortColumn;
  dir: 'asc' | 'desc';
}
export interface VmFilter {
  state?: VmState | 'stale';
  hostId?: string;
  cluster?: string;
  /** Substring of the name or an IP, lowercase. */
  text?: string;
  /** The query box's compiled query (src/shared/query), ANDed with the drop-downs. */
  query?: VmPredicate;
  /** RDP or SSH answered, or neither (features/connect). */
  reach?: ReachFilter;
}
export interface TableContext {
  vms: ReadonlyMap<string, InventoryVm>;
  hostName(hostId: string): string;
  clusterOf(hostId: string): string | undefined;
  /** The host's inventory record (its sync times confirm its VMs: see confirmedAt). */
  host?(hostId: string): InventoryHost | undefined;
  /** The VM's RDP/SSH reachability (features/connect). */
  reach?(vmKey: string): VmReach | undefined;
  /** The VM's user tags, for `tag:` in queries; the row's own (`vm.tags`) when not given. */
  tags?(vm: InventoryVm): readonly string[];
}

const rowTags = (vm: InventoryVm): readonly string[] => vm.tags;

/** The query language's view of a table context; built once per filtering pass (its memory of hosts lives that long). */
export function queryContextOf(ctx: TableContext, now = Date.now()): QueryContext {
  return { hostName: ctx.hostName, clusterOf: (h) => ctx.clusterOf(h) ?? null, tags: ctx.tags ?? rowTags, now };
}

/** Columns whose values change with every quick sync: sorting by them must follow live updates. */
export const LIVE_COLUMNS: ReadonlySet<SortColumn> = new Set(['state', 'cpu', 'memory', 'demand', 'uptime', 'heartbeat', 'observed']);

// views: the sort keys live in src/shared/vm-sort.ts, so `aether-v export --sort` orders rows as the table does.
const sortKey = vmSortKey;
type SortKey = ReturnType<typeof vmSortKey>;

export function matchesFilter(vm: InventoryVm, filter: VmFilter, ctx: TableContext, queryCtx?: QueryContext): boolean {
  if (filter.state === 'stale' ? !vm.stale : filter.state && vm.state !== filter.state) return false;
  if (filter.hostId && vm.hostId !== filter.hostId) return false;
  if (filter.cluster && ctx.clusterOf(vm.hostId) !== filter.cluster) return false;
  if (filter.reach && !matchesReach(vm, ctx.reach?.(vm.key), filter.reach)) return false;
  if (filter.text) {
    const t = filter.text;
    if (!vm.name.toLowerCase().includes(t) && !vm.ipAddresses.some((ip) => ip.includes(t))) return false;
  }
  if (filter.query && !filter.query(vm, queryCtx ?? queryContextOf(ctx))) return false;
  return true;
}

type Row = { key: string; k: SortKey; name: string };

/**
 * Filters then sorts `keys`. Keys are computed once per row (decorate–sort–undecorate) and
 * compared with < rather than localeCompare: 10,000 rows sort in a few milliseconds. Ties break
 * on name then key, so the result is one total order whatever order `keys` come in.
 *
 * `previous` (the order shown now) only makes re-sorting cheap: rows are fed to the sort in that
 * order, which is nearly sorted after a few hot-state changes, and the sort (TimSort) then does
 * about one comparison per row. When nothing moved, `previous` itself is returned, so the table's
 * rows keep their props.
 */
export function filterAndSort(keys: Iterable<string>, filter: VmFilter, sort: SortSpec, ctx: TableContext, previous: readonly string[] = []): readonly string[] {
  const byKey = new Map<string, Row>();
  const queryCtx = filter.query ? queryContextOf(ctx) : undefined;
  for (const key of keys) {
    const vm = ctx.vms.get(key);
    if (!vm || !matchesFilter(vm, filter, ctx, queryCtx)) continue;
    byKey.set(key, { key, k: sortKey(vm, sort.column, ctx), name: vm.name.toLowerCase() });
  }
  const rows: Row[] = [];
  for (const key of previous) {
    const row = byKey.get(key);
    if (row) {
      rows.push(row);
      byKey.delete(key);
    }
  }
  for (const row of byKey.values()) rows.push(row);
  const sign = sort.dir === 'asc' ? 1 : -1;
  rows.sort((a, b) => {
    if (a.k < b.k) return -sign;
    if (a.k > b.k) return sign;
    if (a.name !== b.name) return a.name < b.name ? -1 : 1;
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
  if (rows.length === previous.length && rows.every((r, i) => r.key === previous[i])) return previous;
  return rows.map((r) => r.key);
}

export function nextSort(current: SortSpec, column: SortColumn): SortSpec {
  if (current.column === column) return { column, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { column, dir: 'asc' };
}

export interface Selection {
  keys: ReadonlySet<string>;
  anchor?: string;
}

export type SelectAction =
  | { type: 'click'; key: string; ctrl: boolean; shift: boolean; order: readonly string[] }
  | { type: 'all'; order: readonly string[] }
  | { type: 'clear' }
  | { type: 'retain'; present: (key: string) => boolean };

/** File-manager selection: click selects one, Ctrl toggles, Shift extends from the anchor, Ctrl+A all. */
export function select(sel: Selection, action: SelectAction): Selection {
  switch (action.type) {
    case 'clear':
      return { keys: new Set() };
    case 'all':
      return { keys: new Set(action.order), anchor: sel.anchor };
    case 'retain': {
      const keys = new Set([...sel.keys].filter(action.present));
      return keys.size === sel.keys.size ? sel : { keys, anchor: sel.anchor && action.present(sel.anchor) ? sel.anchor : undefined };
    }
    case 'click': {
      const { key, ctrl, shift, order } = action;
      if (shift && sel.anchor !== undefined) {
        const a = order.indexOf(sel.anchor);
        const b = order.indexOf(key);
        if (a >= 0 && b >= 0) {
          const range = order.slice(Math.min(a, b), Math.max(a, b) + 1);
          const keys = ctrl ? new Set([...sel.keys, ...range]) : new Set(range);
          return { keys, anchor: sel.anchor };
        }
      }
      if (ctrl) {
        const keys = new Set(sel.keys);
        if (keys.has(key)) keys.delete(key);
        else keys.add(key);
        return { keys, anchor: key };
      }
      return { keys: new Set([key]), anchor: key };
    }
  }
}
