import type { HostView, InventoryHost } from '../../../shared/contract';
import { asSentence } from '../../../shared/sentence';
import { counted } from '../../../shared/counted';
import { lastSeenAt } from '../../../shared/last-seen';
import { ago } from '../../components/time';
import { useClock } from '../../components/Freshness';
import { isDisconnected, isPreparing } from '../../stores/inventory-derived';
import { useHostRetry } from './use-host-retry';

/**
 * Freshness of one host in words: unreachable, or answering but not refreshed (each with the
 * error, since when, the next retry), "Preparing host, will retry" while its agent deploys, or a
 * slow-host warning.
 */
export function HostSyncBanner({ host, inventoryHost }: { host: HostView; inventoryHost?: InventoryHost }) {
  const now = useClock();
  const { busy, retry } = useHostRetry();
  const sync = inventoryHost?.sync;
  if (isPreparing(host, inventoryHost)) {
    return (
      <div className="banner banner-info" role="status" data-testid="host-preparing">
        Preparing host, will retry{sync?.nextAttemptAt ? ` (next attempt ${inFuture(sync.nextAttemptAt, now)})` : ''}.
      </div>
    );
  }
  if (isDisconnected(host, inventoryHost)) {
    const error = sync?.lastError ?? host.lastError;
    const seen = lastSeenAt(sync, host.lastSeenAt);
    return (
      <div className="banner banner-warning" role="alert" data-testid="host-unreachable">
        {/* It answers (host status), but its inventory cannot be read: the agent is newer than this app, or its deployment failed. */}
        <strong>{host.status === 'connected' ? `${host.displayName} answers, but its inventory is not refreshed` : `${host.displayName} is unreachable`}</strong>
        {error ? `: ${asSentence(error)}` : '.'} Showing the last known inventory from {ago(seen, now)}
        {sync?.consecutiveFailures ? `; ${counted(sync.consecutiveFailures, 'failed attempt')}` : ''}
        {busy(host.id) ? '; retrying now' : sync?.nextAttemptAt ? `; next retry ${inFuture(sync.nextAttemptAt, now)}` : ''}.{' '}
        <button type="button" className="banner-action" onClick={() => void retry(host.id, host.displayName)} disabled={busy(host.id)} aria-busy={busy(host.id)} data-testid="host-retry">
          {busy(host.id) ? 'Retrying…' : 'Retry now'}
        </button>
      </div>
    );
  }
  if (sync?.slow) {
    return (
      <div className="banner banner-info" role="status">
        {host.displayName} is slow: its last refresh took longer than the refresh interval{sync.avgDurationMs ? ` (average ${(sync.avgDurationMs / 1000).toFixed(1)} s)` : ''}.
      </div>
    );
  }
  return null;
}

/** A countdown that reaches 0 when the attempt starts: seconds kept up to 10 min, not rounded away. */
export function inFuture(iso: string, now: number): string {
  const s = Math.ceil((Date.parse(iso) - now) / 1000);
  if (s <= 0) return 'now';
  if (s < 60) return `in ${s} s`;
  return s < 600 ? `in ${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}` : `in ${Math.round(s / 60)} min`;
}
