/**
 * bench:inventory — the inventory's user-visible figures; prints one JSON object as its last line.
 *
 * 1. refresh_hosts / refresh_vms / full_refresh_s / rss_mb (+ warm_refresh_s, failed_hosts): from
 *    bench/inventory-refresh.ts's `measureFullRefresh` (500 lab hosts × 20 VMs over NTLM-sealed WinRM)
 *    with hosts that answer at once. full_refresh_latency_s (+ warm_refresh_latency_s,
 *    failed_hosts_latency): the same fleet timed like real hosts — every HTTP response waits a 20 ms
 *    round trip and every agent inventory run takes 2 s on the host (REAL_HOST_LATENCY).
 * 2. first_paint_ms: a SQLite store is seeded with 10,000 VMs by one real refresh against a lab
 *    (20 hosts × 500 VMs); then the lab is shut (every host down) and bench/inventory-paint.ts
 *    measures from starting the backend to the rows painted.
 * 3. max_frame_ms: with those 10,000 VMs on screen, the backend publishes 1,000 single-VM state
 *    deltas per second for 5 s through its event hub (the path refreshes use) over the real
 *    WebSocket. max_frame_ms is the largest main-thread CPU time of any one frame, from a Chromium
 *    trace (bench/inventory-frames.ts explains how frames are cut); the wall-clock and
 *    requestAnimationFrame-interval figures are reported beside it under their own names.
 *
 * Honest by construction: the run exits non-zero when any part fails — a part that throws, a
 * refresh that leaves any host not fresh, a frame figure without a trace — and prints the reasons.
 */
import { cpSync } from 'node:fs';
import { tempDir } from '../test/support/temp';
import { measureFullRefresh, NO_LATENCY, REAL_HOST_LATENCY, type FullRefreshResult, type LabLatency } from './inventory-refresh';
import { paintAndFrames, type Figures } from './inventory-paint';
import { SEED_HOSTS, SEED_VMS_PER_HOST, seedStore } from './inventory-seed';
import { finishBench, runInfo } from './run-info';

const log = (line: string) => process.stderr.write(`[bench:inventory] ${line}\n`);

/**
 * One full refresh of the 500 lab hosts × 20 VMs (lab in a child process), with `latency` on every
 * host; a host left not fresh fails the part. `name` turns its figures into this run's keys.
 */
async function refreshPart(what: string, latency: LabLatency, failures: string[], name: (r: FullRefreshResult) => Figures): Promise<Figures | undefined> {
  try {
    const r = await measureFullRefresh({ latency });
    log(`${what}: ${r.refresh_hosts} hosts, ${r.refresh_vms} VMs in ${r.full_refresh_s} s (warm ${r.warm_refresh_s} s), RSS ${r.rss_mb} MB, ${r.failed_hosts} failed`);
    if (r.failed_hosts > 0) failures.push(`${what} left ${r.failed_hosts} host(s) not fresh`);
    return name(r);
  } catch (error) {
    failures.push(`${what}: ${(error as Error).message}`);
    return undefined;
  }
}

/** Hosts answering at once: the backend's own cost. */
async function refreshFigures(failures: string[]): Promise<Figures> {
  const figures = await refreshPart('the full refresh', NO_LATENCY, failures, (r) => ({ ...r }));
  return figures ?? { refresh_hosts: null, refresh_vms: null, full_refresh_s: null, rss_mb: null };
}

/** The same fleet with real-host timing: 20 ms round trips and 2 s per agent run on every host. */
async function latencyRefreshFigures(failures: string[]): Promise<Figures> {
  const what = `the full refresh with ${REAL_HOST_LATENCY.roundTripMs} ms round trips + ${REAL_HOST_LATENCY.agentRunMs} ms agent runs`;
  const figures = await refreshPart(what, REAL_HOST_LATENCY, failures, (r) => ({ full_refresh_latency_s: r.full_refresh_s, warm_refresh_latency_s: r.warm_refresh_s, failed_hosts_latency: r.failed_hosts }));
  return figures ?? { full_refresh_latency_s: null };
}

/**
 * BENCH_PARTS=refresh,latency,paint picks the parts (default all three). BENCH_SEED_DIR=<dir> reuses
 * a data directory seeded earlier (it is copied, never modified) instead of seeding a new one.
 */
async function main(): Promise<void> {
  const parts = process.env.BENCH_PARTS ?? 'refresh,latency,paint';
  const info = runInfo({
    from: 'backend (bundled, plain Node) in its own process; Chromium for paint and frames',
    to: 'lab hosts in a child process over NTLM-sealed HTTP on 127.0.0.1; cached store for paint',
  });
  const result: Figures = {};
  const failures: string[] = [];
  if (parts.includes('refresh')) Object.assign(result, await refreshFigures(failures));
  if (parts.includes('latency')) Object.assign(result, await latencyRefreshFigures(failures));
  if (parts.includes('paint')) {
    const data = tempDir('aetherv-bench-inventory-');
    try {
      const seeded = process.env.BENCH_SEED_DIR;
      if (seeded) cpSync(seeded, data.dir, { recursive: true });
      const cached = seeded ? SEED_HOSTS * SEED_VMS_PER_HOST : await seedStore(data.dir);
      log(`store seeded with ${cached} VMs; lab shut down`);
      Object.assign(result, await paintAndFrames(data.dir, cached));
    } catch (error) {
      failures.push(`first paint / frames: ${(error as Error).message}`);
      Object.assign(result, { cached_vms: null, first_paint_ms: null, max_frame_ms: null });
    } finally {
      data.cleanup();
    }
  }
  const within = (figure: unknown, goal: number) => (typeof figure === 'number' ? figure <= goal : null);
  const goals = {
    first_paint_ok: within(result.first_paint_ms, 250),
    full_refresh_ok: within(result.full_refresh_s, 5),
    rss_ok: within(result.rss_mb, 250),
    // The renderer's main-thread work per frame (trace, CPU time) must fit a 16 ms budget.
    frames_ok: within(result.max_frame_ms, 16),
  };
  finishBench('bench:inventory', { ...info, ...result, ...goals }, failures);
}

void main();
