import { useEffect, useMemo } from 'react';
import { create } from 'zustand';
import type { HostTrends } from '../../../shared/contract';
import type { Backend } from '../../backend/backend';
import { useApp } from '../../stores/app-store';
import { useInventoryHost } from '../../stores/inventory-derived';
import { latest, withGaps } from './series-gaps';
import { percent } from './ResourceCharts';
import { Sparkline } from './Sparkline';
import { lastSyncOf } from './useMetricsHistory';

/** How far back the host table's trend lines reach. */
export const TREND_HOURS = 1;

type Trend = HostTrends['hosts'][number];
const useTrends = create<{ byHost: ReadonlyMap<string, Trend> }>(() => ({ byHost: new Map() }));

let due: ReturnType<typeof setTimeout> | undefined;
let inFlight = false;

/**
 * Every row asks for a re-read when its host syncs; the asks of one burst (a quick cycle walks the
 * hosts in turn) become one `metrics.trends` call for all rows a moment later.
 */
function requestTrends(backend: Backend): void {
  if (due) return;
  due = setTimeout(() => {
    due = undefined;
    if (inFlight) return requestTrends(backend);
    inFlight = true;
    void backend
      .invoke('metrics.trends', { sinceMs: Math.floor(Date.now() / 1000 - TREND_HOURS * 3600) * 1000 })
      .then((result) => {
        if (result.ok) useTrends.setState({ byHost: new Map(result.data.hosts.map((h) => [h.hostId, h])) });
      })
      .finally(() => {
        inFlight = false;
      });
  }, 400);
}

/** A host row's CPU trend over the last hour (its VMs' combined CPU), with the newest value. */
export function HostTrend({ hostId }: { hostId: string }) {
  const backend = useApp((s) => s.backend);
  const syncedAt = lastSyncOf(useInventoryHost(hostId)?.sync);
  const trend = useTrends((s) => s.byHost.get(hostId));
  useEffect(() => {
    if (backend) requestTrends(backend);
  }, [backend, syncedAt]);
  const shown = useMemo(() => (trend ? withGaps(trend.t, [trend.cpuPercent]) : undefined), [trend]);
  if (!trend || !shown || trend.t.length === 0) return <span className="muted">—</span>;
  const now = latest(trend.cpuPercent);
  return (
    <span className="host-trend">
      <Sparkline t={shown.t} values={shown.columns[0]!} label={`CPU used by VMs, last hour; now ${now === null ? 'unknown' : percent(now)}`} testId="host-sparkline" />
      <span className="host-trend-now">{now === null ? '—' : percent(now)}</span>
    </span>
  );
}
