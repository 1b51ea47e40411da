import { useSyncExternalStore } from 'react';
import { ago } from './time';

// One shared one-second clock: a thousand "observed … ago" labels tick from a single timer.
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  timer ??= setInterval(() => {
    now = Date.now();
    listeners.forEach((l) => l());
  }, 1000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
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

/** "observed 42 s ago", ticking; "stale since 3 min ago" when the host could not be reached. */
export function Observed({ at, staleSince, prefix = 'observed' }: { at: string | null | undefined; staleSince?: string | null; prefix?: string }) {
  const t = useClock();
  const label = `${prefix} ${ago(at ?? undefined, t)}`;
  return (
    <span className={`freshness ${staleSince ? 'freshness-stale' : ''}`} data-testid="freshness" title={at ?? undefined}>
      {label}
      {staleSince && <span className="stale-note"> · stale since {ago(staleSince, t)}</span>}
    </span>
  );
}
