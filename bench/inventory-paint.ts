/**
 * First paint and frames of the cached inventory, shared by bench:inventory (10,000 VMs) and
 * bench:scale (50,000 VMs).
 *
 * first_paint_ms: the clock runs from starting the backend (`startBrowserApp`, as `aether-v serve
 * --open` does: the page is requested as soon as the server listens, while the backend opens its
 * store) to Chromium painting the overview with every cached VM counted and the first VM table rows
 * on screen. The page records its own paint time (next animation frame after the condition holds),
 * so no polling delay is added.
 *
 * The start paints from the last session's inventory snapshot (src/main/transport/start-snapshot.ts)
 * while the backend opens its stores. So that the figure is the current store's rows and not a
 * left-over, a previous session runs first on the same data directory and changes the store (it
 * removes one host, so its VMs leave and the count differs from the seeded one); the paint
 * condition waits for that changed count. confirmed_ms is when the backend confirmed those rows (the "cached, as of"
 * note gone); early_inventory says whether the page was answered early and what the backend then
 * said ('confirmed', 'replaced', or 'unused' when the backend answered the page itself).
 *
 * Who painted those rows is reported beside the figure (first_paint_by): 'first-screen' when the
 * page's first script painted them (src/renderer/first-screen.ts: the figures and first rows of
 * the last session's snapshot, put in the page by the server, marked cached — a picture without
 * handlers), 'app' when the app (React, its VM table) did. app_paint_ms is when the app itself had
 * painted its VM table with the same count, the first screen gone: the time until the rows can be
 * used. Both the first screen and the app count only when the count is the current store's.
 *
 * Then, with those VMs on screen, bench/inventory-frames.ts drives single-VM state deltas through
 * the backend's event hub and measures the frames.
 */
import { ensureRendererBuilt } from '../src/cli/renderer-build';
import { startBrowserApp } from '../src/cli/commands/serve';
import { launchChromium } from '../test/support/browser';
import { driveDeltas, type DriveOptions } from './inventory-frames';

export type Figures = Record<string, number | string | null>;

const log = (line: string) => process.stderr.write(`[bench:paint] ${line}\n`);

// Page-side probe, as script text: this file compiles without the DOM library.
const PAINT_PROBE = (expected: number) => `
window.__paintedAt = new Promise((resolve) => {
  const check = () => {
    const figure = document.querySelector('[data-testid="figure-vms"]');
    const rows = document.querySelectorAll('[data-testid="vm-rows"] [role="row"]').length;
    if (figure && figure.textContent === '${expected}' && rows > 0) {
      window.__paintedCached = Boolean(document.querySelector('[data-testid="inventory-cached"]'));
      window.__paintedBy = document.querySelector('[data-testid="first-screen"]') ? 'first-screen' : 'app';
      requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now()));
    } else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
});
// The app itself (React, its VM table) painted with the same count: the first screen is gone by then.
window.__appPaintedAt = window.__paintedAt.then(() => new Promise((resolve) => {
  const check = () => {
    const figure = document.querySelector('[data-testid="figure-vms"]');
    const app = document.querySelector('[data-testid="vm-table"] [data-testid="vm-rows"] [role="row"]');
    if (app && !document.querySelector('[data-testid="first-screen"]') && figure && figure.textContent === '${expected}') requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now()));
    else requestAnimationFrame(check);
  };
  check();
}));
window.__confirmedAt = window.__paintedAt.then(() => new Promise((resolve) => {
  const check = () => {
    const figure = document.querySelector('[data-testid="figure-vms"]');
    if (!document.querySelector('[data-testid="inventory-cached"]') && figure && figure.textContent === '${expected}') requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now()));
    else requestAnimationFrame(check);
  };
  check();
}));`;

/**
 * A previous session on `dataDir`, without a page: it changes the store (one host and its VMs
 * removed) and closes, leaving its snapshot for the next start. Returns the VM count the store now holds.
 */
