/**
 * The backend process of bench/inventory-refresh.ts: the real composition root (`createBackend`)
 * with only the inventory service module (no deployment module: every enabled lab host already
 * has the agent, so inventory treats it as ready), on a data directory whose settings list the lab
 * hosts. It is bundled with esbuild and run on plain Node, as the app's main process runs bundled
 * code, so neither tsx nor the test support code is in the memory it reports.
 *
 * Prints `RESULT {json}` once the refreshes are done and the process has idled for a moment.
 */
import { readFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { createBackend } from '../src/main/backend';
import { createInventoryModule, type InventoryApi } from '../src/main/inventory';
import type { ServiceModule } from '../src/main/service-module';

/**
 * After the startup refresh the backend idles this long before RSS is read, so the figure is the
 * steady state: the memory trimmer (src/main/diagnostics/memory-trim.ts) runs 2 s after a burst
 * ends. It runs at most once a minute, so RSS is read after the startup refresh (its first trim),
 * not after the warm refresh that follows within seconds (whose garbage the app frees only up to a
 * minute later); RSS after the warm refresh is reported beside it, untrimmed.
 */
const SETTLE_MS = 4000;

export interface BackendRefreshFigures {
  refresh_hosts: number;
  refresh_vms: number;
  full_refresh_s: number;
  /** A second full refresh with warm connections and an unchanged inventory (nothing written). */
  warm_refresh_s: number;
  /** Backend process RSS holding every VM, after the startup refresh and the app's own memory trim. */
  rss_mb: number;
  /** Backend process RSS after the warm refresh that follows and a short idle (not trimmed yet). */
  rss_after_warm_mb: number;
  /** Backend process RSS right after it started on the empty store. */
  rss_before_mb: number;
  /** The highest RSS the backend process reached (Linux VmHWM): during the cold refresh. */
  rss_peak_mb: number | null;
  heap_used_mb: number;
  /**
   * Configured hosts that did not end fresh, whatever the reason (an error, never contacted,
   * deferred, preparing, or missing from the store): a refresh is whole only when this is 0.
   */
  failed_hosts: number;
  /** Of failed_hosts, those whose refresh reported an error (the rest were never refreshed). */
  error_hosts: number;
}

function peakRssMb(): number | null {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

/**
 * Watches the scheduler's INVENTORY lane (its adaptive concurrency and the loop delay it saw), so a
 * run says whether the lane, not the hosts, was the limit.
 */
function laneProbe(): { module: ServiceModule; summary(): string } {
  const seen = { changes: 0, min: Infinity, max: 0, maxLoopDelayMs: 0 };
  const module: ServiceModule = {
    name: 'bench-lane-probe',
    start: async (ctx) => {
      ctx.scheduler.on('concurrency', (change) => {
        if (change.lane !== 'INVENTORY') return;
        seen.changes++;
        seen.min = Math.min(seen.min, change.to);
        seen.max = Math.max(seen.max, change.to);
        seen.maxLoopDelayMs = Math.max(seen.maxLoopDelayMs, Math.round(change.eventLoopDelayMs));
      });
      return { name: 'bench-lane-probe', status: () => ({ name: 'bench-lane-probe', state: 'running', detail: '' }), stop: async () => undefined };
    },
  };
  return { module, summary: () => (seen.changes ? `INVENTORY lane resized ${seen.changes}× within ${seen.min}–${seen.max} (loop delay up to ${seen.maxLoopDelayMs} ms)` : 'INVENTORY lane never resized') };
}

async function main(dataDir: string, expectedHosts: number): Promise<void> {
  const started = performance.now();
  const probe = laneProbe();
  const backend = await createBackend({ dataDir, runtime: 'browser', modules: [createInventoryModule({ backgroundLoops: false }), probe.module] });
  const rssBefore = process.memoryUsage().rss / 2 ** 20;
  process.stderr.write(`[bench:inventory] backend started in ${Math.round(performance.now() - started)} ms\n`);
  const api = backend.modules.get('inventory')!.api as InventoryApi;
  await api.initialRefresh;
  const fullRefreshS = (performance.now() - started) / 1000;
  process.stderr.write(`[bench:inventory] startup refresh in ${fullRefreshS.toFixed(2)} s; ${probe.summary()}\n`);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const memory = process.memoryUsage();
  // BENCH_HEAP_SNAPSHOT=1 writes a heap snapshot of the settled backend (what holds memory).
  if (process.env.BENCH_HEAP_SNAPSHOT) process.stderr.write(`heap snapshot: ${writeHeapSnapshot()}\n`);
  const warmStart = performance.now();
  await api.refresh();
  const warmRefreshS = (performance.now() - warmStart) / 1000;
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const snapshot = api.snapshot();
  const fresh = snapshot.hosts.filter((x) => x.sync.state === 'fresh').length;
  const errors = snapshot.hosts.filter((x) => x.sync.state === 'error');
  for (const host of errors.slice(0, 5)) process.stderr.write(`[bench:inventory] host ${host.computerName ?? host.hostId} failed: ${host.sync.lastError ?? 'no error recorded'}\n`);
  const figures: BackendRefreshFigures = {
    refresh_hosts: fresh,
    refresh_vms: snapshot.vms.length,
    full_refresh_s: Number(fullRefreshS.toFixed(2)),
    warm_refresh_s: Number(warmRefreshS.toFixed(2)),
    rss_mb: Math.round(memory.rss / 2 ** 20),
    rss_after_warm_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
    rss_before_mb: Math.round(rssBefore),
    rss_peak_mb: peakRssMb(),
    heap_used_mb: Math.round(memory.heapUsed / 2 ** 20),
    // Counted against the hosts the bench configured, so a host the store never listed is failed too.
    failed_hosts: Math.max(expectedHosts, snapshot.hosts.length) - fresh,
    error_hosts: errors.length,
  };
  await backend.close();
  process.stdout.write(`RESULT ${JSON.stringify(figures)}\n`);
  process.exit(0);
}

if (process.argv[2]) await main(process.argv[2], Number(process.argv[3] ?? 0));
