import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { HygieneFindingView, HygieneReport, SnoozeRequest } from '../../../shared/hygiene/contract';
import { HYGIENE_CHECKS, HYGIENE_CHECK_LABELS, type HygieneCheck } from '../../../shared/hygiene/rules';
import { ago } from '../../components/time';
import { useApp } from '../../stores/app-store';
import { useInventory } from '../../stores/inventory-store';

/** After inventory changes, findings are asked for again at most this often (a full refresh of many hosts is a stream of deltas). */
const RELOAD_AFTER_CHANGE_MS = 5_000;

/**
 * The Hygiene page: findings the backend computes from the stored inventory (`hygiene.findings`),
 * counted per check, filtered by check, host and cluster, each linking to its VMs and hosts and
 * snoozable. Unattached disks need a scan of a host (an agent call), started here on demand.
 */
export function HygieneView({ reloadAfterChangeMs = RELOAD_AFTER_CHANGE_MS }: { reloadAfterChangeMs?: number }) {
  const backend = useApp((s) => s.backend);
  const hosts = useApp((s) => s.hosts);
  const navigate = useApp((s) => s.navigate);
  const [report, setReport] = useState<HygieneReport | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [check, setCheck] = useState<HygieneCheck | ''>('');
  const [host, setHost] = useState('');
  const [cluster, setCluster] = useState('');
  const [showSnoozed, setShowSnoozed] = useState(false);
  const [scanning, setScanning] = useState<Set<string>>(new Set());

  const load = useCallback(async () => {
    if (!backend) return;
    const result = await backend.invoke('hygiene.findings', {});
    if (result.ok) {
      setReport(result.data);
      setError(undefined);
    } else setError(result.error.message);
  }, [backend]);

  useEffect(() => {
    void load();
  }, [load]);

  // Live: when the inventory changes, the findings are computed again (coalesced, see above).
  const inventoryVersion = useInventory((s) => s.version);
  const firstVersion = useRef(inventoryVersion);
  const reloadDue = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    // A throttle, not a debounce: a steady stream of deltas must not postpone the reload forever.
    if (inventoryVersion === firstVersion.current || reloadDue.current) return;
    reloadDue.current = setTimeout(() => {
      reloadDue.current = undefined;
      void load();
    }, reloadAfterChangeMs);
  }, [inventoryVersion, load, reloadAfterChangeMs]);
  useEffect(() => () => clearTimeout(reloadDue.current), []);

  const snooze = async (findingId: string, span: SnoozeRequest['for']) => {
    if (!backend) return;
    const result = await backend.invoke('hygiene.snooze', { findingId, for: span });
    if (!result.ok) setError(result.error.message);
    await load();
  };

  const scan = async (hostId: string) => {
    if (!backend) return;
    setScanning((s) => new Set(s).add(hostId));
    const result = await backend.invoke('hygiene.scanOrphanDisks', { hostId });
    setScanning((s) => {
      const next = new Set(s);
      next.delete(hostId);
      return next;
    });
    if (!result.ok) setError(`${hosts[hostId]?.displayName ?? hostId}: ${result.error.message}`);
    await load();
  };

  const findings = useMemo(() => report?.findings ?? [], [report]);
  const hostName = (id: string) => hosts[id]?.displayName ?? id;
  const clusters = useMemo(() => [...new Set(findings.flatMap((f) => f.clusters))].sort(), [findings]);
  // Filters other than the check apply to the counts too, so a count says what clicking it shows.
  const inScope = findings.filter((f) => (!host || f.hostIds.includes(host)) && (!cluster || f.clusters.includes(cluster)));
  const awake = inScope.filter((f) => !f.snoozed);
  const snoozedCount = inScope.filter((f) => f.snoozed && (!check || f.check === check)).length;
  const shown = inScope.filter((f) => (!check || f.check === check) && (showSnoozed || !f.snoozed));
  const counts = new Map<HygieneCheck, number>();
  for (const f of awake) counts.set(f.check, (counts.get(f.check) ?? 0) + 1);
  const scans = new Map((report?.orphanScans ?? []).map((s) => [s.hostId, s]));

  return (
    <section className="hygiene" data-testid="hygiene-view">
      <h1>Hygiene</h1>
      <p className="muted">
        Findings from the last inventory. Thresholds are in Settings (Hygiene).{' '}
        <button onClick={() => void load()} data-testid="hygiene-reload">
          Check again
        </button>
      </p>
      {error && (
        <p className="error" role="alert" data-testid="hygiene-error">
          {error}
        </p>
      )}
      <ul className="hygiene-counts" aria-label="Findings per check">
        {HYGIENE_CHECKS.map((c) => (
          <li key={c}>
            <button className={check === c ? 'selected' : ''} aria-pressed={check === c} onClick={() => setCheck(check === c ? '' : c)} data-testid={`hygiene-count-${c}`}>
              {HYGIENE_CHECK_LABELS[c]} <span className="count">{counts.get(c) ?? 0}</span>
            </button>
          </li>
        ))}
      </ul>
      <div className="hygiene-filters">
        <label>
          Check{' '}
          <select value={check} onChange={(e) => setCheck(e.target.value as HygieneCheck | '')} data-testid="hygiene-filter-check">
            <option value="">All checks</option>
            {HYGIENE_CHECKS.map((c) => (
              <option key={c} value={c}>
                {HYGIENE_CHECK_LABELS[c]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Host{' '}
          <select value={host} onChange={(e) => setHost(e.target.value)} data-testid="hygiene-filter-host">
            <option value="">All hosts</option>
            {Object.values(hosts)
              .sort((a, b) => a.displayName.localeCompare(b.displayName))
              .map((h) => (
                <option key={h.id} value={h.id}>
                  {h.displayName}
                </option>
              ))}
          </select>
        </label>
        <label>
          Cluster{' '}
          <select value={cluster} onChange={(e) => setCluster(e.target.value)} data-testid="hygiene-filter-cluster">
            <option value="">All clusters</option>
            {clusters.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={showSnoozed} onChange={(e) => setShowSnoozed(e.target.checked)} data-testid="hygiene-show-snoozed" /> show snoozed ({snoozedCount})
        </label>
      </div>
      {report && shown.length === 0 && <p className="muted" data-testid="hygiene-empty">Nothing to show{check || host || cluster ? ' with these filters' : ''}.</p>}
      <table className="hygiene-findings" data-testid="hygiene-findings">
        <tbody>
          {shown.map((f) => (
            <FindingRow key={f.id} finding={f} hostName={hostName} onOpenVm={(key) => navigate({ name: 'vm', key })} onOpenHost={(id) => navigate({ name: 'host', id })} onSnooze={snooze} />
          ))}
        </tbody>
      </table>
      <h2>Unattached virtual disks</h2>
      <p className="muted">Looks for .vhdx, .vhd and .avhdx files in the folders of a host&apos;s VM disks and its default disk folder that no VM on the host uses. Nothing is deleted.</p>
      <ul className="hygiene-scans">
        {Object.values(hosts)
          .filter((h) => h.enabled)
          .sort((a, b) => a.displayName.localeCompare(b.displayName))
          .map((h) => {
            const last = scans.get(h.id);
            return (
              <li key={h.id}>
                {h.displayName}{' '}
                <button disabled={scanning.has(h.id)} onClick={() => void scan(h.id)} data-testid={`hygiene-scan-${h.id}`}>
                  {scanning.has(h.id) ? 'Scanning…' : 'Scan for unattached disks'}
                </button>{' '}
                {last && (
                  <span className="muted">
                    scanned {ago(last.scannedAt)}: {last.files} file{last.files === 1 ? '' : 's'}
                  </span>
                )}
              </li>
            );
          })}
      </ul>
    </section>
  );
}

function FindingRow(props: {
  finding: HygieneFindingView;
  hostName(id: string): string;
  onOpenVm(key: string): void;
  onOpenHost(id: string): void;
  onSnooze(findingId: string, span: SnoozeRequest['for']): Promise<void>;
}) {
  const { finding: f } = props;
  return (
    <tr data-testid="hygiene-finding" data-finding={f.id} className={f.snoozed ? 'snoozed' : ''}>
      <td>{HYGIENE_CHECK_LABELS[f.check]}</td>
      <td>
        {f.vms.map((vm, i) => (
          <span key={`${vm.hostId}:${vm.vmId}`}>
            {i > 0 && ', '}
            <button className="link" onClick={() => props.onOpenVm(`${vm.hostId}:${vm.vmId}`)} data-testid="hygiene-vm-link">
              {vm.name}
            </button>
          </span>
        ))}
        {f.file && <code>{f.file.path}</code>}
      </td>
      <td>
        {f.message}
        {f.file?.lastWriteTime && <span className="muted"> · last written {ago(f.file.lastWriteTime)}</span>}
      </td>
      <td>
        {f.hostIds.map((id, i) => (
          <span key={id}>
            {i > 0 && ', '}
            <button className="link" onClick={() => props.onOpenHost(id)} data-testid="hygiene-host-link">
              {props.hostName(id)}
            </button>
          </span>
        ))}
      </td>
      <td>
        {f.snoozed ? (
          <>
            <span className="muted">snoozed {f.snoozed.until ? `until ${new Date(f.snoozed.until).toLocaleDateString()}` : 'until it changes'}</span>{' '}
            <button onClick={() => void props.onSnooze(f.id, 'off')} data-testid="hygiene-wake">
              Wake
            </button>
          </>
        ) : (
          <select
            aria-label={`Snooze ${HYGIENE_CHECK_LABELS[f.check]}`}
            value=""
            onChange={(e) => {
              if (e.target.value) void props.onSnooze(f.id, e.target.value as SnoozeRequest['for']);
            }}
            data-testid="hygiene-snooze"
          >
            <option value="">Snooze…</option>
            <option value="7d">for 7 days</option>
            <option value="30d">for 30 days</option>
            <option value="change">until it changes</option>
          </select>
        )}
      </td>
    </tr>
  );
}
