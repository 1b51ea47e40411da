/**
 * max_frame_ms: with the cached VMs on screen, the backend publishes single-VM state deltas at a
 * fixed rate through its event hub over the real WebSocket, and the page records its frames.
 */
import type { Page } from 'playwright-core';
import type { InventoryDelta, InventoryVm } from '../src/shared/contract';
import type { Backend } from '../src/main/backend';

const DELTAS_PER_S = 1000;
const DRIVE_S = 5;

type Figures = Record<string, number | string | null>;

const log = (line: string) => process.stderr.write(`[bench:inventory] ${line}\n`);

const FRAME_RECORDER = `(() => {
  const stamps = [];
  const loaf = [];
  let running = true;
  const tick = (t) => { stamps.push(t); if (running) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  let observer;
  try {
    observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => {
      loaf.push(e.duration);
      // Where the time went, for the log: the longest scripts of each long frame.
      const scripts = (e.scripts || []).slice().sort((a, b) => b.duration - a.duration).slice(0, 3);
      window.__loafDetail = (window.__loafDetail || []).concat([{ duration: Math.round(e.duration), scripts: scripts.map((s) => s.invoker + ' ' + (s.sourceFunctionName || '?') + ' ' + Math.round(s.duration) + 'ms') }]);
    }));
    observer.observe({ type: 'long-animation-frame', buffered: false });
  } catch { /* older Chromium: rAF intervals alone */ }
  window.__frames = { stamps, loaf, stop: () => { running = false; if (observer) observer.disconnect(); } };
})()`;

export async function driveDeltas(page: Page, backend: Backend): Promise<Figures> {
  const hub = backend.services.hub;
  const snapshot = hub.snapshot('inventory').payload as { vms: InventoryVm[] };
  const vms = snapshot.vms;
  log(`inventory snapshot: ${vms.length} VMs, ${(JSON.stringify(snapshot).length / 1e6).toFixed(1)} MB of JSON`);
  if (vms.length === 0) return { max_frame_ms: null };
  await page.evaluate(FRAME_RECORDER);

  const total = DELTAS_PER_S * DRIVE_S;
  let sent = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * DELTAS_PER_S));
      for (; sent < due; sent++) {
        const vm = vms[(sent * 7919) % vms.length]!;
        const next: InventoryVm = { ...vm, state: vm.state === 'Running' ? 'Off' : 'Running', cpuPercent: sent % 100, observedAt: new Date().toISOString() };
        vms[(sent * 7919) % vms.length] = next;
        const delta: InventoryDelta = { hosts: { upsert: [], remove: [] }, vms: { upsert: [next], remove: [] } };
        hub.publishTopicDelta('inventory', delta);
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  const driveS = (performance.now() - start) / 1000;
  await page.waitForTimeout(500); // let the last frames land
  const { stamps, loaf } = (await page.evaluate('(() => { window.__frames.stop(); return { stamps: window.__frames.stamps, loaf: window.__frames.loaf }; })()')) as {
    stamps: number[];
    loaf: number[];
  };
  const intervals = stamps.slice(1).map((t, i) => t - stamps[i]!);
  const sorted = [...intervals].sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const running = await page.getByTestId('figure-running').textContent();
  const detail = (await page.evaluate('window.__loafDetail || []')) as { duration: number; scripts: string[] }[];
  for (const d of detail.sort((a, b) => b.duration - a.duration).slice(0, 5)) log(`long frame ${d.duration} ms: ${d.scripts.join('; ')}`);
  log(`drove ${sent} deltas in ${driveS.toFixed(2)} s; ${intervals.length} frames; figure-running now ${running}`);
  return {
    deltas_sent: sent,
    deltas_per_s: Math.round(sent / driveS),
    frames: intervals.length,
    max_frame_ms: Math.round(sorted.at(-1) ?? 0),
    p99_frame_ms: Math.round(p(0.99) * 10) / 10,
    median_frame_ms: Math.round(p(0.5) * 10) / 10,
    frames_over_16ms: intervals.filter((d) => d > 17.5).length,
    frames_over_33ms: intervals.filter((d) => d > 34).length,
    max_long_animation_frame_ms: loaf.length ? Math.round(Math.max(...loaf)) : 0,
  };
}

