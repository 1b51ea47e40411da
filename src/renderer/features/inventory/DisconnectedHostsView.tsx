import { useApp } from '../../stores/app-store';
import { useHostCounts, isDisconnected } from '../../stores/inventory-derived';
import { useInventory } from '../../stores/inventory-store';
import { ago } from '../../components/time';
import { useClock } from '../../components/Freshness';
import { counted } from '../../../shared/counted';
import { lastSeenAt } from '../../../shared/last-seen';
import { compareNatural } from '../../components/natural-compare';
import { useHostRetry } from './use-host-retry';
import { inFuture } from './HostSyncBanner';

/** Every unreachable host with its error and a Retry that really refreshes that host now. */
export function DisconnectedHostsView() {
  const hosts = useApp((s) => s.hosts);
  const navigate = useApp((s) => s.navigate);
  useInventory((s) => s.hostsVersion);
  const model = useInventory.getState().model;
  const counts = useHostCounts();
  const now = useClock();
  const { busy, retry } = useHostRetry();
  const down = Object.values(hosts)
    .filter((h) => isDisconnected(h, model.hosts.get(h.id)))
    .sort((a, b) => compareNatural(a.displayName, b.displayName));

  return (
    <section aria-labelledby="disconnected-title">
      <h1 id="disconnected-title">Disconnected hosts</h1>
      {down.length === 0 ? (
        <p className="muted" data-testid="no-disconnected">
          Every enabled host is reachable.
        </p>
      ) : (
        <ul className="host-list" data-testid="disconnected-list">
          {down.map((h) => {
            const sync = model.hosts.get(h.id)?.sync;
            return (
              <li key={h.id} className="host-row" data-testid={`disconnected-${h.displayName}`}>
                <div>
                  <button className="link host-name" onClick={() => navigate({ name: 'host', id: h.id })}>
                    {h.displayName}
                  </button>{' '}
                  <span className="muted">{h.address}</span>
                  <div className="error">{sync?.lastError ?? h.lastError ?? 'No error recorded yet.'}</div>
                  <div className="muted">
                    Last seen {ago(lastSeenAt(sync, h.lastSeenAt), now)} · {counted(counts.get(h.id)?.total ?? 0, 'VM')} shown from the last known inventory
                    {sync?.consecutiveFailures ? ` · ${counted(sync.consecutiveFailures, 'failed attempt')}` : ''}
                    {busy(h.id) ? ' · retrying now' : sync?.nextAttemptAt ? ` · next retry ${inFuture(sync.nextAttemptAt, now)}` : ''}
                  </div>
                </div>
                <div className="row-actions">
                  <button onClick={() => void retry(h.id, h.displayName)} disabled={busy(h.id)} aria-busy={busy(h.id)} aria-label={`Retry ${h.displayName}`}>
                    {busy(h.id) ? 'Retrying…' : 'Retry'}
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
