import { useState } from 'react';
import type { InventoryHost } from '../../../shared/contract';
import { asSentence } from '../../../shared/sentence';
import { useApp } from '../../stores/app-store';
import { useInventory } from '../../stores/inventory-store';

type Sync = InventoryHost['sync'];

// A refresh that neither succeeds nor fails within this time is left to the page's own status.
const ATTEMPT_WAIT_MS = 120_000;

const syncOf = (hostId: string): Sync | undefined => useInventory.getState().model.hosts.get(hostId)?.sync;
const changed = (before: Sync | undefined, now: Sync | undefined): boolean =>
  !!now && (!before || now.lastAttemptAt !== before.lastAttemptAt || now.lastSuccessAt !== before.lastSuccessAt || now.state !== before.state || now.consecutiveFailures !== before.consecutiveFailures);

/**
 * Resolves with the host's sync state once the attempt asked for has finished: `inventory.refresh`
 * answers as soon as the refresh is queued, and the attempt's end shows up as a change of the
 * host's sync record (a new attempt time, success or failure).
 */
function attemptFinished(hostId: string, before: Sync | undefined): Promise<Sync | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(undefined), ATTEMPT_WAIT_MS);
    const unsubscribe = useInventory.subscribe(() => {
      const now = syncOf(hostId);
      if (changed(before, now)) finish(now);
    });
    function finish(sync: Sync | undefined) {
      clearTimeout(timer);
      unsubscribe();
      resolve(sync);
    }
  });
}

/**
 * Retry (or "Refresh now") of a host that stays busy until the attempt has finished, then says
 * how it went: refreshed, or failed with the reason and when the next automatic attempt is.
 */
export function useHostRetry(): { busy: (hostId: string) => boolean; retry: (hostId: string, name: string) => Promise<void> } {
  const backend = useApp((s) => s.backend);
  const toast = useApp((s) => s.toast);
  const [busy, setBusy] = useState<Record<string, boolean>>({});
  const retry = async (hostId: string, name: string) => {
    if (!backend) return;
    setBusy((b) => ({ ...b, [hostId]: true }));
    const before = syncOf(hostId);
    const result = await backend.invoke('inventory.refresh', { hostId });
    if (!result.ok) {
      setBusy((b) => ({ ...b, [hostId]: false }));
      toast('error', `Retry ${name}: ${result.error.message}`);
      return;
    }
    const after = await attemptFinished(hostId, before);
    setBusy((b) => ({ ...b, [hostId]: false }));
    if (!after) toast('warning', `${name}: no answer yet; the host's page shows when it does.`);
    else if (after.state === 'fresh') toast('success', `${name}: refreshed, inventory up to date.`);
    else if (after.state === 'preparing') toast('info', `${name}: the agent is being prepared; the refresh follows by itself.`);
    else toast('error', `${name}: the attempt failed${after.lastError ? ` — ${asSentence(after.lastError)}` : '.'}`);
  };
  return { busy: (hostId) => busy[hostId] === true, retry };
}
