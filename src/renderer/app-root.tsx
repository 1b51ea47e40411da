import { createRoot } from 'react-dom/client';
import { App } from './App';
import type { Backend } from './backend/backend';
import { connectStore } from './stores/app-store';
import { useInventory } from './stores/inventory-store';
import { startRouter } from './router';

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
        <CachedInventoryNote />
        <App />
      </>,
    );
  });
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

const CACHED_NOTE_STYLE = {
  position: 'fixed',
  insetInlineEnd: 12,
  insetBlockEnd: 12,
  zIndex: 50,
  margin: 0,
  padding: '6px 10px',
  borderRadius: 6,
  font: 'inherit',
  fontSize: 13,
  background: 'var(--warning-bg, #fff4ce)',
  color: 'var(--warning-fg, #3b2e00)',
  boxShadow: '0 1px 4px rgb(0 0 0 / 0.2)',
} as const;
