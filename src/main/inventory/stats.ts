import type { MetricGroup, SyncHealth, SyncStats } from '../../shared/contract';
import type { InventoryStore } from '../store';
import type { CycleSummary } from './loops';

const UNREACHABLE_ISSUE_AFTER = 3;

export interface StatsInput {
  store: InventoryStore;
  hostIds: string[];
  label: (hostId: string) => string;
  cycles: CycleSummary[];
  fullIntervalMs: number;
  loopsRunning: boolean;
  now: number;
}

function lastOf(cycles: CycleSummary[], kinds: CycleSummary['kind'][]): CycleSummary | undefined {
  for (let i = cycles.length - 1; i >= 0; i--) if (kinds.includes(cycles[i]!.kind)) return cycles[i];
  return undefined;
}

export function syncStats(input: StatsInput): SyncStats {
  const { store } = input;
  const counts = { fresh: 0, stale: 0, error: 0, preparing: 0, never: 0 };
  let consecutiveErrors = 0;
  const durations: number[] = [];
  for (const id of input.hostIds) {
    const sync = store.host(id)?.sync;
    if (!sync) continue;
    counts[sync.state]++;
    consecutiveErrors = Math.max(consecutiveErrors, sync.consecutiveFailures);
    if (sync.avgDurationMs !== null) durations.push(sync.avgDurationMs);
  }
  const last = input.cycles[input.cycles.length - 1];
  const c = store.counts();
  return {
    totals: { hosts: input.hostIds.length, vms: c.vms, clusters: c.clusters },
    hosts: counts,
    lastFullSyncAt: lastOf(input.cycles, ['startup', 'full'])?.at ?? null,
    lastQuickSyncAt: lastOf(input.cycles, ['quick'])?.at ?? null,
    consecutiveErrors,
    lastCycle: last ? { ...last } : null,
    avgHostDurationMs: durations.length ? Math.round(durations.reduce((a, b) => a + b, 0) / durations.length) : null,
  };
}

/** Health rules: per-host reachability and speed, and whether full syncs still happen on time. */
export function syncHealth(input: StatsInput): SyncHealth {
  const issues: string[] = [];
  for (const id of input.hostIds) {
    const sync = input.store.host(id)?.sync;
    if (!sync) continue;
    if (sync.state === 'error' && sync.consecutiveFailures >= UNREACHABLE_ISSUE_AFTER) {
      issues.push(`host ${input.label(id)}: ${sync.consecutiveFailures} refreshes in a row failed (${sync.lastError ?? 'no detail'}); its VMs show last known values`);
    }
    if (sync.slow) issues.push(`host ${input.label(id)}: a refresh took longer than the ${Math.round(input.fullIntervalMs / 1000)} s full-sync interval`);
  }
  const lastFull = lastOf(input.cycles, ['startup', 'full']);
  if (input.hostIds.length && lastFull && input.now - Date.parse(lastFull.at) > 3 * input.fullIntervalMs) {
    issues.push(`the last full sync finished at ${lastFull.at}, more than three intervals ago; the refresh loop may be stuck`);
  }
  if (input.hostIds.length && !input.loopsRunning && lastFull) issues.push('the background refresh loops are not running');
  return { healthy: issues.length === 0, issues };
}

export function inventoryMetrics(input: StatsInput): MetricGroup[] {
  const stats = syncStats(input);
  return [
    {
      name: 'inventory',
      rows: [
        {
          hosts: stats.totals.hosts,
          vms: stats.totals.vms,
          clusters: stats.totals.clusters,
          fresh: stats.hosts.fresh,
          stale: stats.hosts.stale,
          error: stats.hosts.error,
          preparing: stats.hosts.preparing,
          avgHostDurationMs: stats.avgHostDurationMs,
          lastFullSyncAt: stats.lastFullSyncAt,
          lastQuickSyncAt: stats.lastQuickSyncAt,
        },
      ],
    },
    { name: 'inventory cycles', rows: input.cycles.slice(-10).map((c) => ({ ...c })) },
    {
      name: 'inventory hosts',
      rows: input.hostIds.map((id) => {
        const s = input.store.host(id)?.sync;
        return {
          host: input.label(id),
          state: s?.state ?? 'never',
          lastSuccessAt: s?.lastSuccessAt ?? null,
          avgDurationMs: s?.avgDurationMs ?? null,
          failures: s?.consecutiveFailures ?? 0,
          nextAttemptAt: s?.nextAttemptAt ?? null,
          slow: s?.slow ?? false,
          lastError: s?.lastError ?? null,
        };
      }),
    },
  ];
}
