import { createRoot } from 'react-dom/client';
import { App } from './App';
import type { Backend } from './backend/backend';
import { connectStore } from './stores/app-store';
import { startRouter } from './router';

/** How long the app waits for its first data before showing itself anyway (a slow or absent backend). */
export const FIRST_LOAD_WAIT_MS = 1500;

/**
 * The app proper, loaded by main.tsx once the connection and the startup requests are under way.
 * It renders once the first snapshots are in: rendering the shell first and again as each of the
 * six snapshots lands costs the page several full renders before the inventory can paint. A
 * backend that has not answered within FIRST_LOAD_WAIT_MS gets the app anyway, which then shows
 * its connection state.
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
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
  return Promise.race([firstLoad, waited]).then(() => {
    clearTimeout(timer);
    performance.mark?.('aetherv:app-render'); // read by bench:inventory's phases
    root.render(<App />);
  });
}
