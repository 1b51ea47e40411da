import { useLayoutEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import type { Backend } from './backend/backend';
import { connectStore } from './stores/app-store';
import { useInventory } from './stores/inventory-store';
import { startRouter } from './router';
import { CACHED_NOTE_STYLE } from './cached-note';
import { dismissFirstScreen } from './first-screen';

/** How long the app waits for its first data before showing itself anyway (a slow or absent backend). */
export const FIRST_LOAD_WAIT_MS = 1500;

/**
 * The app proper, loaded by main.tsx once the connection and the startup requests are under way.
 * It renders once the inventory is in (or every first snapshot, whichever comes first): rendering
 * the shell first and again as each snapshot lands costs the page several full renders before the
 * inventory can paint, and the inventory may come before the rest (the last session's snapshot,
 * served while the backend starts). A backend that has not answered within FIRST_LOAD_WAIT_MS gets
 * the app anyway, which then shows its connection state.
 */
export function mountApp(container: HTMLElement, backend: Backend | { error: string }, waitMs = FIRST_LOAD_WAIT_MS): Promise<void> {
  const root = createRoot(container);
  if ('error' in backend) {
    dismissFirstScreen();
    root.render(<p className="fatal">{backend.error}</p>);
    return Promise.resolve();
  }
  const { firstLoad } = connectStore(backend);
  startRouter();
  root.render(
    <p role="status" style={{ padding: 24, opacity: 0.7 }}>
      Loading the inventory…
    </p>,
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopWatching: () => void = () => undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
  // This connection's first inventory snapshot (the store may hold an earlier one: a remount).
  const inventoryIn = new Promise<void>((resolve) => {
    stopWatching = useInventory.subscribe((s, before) => {
      if (s.loaded && (!before.loaded || s.version !== before.version)) resolve();
    });
  });
  return Promise.race([firstLoad, inventoryIn, waited]).then(() => {
    clearTimeout(timer);
    stopWatching();
    performance.mark?.('aetherv:app-render'); // read by bench:inventory's phases
    root.render(
      <>
        <FirstScreenGone />
        <CachedInventoryNote />
        <App />
      </>,
    );
  });
}

/**
 * Removes the first screen (first-screen.ts, painted by main.tsx from the inventory snapshot) as
 * the app commits its first full render, before that frame paints: the picture and the app are
 * never both on screen, and there is no frame with neither.
 */
function FirstScreenGone() {
  useLayoutEffect(() => dismissFirstScreen(), []);
  return null;
}

/**
 * Shown while the rows on screen are the last session's snapshot and the backend has not yet
 * confirmed them: the rows are what the store held when the app last closed, not yet checked by
 * the backend that is now starting.
 */
export function CachedInventoryNote() {
  const cachedAt = useInventory((s) => s.cachedAt);
  if (!cachedAt) return null;
  const at = new Date(cachedAt);
  return (
    <p role="status" data-testid="inventory-cached" title={`The inventory as the app left it at ${at.toLocaleString()}; the backend is starting and will confirm or update it.`} style={CACHED_NOTE_STYLE}>
      Cached, as of {at.toLocaleString()}: confirming with the backend…
    </p>
  );
}
