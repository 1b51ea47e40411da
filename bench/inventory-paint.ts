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
    if (figure && figure.textContent === '${expected}' && rows > 0) requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now()));
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
});`;

/** Serves `dataDir` (a store holding `cachedVms` VMs, its hosts down), measures first paint, then drives deltas. */
export async function paintAndFrames(dataDir: string, cachedVms: number, options: DriveOptions = {}): Promise<Figures> {
  await ensureRendererBuilt(log);
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
        "JSON.stringify({ domContentLoaded: Math.round(performance.timeOrigin + performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd), marks: performance.getEntriesByType('mark').map((m) => [m.name, Math.round(performance.timeOrigin + m.startTime)]) })",
      )) as string;
      const parsed = JSON.parse(marks) as { domContentLoaded: number; marks: [string, number][] };
      log(`page phases after backend start: DOMContentLoaded +${parsed.domContentLoaded - t0} ms; ${parsed.marks.map(([n, t]) => `${n} +${t - t0} ms`).join('; ')}`);
      const first_paint_ms = Math.round(paintedAt - t0);
      const backend_start_ms = backendReady - t0;
      log(`first paint ${first_paint_ms} ms (backend start ${backend_start_ms} ms, page ${Math.round(paintedAt - backendReady)} ms)`);

      const frames = await driveDeltas(page, app.backend, options);
      return { cached_vms: cachedVms, first_paint_ms, backend_start_ms, ...frames };
    } finally {
      await app.close();
    }
  } finally {
    await browser.close();
  }
}
