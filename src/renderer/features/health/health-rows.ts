import type { DeploymentHostStatus } from '../../../shared/contract/areas/deployment';
import type { HostView, InventoryHost } from '../../../shared/contract';
import { compareNatural } from '../../components/natural-compare';

/**
 * The sync health table's rows (issue 16 item 8): one per configured host, from the inventory's
 * host records (sync state, times, failures), the host list (names) and deployment (agent version).
 * Pure, so sorting and the "Refresh all" progress are tested without a page.
 */
export interface HealthRow {
  hostId: string;
  name: string;
  address: string;
  enabled: boolean;
  state: InventoryHost['sync']['state'] | 'disabled';
  lastFullAt: string | null;
  lastQuickAt: string | null;
  avgDurationMs: number | null;
  slow: boolean;
  failures: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  agentVersion: string | null;
  agentState: DeploymentHostStatus['state'] | null;
  warnings: string[];
}

export type HealthSortKey = 'name' | 'state' | 'lastFullAt' | 'lastQuickAt' | 'avgDurationMs' | 'failures' | 'nextAttemptAt' | 'agentVersion' | 'warnings';
export interface HealthSort {
  by: HealthSortKey;
  dir: 'asc' | 'desc';
}

export function healthRows(hosts: readonly HostView[], inventory: ReadonlyMap<string, InventoryHost>, deployment: readonly DeploymentHostStatus[]): HealthRow[] {
  const agents = new Map(deployment.map((d) => [d.hostId, d]));
  return hosts.map((h) => {
    const sync = inventory.get(h.id)?.sync;
    const agent = agents.get(h.id);
    return {
      hostId: h.id,
      name: h.displayName,
      address: h.address,
      enabled: h.enabled,
      state: h.enabled ? (sync?.state ?? 'never') : 'disabled',
      lastFullAt: sync?.lastSuccessAt ?? null,
      lastQuickAt: sync?.lastQuickAt ?? null,
      avgDurationMs: sync?.avgDurationMs ?? null,
      slow: sync?.slow ?? false,
      failures: sync?.consecutiveFailures ?? 0,
      lastError: sync?.lastError ?? null,
      nextAttemptAt: sync?.nextAttemptAt ?? null,
      agentVersion: agent?.hostVersion ?? null,
      agentState: agent?.state ?? null,
      warnings: inventory.get(h.id)?.warnings ?? [],
    };
  });
}

// Worst first when sorted by state ascending: what needs attention comes to the top.
const STATE_RANK: Record<HealthRow['state'], number> = { error: 0, stale: 1, preparing: 2, never: 3, fresh: 4, disabled: 5 };

function compareBy(by: HealthSortKey, a: HealthRow, b: HealthRow): number {
  switch (by) {
    case 'name':
      return compareNatural(a.name, b.name);
    case 'state':
      return STATE_RANK[a.state] - STATE_RANK[b.state];
    case 'failures':
      return a.failures - b.failures;
    case 'warnings':
      return a.warnings.length - b.warnings.length;
    case 'avgDurationMs':
      return nullsLast(a.avgDurationMs, b.avgDurationMs, (x, y) => x - y);
    case 'agentVersion':
      return nullsLast(a.agentVersion, b.agentVersion, compareNatural);
    default:
      // ISO timestamps order as strings.
      return nullsLast(a[by], b[by], (x, y) => (x < y ? -1 : x > y ? 1 : 0));
  }
}

function nullsLast<T>(a: T | null, b: T | null, compare: (x: T, y: T) => number): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return compare(a, b);
}

/** Sorted copy; ties keep name order. Missing values (never synced, no agent read) stay last either way. */
export function sortHealthRows(rows: readonly HealthRow[], sort: HealthSort): HealthRow[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const missingA = isMissing(sort.by, a);
    const missingB = isMissing(sort.by, b);
    if (missingA !== missingB) return missingA ? 1 : -1;
    return sign * compareBy(sort.by, a, b) || compareNatural(a.name, b.name);
  });
}

function isMissing(by: HealthSortKey, row: HealthRow): boolean {
  if (by === 'name' || by === 'state' || by === 'failures' || by === 'warnings') return false;
  return row[by] === null;
}

/**
 * What "Refresh all" waits for: a host is done once its sync record differs from what it was when
 * the button was pressed (a success or a failure both change the attempt time). Hosts that were
 * not asked (disabled) are not counted.
 */
export function syncSignature(host: InventoryHost | undefined): string {
  const s = host?.sync;
  return s ? `${s.lastAttemptAt}|${s.lastSuccessAt}|${s.consecutiveFailures}|${s.lastError}|${s.generation}` : '';
}

export function refreshProgress(asked: ReadonlyMap<string, string>, inventory: ReadonlyMap<string, InventoryHost>): { done: number; total: number } {
  let done = 0;
  for (const [hostId, before] of asked) if (syncSignature(inventory.get(hostId)) !== before) done++;
  return { done, total: asked.size };
}

/** "1.2 s", "850 ms", "2 min 5 s": a sync's duration. */
export function durationText(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