async function previousSession(dataDir: string): Promise<number> {
  const app = await startBrowserApp({ dataDir, port: 0, quiet: true });
  try {
    const hostId = (app.backend.services.hosts.list()[0] as { id?: string } | undefined)?.id;
    if (!hostId) throw new Error('the seeded store has no hosts');
    const removed = await app.backend.invoke('hosts.remove', { id: hostId });
    if (!removed.ok) throw new Error(`removing a host: ${removed.error.message}`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the inventory mirrors the settings on the next microtask
    const after = await app.backend.invoke('events.snapshot', { topic: 'inventory' });
    if (!after.ok) throw new Error(after.error.message);
    return ((after.data as { payload: unknown }).payload as { vms: { count: number } }).vms.count;
  } finally {
    await app.close();
  }
}

/** Serves `dataDir` (a store holding `cachedVms` VMs, its hosts down), measures first paint, then drives deltas. */
export async function paintAndFrames(dataDir: string, seededVms: number, options: DriveOptions = {}): Promise<Figures> {
  await ensureRendererBuilt(log);
  const cachedVms = await previousSession(dataDir);
  if (cachedVms === seededVms) throw new Error(`the previous session did not change the store (${cachedVms} VMs either way)`);
  log(`previous session changed the store: ${seededVms} → ${cachedVms} VMs`);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript({ content: PAINT_PROBE(cachedVms) });

    const t0 = Date.now();
    let navigation: Promise<unknown> | undefined;
    const app = await startBrowserApp({ dataDir, port: 0, quiet: true, onListening: (url) => void (navigation = page.goto(url)) });
    const backendReady = Date.now();
    try {
      await navigation;
      const paintedAt = (await page.evaluate('window.__paintedAt')) as number;
      const marks = (await page.evaluate(
        "JSON.stringify({ domContentLoaded: Math.round(performance.timeOrigin + performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd), marks: performance.getEntriesByType('mark').map((m) => [m.name, Math.round(performance.timeOrigin + m.startTime)]), scripts: performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.js')).map((r) => [r.name.replace(/^.*\\//, '').replace(/-[\\w-]{8}\\.js$/, ''), Math.round(performance.timeOrigin + r.responseEnd)]) })",
      )) as string;
      const parsed = JSON.parse(marks) as { domContentLoaded: number; marks: [string, number][]; scripts: [string, number][] };
      log(`page phases after backend start: DOMContentLoaded +${parsed.domContentLoaded - t0} ms; ${parsed.scripts.map(([n, t]) => `${n}.js loaded +${t - t0} ms`).join('; ')}; ${parsed.marks.map(([n, t]) => `${n} +${t - t0} ms`).join('; ')}`);
      const first_paint_ms = Math.round(paintedAt - t0);
      const backend_start_ms = backendReady - t0;
      const paintedCached = (await page.evaluate('window.__paintedCached')) as boolean;
      const first_paint_by = (await page.evaluate('window.__paintedBy')) as string;
      const app_paint_ms = Math.round(((await page.evaluate('window.__appPaintedAt')) as number) - t0);
      const confirmed_ms = Math.round(((await page.evaluate('window.__confirmedAt')) as number) - t0);
      const early_inventory = await app.earlyInventory;
      log(`first paint ${first_paint_ms} ms by the ${first_paint_by} (${paintedCached ? 'from the last session\'s snapshot, marked cached' : 'from the backend'}; the app's own rows at ${app_paint_ms} ms; backend start ${backend_start_ms} ms; confirmed by the backend at ${confirmed_ms} ms: ${early_inventory})`);

      const frames = await driveDeltas(page, app.backend, options);
      return { cached_vms: cachedVms, first_paint_ms, first_paint_by, app_paint_ms, backend_start_ms, confirmed_ms, early_inventory, ...frames };
    } finally {
      await app.close();
    }
  } finally {
    await browser.close();
  }
}
