/**
 * bench:inventory — the inventory's user-visible figures; prints one JSON object as its last line.
 *
 * 1. refresh_hosts / refresh_vms / full_refresh_s / rss_mb (+ warm_refresh_s, failed_hosts): from
 *    bench/inventory-refresh.ts's `measureFullRefresh` (500 lab hosts × 20 VMs over NTLM-sealed WinRM).
 * 2. first_paint_ms: a SQLite store is seeded with 10,000 VMs by one real refresh against a lab
 *    (20 hosts × 500 VMs); then the lab is shut (every host down) and the clock runs from starting
 *    the backend (`startBrowserApp`, as `aether-v serve --open` does: the page is requested as soon
 *    as the server listens, while the backend opens its store) to Chromium painting the overview
 *    with all 10,000 cached VMs counted and the first VM table rows on screen. The page records its
 *    own paint time (next animation frame after the condition holds), so no polling delay is added.
 * 3. max_frame_ms: with those 10,000 VMs on screen, the backend publishes 1,000 single-VM state
 *    deltas per second for 5 s through its event hub (the path refreshes use) over the real
 *    WebSocket. max_frame_ms is the largest main-thread CPU time of any one frame, from a Chromium
 *    trace (bench/inventory-frames.ts explains how frames are cut); the wall-clock and
 *    requestAnimationFrame-interval figures are reported beside it under their own names.
 */
import { cpSync } from 'node:fs';
import { ensureRendererBuilt } from '../src/cli/renderer-build';
import { startBrowserApp } from '../src/cli/commands/serve';
import { launchChromium } from '../test/support/browser';
import { tempDir } from '../test/support/temp';
import { measureFullRefresh } from './inventory-refresh';
import { driveDeltas } from './inventory-frames';
import { SEED_HOSTS, SEED_VMS_PER_HOST, seedStore } from './inventory-seed';


type Figures = Record<string, number | string | null>;

const log = (line: string) => process.stderr.write(`[bench:inventory] ${line}\n`);

/** The backend's full-refresh figures (500 lab hosts × 20 VMs, lab in a child process). */
async function refreshFigures(): Promise<Figures> {
  try {
    const r = await measureFullRefresh();
    log(`full refresh: ${r.refresh_hosts} hosts, ${r.refresh_vms} VMs in ${r.full_refresh_s} s (warm ${r.warm_refresh_s} s), RSS ${r.rss_mb} MB, ${r.failed_hosts} failed`);
    return { ...r };
  } catch (error) {
    log(`measureFullRefresh failed: ${(error as Error).message}`);
    return { refresh_hosts: null, refresh_vms: null, full_refresh_s: null, rss_mb: null, refresh_error: (error as Error).message };
  }
}

// Page-side probes, as script text: this file compiles without the DOM library.
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

async function paintAndFrames(dataDir: string, cachedVms: number): Promise<Figures> {
  await ensureRendererBuilt(log);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript({ content: PAINT_PROBE(cachedVms) });

    // The clock: backend start (store open, cached snapshot) → page served → 10,000 VMs painted.
    // As with `aether-v serve --open` (and the Electron window), the page loads as soon as the
    // server listens, while the backend is still opening its store.
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

      const frames = await driveDeltas(page, app.backend);
      return { cached_vms: cachedVms, first_paint_ms, backend_start_ms, ...frames };
    } finally {
      await app.close();
    }
  } finally {
    await browser.close();
  }
}

/**
 * BENCH_PARTS=refresh|paint limits the run to one part (default both). BENCH_SEED_DIR=<dir> reuses
 * a data directory seeded earlier (it is copied, never modified) instead of seeding a new one.
 */
async function main(): Promise<void> {
  const parts = process.env.BENCH_PARTS ?? 'refresh,paint';
  const result: Figures = {};
  if (parts.includes('refresh')) Object.assign(result, await refreshFigures());
  if (parts.includes('paint')) {
    const data = tempDir('aetherv-bench-inventory-');
    try {
      const seeded = process.env.BENCH_SEED_DIR;
      if (seeded) cpSync(seeded, data.dir, { recursive: true });
      const cached = seeded ? SEED_HOSTS * SEED_VMS_PER_HOST : await seedStore(data.dir);
      log(`store seeded with ${cached} VMs; lab shut down`);
      Object.assign(result, await paintAndFrames(data.dir, cached));
    } catch (error) {
      log(`first paint / frames not measured: ${(error as Error).message}`);
      Object.assign(result, { cached_vms: null, first_paint_ms: null, max_frame_ms: null, paint_error: (error as Error).message });
    } finally {
      data.cleanup();
    }
  }
  const goals = {
    first_paint_ok: typeof result.first_paint_ms === 'number' ? result.first_paint_ms <= 250 : null,
    full_refresh_ok: typeof result.full_refresh_s === 'number' ? result.full_refresh_s <= 5 : null,
    rss_ok: typeof result.rss_mb === 'number' ? result.rss_mb <= 250 : null,
    // The renderer's main-thread work per frame (trace, CPU time) must fit a 16 ms budget.
    frames_ok: typeof result.max_frame_ms === 'number' ? result.max_frame_ms <= 16 : null,
  };
  process.stdout.write(JSON.stringify({ ...result, ...goals }) + '\n');
  process.exit(0);
}

void main();
