// Sync health (issue 16 item 8): per host, how its inventory syncs are going, its agent, and what
// the host reported as failing; "Refresh all" asks every enabled host for a full inventory now.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { DeploymentStatus } from '../../../shared/contract/areas/deployment';
import { useApp } from '../../stores/app-store';
import { useInventory } from '../../stores/inventory-store';
import { ago } from '../../components/time';
import { durationText, healthRows, refreshProgress, sortHealthRows, syncSignature, type HealthSort, type HealthSortKey } from './health-rows';
import './health.css';

const COLUMNS: Array<{ by: HealthSortKey; label: string }> = [
  { by: 'name', label: 'Host' },
  { by: 'state', label: 'State' },
  { by: 'lastFullAt', label: 'Last full sync' },
  { by: 'lastQuickAt', label: 'Last quick sync' },
  { by: 'avgDurationMs', label: 'Duration (avg)' },
  { by: 'failures', label: 'Failures' },
  { by: 'nextAttemptAt', label: 'Next attempt' },
  { by: 'agentVersion', label: 'Agent' },
  { by: 'warnings', label: 'Warnings' },
];

/** How often the agent column is read again (deployment has no event topic). */
const DEPLOYMENT_POLL_MS = 5000;

function inFuture(iso: string | null, now: number): string {
  if (!iso) return '—';
  const s = Math.round((Date.parse(iso) - now) / 1000);
  if (s <= 0) return 'due now';
  return s < 60 ? `in ${s} s` : s < 3600 ? `in ${Math.floor(s / 60)} min` : `in ${Math.floor(s / 3600)} h`;
}

export function SyncHealthView() {
  const backend = useApp((s) => s.backend);
  const hosts = useApp((s) => s.hosts);
  const navigate = useApp((s) => s.navigate);
  const toast = useApp((s) => s.toast);
  useInventory((s) => s.hostsVersion);
  const inventory = useInventory.getState().model.hosts;
  const [deployment, setDeployment] = useState<DeploymentStatus | undefined>();
  const [sort, setSort] = useState<HealthSort>({ by: 'state', dir: 'asc' });
  /** Hosts asked by the last "Refresh all", with their sync signature at that moment. */
  const [asked, setAsked] = useState<Map<string, string> | undefined>();

  const readDeployment = useCallback(async () => {
    if (!backend) return;
    const result = await backend.invoke('deployment.status', {});
    if (result.ok) setDeployment(result.data);
  }, [backend]);
  useEffect(() => {
    void readDeployment();
    const timer = setInterval(() => void readDeployment(), DEPLOYMENT_POLL_MS);
    return () => clearInterval(timer);
  }, [readDeployment]);

  const rows = sortHealthRows(healthRows(Object.values(hosts), inventory, deployment?.hosts ?? []), sort);
  const progress = asked ? refreshProgress(asked, inventory) : undefined;
  const refreshing = progress !== undefined && progress.done < progress.total;
  const now = Date.now();

  const refreshAll = async () => {
    if (!backend) return;
    const before = new Map(Object.keys(hosts).map((id) => [id, syncSignature(inventory.get(id))]));
    const result = await backend.invoke('inventory.refresh', {});
    if (!result.ok) {
      toast('error', `Refresh all failed: ${result.error.message}`);
      return;
    }
    setAsked(new Map(result.data.hostIds.map((id) => [id, before.get(id) ?? ''])));
    void readDeployment();
  };

  const sortBy = (by: HealthSortKey) => setSort((s) => ({ by, dir: s.by === by && s.dir === 'asc' ? 'desc' : 'asc' }));
  const summary = useMemo(() => {
    const bad = rows.filter((r) => r.state === 'error' || r.state === 'stale').length;
    const warned = rows.filter((r) => r.warnings.length > 0).length;
    return `${rows.length} host${rows.length === 1 ? '' : 's'}; ${bad} failing or stale; ${warned} reporting warnings`;
  }, [rows]);

  return (
    <section className="sync-health" data-testid="sync-health">
      <div className="page-head">
        <h1>Sync health</h1>
        <button onClick={() => void refreshAll()} disabled={!backend || refreshing || rows.length === 0} data-testid="refresh-all">
          {refreshing ? 'Refreshing…' : 'Refresh all'}
        </button>
        {progress && (
          <span role="status" aria-live="polite" data-testid="refresh-progress" className="muted">
            {progress.done < progress.total ? `Refreshed ${progress.done} of ${progress.total} hosts…` : `Refreshed ${progress.total} of ${progress.total} hosts.`}
          </span>
        )}
      </div>
      <p className="muted" data-testid="sync-health-summary">
        {summary}
      </p>
      <table className="table health-table" data-testid="health-table">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c.by} aria-sort={sort.by === c.by ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
                <button className="sort" onClick={() => sortBy(c.by)} data-testid={`sort-${c.by}`}>
                  {c.label}
                  {sort.by === c.by ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={COLUMNS.length} className="muted">
                No hosts yet: add one in Settings.
              </td>
            </tr>
          )}
          {rows.map((r) => (
            <tr key={r.hostId} data-host={r.hostId} data-testid="health-row">
              <td>
                <a
                  href={`#/hosts/${encodeURIComponent(r.hostId)}`}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate({ name: 'host', id: r.hostId });
                  }}
                >
                  {r.name}
                </a>
                <div className="muted">{r.address}</div>
              </td>
              <td className={`health-state health-${r.state}`}>{r.state}</td>
              <td title={r.lastFullAt ?? undefined}>{ago(r.lastFullAt ?? undefined, now)}</td>
              <td title={r.lastQuickAt ?? undefined}>{ago(r.lastQuickAt ?? undefined, now)}</td>
              <td>
                {durationText(r.avgDurationMs)}
                {r.slow ? <span className="health-slow"> (slow)</span> : null}
              </td>
              <td>
                {r.failures}
                {r.lastError ? <div className="health-error">{r.lastError}</div> : null}
              </td>
              <td title={r.nextAttemptAt ?? undefined}>{r.enabled ? inFuture(r.nextAttemptAt, now) : 'disabled'}</td>
              <td>
                {r.agentVersion ?? '—'}
                {r.agentState ? <div className="muted">{r.agentState}</div> : null}
              </td>
              <td>
                {r.warnings.length === 0 ? (
                  '—'
                ) : (
                  <ul className="health-warnings">
                    {r.warnings.map((w) => (
                      <li key={w}>{w}</li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
