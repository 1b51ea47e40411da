import { useSyncExternalStore } from 'react';
import { BETWEEN_COUNTS_PHASE_MS, nextSlot } from '../stores/counts-pace';
import { ago } from './time';

// One shared one-second clock: a thousand "observed … ago" labels tick from a single timer. It ticks
// between the slots where VM counts update (see counts-pace), so the two never share a frame.
const TICK_MS = 1000;
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setTimeout> | undefined;

/** Schedules the first tick strictly after `after` (a timer that fires a little early must not tick twice). */
function scheduleTick(after = Date.now()): void {
  const at = nextSlot(after + 1, BETWEEN_COUNTS_PHASE_MS, TICK_MS);
  timer = setTimeout(() => {
    now = Date.now();
    scheduleTick(Math.max(now, at));
    listeners.forEach((l) => l());
  }, at - Date.now());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer) scheduleTick();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearTimeout(timer);
      timer = undefined;
    }
  };
}

/** Re-renders the caller every second; read Date.now() when rendering (the tick only triggers it). */
export function useClock(): number {
  useSyncExternalStore(subscribe, () => now, () => now);
  return Date.now();
}

/**
 * "42 s ago", ticking. Its own component so the once-a-second tick re-renders this text alone, not
 * the page around it.
 */
export function Ago({ at }: { at: string | null | undefined }) {
  const t = useClock();
  return <>{ago(at ?? undefined, t)}</>;
}

/**
 * "observed 42 s ago", ticking; "· stale since 3 min ago" added when the host could not be reached.
 * `compact` (a table cell) shows only the stale part of a stale value; the tooltip has both.
 */
export function Observed({ at, staleSince, prefix = 'observed', compact = false }: { at: string | null | undefined; staleSince?: string | null; prefix?: string; compact?: boolean }) {
  const t = useClock();
  const label = `${prefix} ${ago(at ?? undefined, t)}`;
  const stale = staleSince ? `stale since ${ago(staleSince, t)}` : '';
  const title = [stale ? `${label} · ${stale}` : label, at].filter(Boolean).join('\n');
  return (
    <span className={`freshness ${staleSince ? 'freshness-stale' : ''}`} data-testid="freshness" title={title}>
      {compact && stale ? <span className="stale-note">{stale}</span> : label}
      {!compact && stale && <span className="stale-note"> · {stale}</span>}
    </span>
  );
}
