import { useEffect, useState } from 'react';
import type { MetricsHistory, MetricsHistoryRequest } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';

export type HistoryState = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; history: MetricsHistory };

/**
 * One host's or VM's history, read again whenever `syncedAt` moves (the host's last quick or full
 * sync, from the inventory events the page already receives): the chart gains its new point within
 * a moment of each sync, without a timer or an event topic of its own.
 */
export function useMetricsHistory(request: MetricsHistoryRequest, syncedAt: string | null | undefined): HistoryState {
  const backend = useApp((s) => s.backend);
  const [state, setState] = useState<HistoryState>({ status: 'loading' });
  const key = JSON.stringify(request);
  useEffect(() => {
    if (!backend) return;
    let current = true;
    void backend.invoke('metrics.history', request).then((result) => {
      if (!current) return;
      setState(result.ok ? { status: 'ready', history: result.data } : { status: 'error', message: result.error.message });
    });
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [backend, key, syncedAt]);
  return state;
}

/** The newest successful contact with a host, quick or full: what makes a new sample. */
export function lastSyncOf(sync: { lastQuickAt: string | null; lastSuccessAt: string | null } | undefined): string | null {
  if (!sync) return null;
  const { lastQuickAt: quick, lastSuccessAt: full } = sync;
  if (!quick || !full) return quick ?? full;
  return Date.parse(quick) >= Date.parse(full) ? quick : full;
}
