/**
 * bench:scale — the inventory at twice SCVMM's scale: 2,000 lab hosts × 25 VMs (50,000 VMs) over
 * NTLM-sealed WinRM, through the real backend; prints one JSON object as its last line.
 *
 * 1. full_refresh_s / rss_mb (+ warm_refresh_s, rss_peak_mb): bench/inventory-refresh.ts's
 *    `measureFullRefresh` with hosts that answer at once. The lab runs in child processes (the
 *    hosts spread over BENCH_SCALE_LAB_PROCESSES, default 2: one Node process serving 2,000
 *    listeners is the bottleneck, not the backend), the backend in its own process; rss_mb is the
 *    backend alone, holding every VM after the refreshes and a short idle.
 * 2. full_refresh_latency_s: the same with real-host timing on every host — 20 ms round trips
 *    plus 2 s per agent run (the client's Receive long-polls meanwhile, as on Windows). This run's
 *    data directory (its inventory.db, 50,000 VMs) is kept for part 3.
 * 3. first_paint_ms / max_frame_ms / deltas_per_s: bench/inventory-paint.ts's `paintAndFrames` on
 *    that data directory once the lab is shut: the 50,000 cached VMs painted from backend start,
 *    then 5,000 single-VM state deltas per second driven through the backend's hub.
 *
 * max_commands_per_host: the most commands any lab host ran at once (its own count); above the
 * INVENTORY lane's per-host cap (2) the run fails, so overlapping the waits can never pass by
 * crowding hosts.
 *
 * failed_hosts is the sum over both refreshes of hosts that did not end fresh; any of them, or any
 * part that throws, makes the run exit non-zero. BENCH_PARTS=refresh,latency,paint picks parts
 * (default all; paint needs latency's store). Sizes: BENCH_SCALE_HOSTS (2000), BENCH_SCALE_VMS
 * (VMs per host, 25).
 */
import { tempDir } from '../test/support/temp';
import { measureFullRefresh, NO_LATENCY, REAL_HOST_LATENCY, type FullRefreshResult } from './inventory-refresh';
import { paintAndFrames, type Figures } from './inventory-paint';
import { finishBench, runInfo } from './run-info';

const log = (line: string) => process.stderr.write(`[bench:scale] ${line}\n`);

const HOSTS = Number(process.env.BENCH_SCALE_HOSTS ?? 2000);
const VMS_PER_HOST = Number(process.env.BENCH_SCALE_VMS ?? 25);
const LAB_PROCESSES = Number(process.env.BENCH_SCALE_LAB_PROCESSES ?? 2);
const DELTAS_PER_S = 5000;

/** The scheduler's INVENTORY hostLimit: no lab host may ever run more inventory commands at once. */
const INVENTORY_HOST_LIMIT = 2;

const GOALS = { full_refresh_s: 10, full_refresh_latency_s: 20, rss_mb: 400, max_frame_ms: 16, first_paint_ms: 500 };

async function refresh(what: string, latency: typeof NO_LATENCY, failures: string[], keepDataDir?: string): Promise<FullRefreshResult | null> {
  try {
    const r = await measureFullRefresh({ hosts: HOSTS, vmsPerHost: VMS_PER_HOST, latency, labProcesses: LAB_PROCESSES, ...(keepDataDir ? { keepDataDir } : {}) });
    log(`${what}: ${r.refresh_hosts}/${HOSTS} hosts fresh, ${r.refresh_vms} VMs in ${r.full_refresh_s} s (warm ${r.warm_refresh_s} s), RSS ${r.rss_mb} MB (peak ${r.rss_peak_mb} MB), ${r.failed_hosts} not fresh`);
    if (r.failed_hosts > 0) failures.push(`${what}: ${r.failed_hosts} host(s) not fresh`);
    if (r.refresh_vms !== HOSTS * VMS_PER_HOST) failures.push(`${what}: ${r.refresh_vms} VMs stored, ${HOSTS * VMS_PER_HOST} expected`);
    if (r.lab_max_commands_per_host === null) failures.push(`${what}: the lab did not report its hosts' concurrent commands`);
    else if (r.lab_max_commands_per_host > INVENTORY_HOST_LIMIT) failures.push(`${what}: a host ran ${r.lab_max_commands_per_host} commands at once (per-host cap ${INVENTORY_HOST_LIMIT})`);
    return r;
  } catch (error) {
    failures.push(`${what}: ${(error as Error).message}`);
    return null;
  }
}

async function main(): Promise<void> {
  const parts = process.env.BENCH_PARTS ?? 'refresh,latency,paint';
  const info = runInfo({
    from: 'backend (bundled, plain Node) in its own process; Chromium for paint and frames',
    to: `${HOSTS} lab hosts × ${VMS_PER_HOST} VMs in ${LAB_PROCESSES} child process(es) over NTLM-sealed HTTP on 127.0.0.1; cached store for paint`,
  });
  const failures: string[] = [];
  const result: Figures = { hosts: HOSTS, vms: HOSTS * VMS_PER_HOST };
  let failedHosts = 0;
  if (parts.includes('refresh')) {
    const r = await refresh('full refresh, no latency', NO_LATENCY, failures);
    failedHosts += r?.failed_hosts ?? HOSTS;
    Object.assign(result, { full_refresh_s: r?.full_refresh_s ?? null, warm_refresh_s: r?.warm_refresh_s ?? null, rss_mb: r?.rss_mb ?? null, rss_peak_mb: r?.rss_peak_mb ?? null, rss_after_warm_mb: r?.rss_after_warm_mb ?? null, heap_used_mb: r?.heap_used_mb ?? null, max_commands_per_host: r?.lab_max_commands_per_host ?? null });
  }
  const data = tempDir('aetherv-bench-scale-');
  try {
    let storedVms = 0;
    if (parts.includes('latency')) {
      const r = await refresh('full refresh, 20 ms + 2 s agent runs', REAL_HOST_LATENCY, failures, data.dir);
      failedHosts += r?.failed_hosts ?? HOSTS;
      storedVms = r?.refresh_vms ?? 0;
      Object.assign(result, { full_refresh_latency_s: r?.full_refresh_s ?? null, warm_refresh_latency_s: r?.warm_refresh_s ?? null, rss_latency_mb: r?.rss_mb ?? null, max_commands_per_host_latency: r?.lab_max_commands_per_host ?? null });
    }
    if (parts.includes('paint')) {
      try {
        if (!storedVms) throw new Error('no store to paint: the latency refresh (BENCH_PARTS latency) did not fill one');
        Object.assign(result, await paintAndFrames(data.dir, storedVms, { deltasPerS: DELTAS_PER_S }));
      } catch (error) {
        failures.push(`first paint / frames: ${(error as Error).message}`);
        Object.assign(result, { first_paint_ms: null, max_frame_ms: null, deltas_per_s: null });
      }
    }
  } finally {
    data.cleanup();
  }
  result.failed_hosts = failedHosts;
  const within = (figure: unknown, goal: number) => (typeof figure === 'number' ? figure <= goal : null);
  const goals = Object.fromEntries(Object.entries(GOALS).map(([key, goal]) => [`${key.replace(/_(s|ms|mb)$/, '')}_ok`, within(result[key], goal)]));
  finishBench('bench:scale', { ...info, ...result, ...goals }, failures);
}

void main();
