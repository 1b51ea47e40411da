/**
 * bench:jobs — live output latency and bulk pacing through the real browser-mode server.
 * 1. 20 create jobs on 20 lab hosts stream log lines; each line carries the lab's emit time, and
 *    a WebSocket client of the browser-mode server measures emit → receive (same clock).
 * 2. A bulk turn-off of 200 VMs on 20 hosts; the per-host concurrency the lab saw is compared
 *    with the scheduler's per-host cap of the CONTROL lane.
 * Last line: one JSON object with the figures.
 */
import WebSocket from 'ws';
import { startBrowserApp } from '../src/cli/commands/serve';
import { DEFAULT_SCHEDULER_CONFIG } from '../src/main/tasks/config';
import type { BulkRunResponse, JobInputSchema, JobLine, JobRecord, StateEvent } from '../src/shared/contract';
import { configureHosts } from '../test/inventory/support/harness';
import { startLab } from '../test/lab';
import { jobOperations, jobStats } from '../test/lab/agent/jobs';
import { tempDir } from '../test/support/temp';

const HOSTS = 20;
const VMS_PER_HOST = 10;
const LINES_PER_JOB = 60;
const LINE_EVERY_MS = 50;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
};
const log = (text: string) => process.stderr.write(text + '\n');

const lab = await startLab({ hosts: HOSTS, vmsPerHost: VMS_PER_HOST, seed: 11, clusters: 0 });
const temp = tempDir('aetherv-bench-jobs-');
await configureHosts(temp.dir, lab.hosts);
const app = await startBrowserApp({ dataDir: temp.dir, port: 0, quiet: true });
const u = new URL(app.server.url);
const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`, { origin: u.origin });
await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

let nextId = 1;
const waiting = new Map<number, (r: { ok: boolean; data?: unknown; error?: { code: string; message: string } }) => void>();
const latencies: number[] = [];
const emitted = new Map<string, [number, number]>();
const records = new Map<string, JobRecord>();
ws.on('message', (raw) => {
  const received = Date.now();
  const message = JSON.parse(raw.toString()) as { type: string; id?: number; response?: never; events?: StateEvent[] };
  if (message.type === 'result') waiting.get(message.id!)?.(message.response!);
  // The server sends events in batches ({type:'events', events:[…]}).
  if (message.type === 'events') for (const event of message.events ?? []) onEvent(event, received);
});
function onEvent(event: StateEvent, received: number): void {
  if (event.kind !== 'delta') return;
  if (event.topic === 'jobOutput') {
    for (const line of (event.payload as { lines: JobLine[] }).lines) {
      const m = /^emit (\d+)$/.exec(line.text);
      if (!m) continue;
      latencies.push(received - Number(m[1]));
      const w = emitted.get(line.jobId) ?? [Number(m[1]), Number(m[1])];
      emitted.set(line.jobId, [Math.min(w[0], Number(m[1])), Math.max(w[1], Number(m[1]))]);
    }
  }
  if (event.topic === 'jobs') for (const r of (event.payload as { upsert: JobRecord[] }).upsert) records.set(r.id, r);
}
const call = <T>(command: string, request: unknown): Promise<T> =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, (r) => (r.ok ? resolve(r.data as T) : reject(new Error(`${command}: ${r.error?.code}: ${r.error?.message}`))));
    ws.send(JSON.stringify({ id, command, request }));
  });
const until = async (done: () => boolean, what: string, timeoutMs = 180_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

await call('settings.update', { jobs: { workers: HOSTS }, inventory: { quickSyncIntervalS: 3600, fullSyncIntervalS: 3600 } });
await until(() => app.backend.services.hosts.list().every((h) => h.status === 'connected'), 'hosts deployed');
const inventory = app.backend.modules.get('inventory')!.api as { refresh(id?: string): Promise<unknown>; snapshot(): { vms: Array<{ hostId: string; vmId: string; state: string }> } };
await inventory.refresh();
log(`bench: ${HOSTS} hosts ready`);

// 1. Streaming: the lab's vm.create is replaced by one that emits timestamped lines.
jobOperations['vm.create'] = async (ctx) => {
  for (let i = 0; i < LINES_PER_JOB; i++) {
    ctx.log(`emit ${Date.now()}`, 'info', 'stream');
    await ctx.sleep(LINE_EVERY_MS);
  }
  return { vmId: crypto.randomUUID(), vmName: String(ctx.envelope.fields.vmName), status: 'created', vhdPath: 'x', provisioned: false, clustered: false };
};
const schema = await call<JobInputSchema>('jobs.schema', {});
const hosts = app.backend.services.hosts.list();
const fields = (i: number) => ({ vmName: `bench-${i}`, imagePath: 'D:\\Images\\ws.vhdx', cpuCount: 1, memoryGB: 1, generation: 2, vmRootPath: 'D:\\VMs', adminUser: 'a', adminPassword: 'bench-pass-123' });
const streamStart = Date.now();
const created = await Promise.all(hosts.map((h, i) => call<{ job: JobRecord }>('jobs.submit', { schemaVersion: schema.version, hostId: h.id, imageOsFamily: 'windows', fields: fields(i) })));
const ids = created.map((c) => c.job.id);
await until(() => ids.every((id) => ['succeeded', 'failed'].includes(records.get(id)?.state ?? '')), 'streaming jobs');
// How many streamed at once: the largest overlap of [first, last] emitted line of each job (host side).
const windows = ids.map((id) => emitted.get(id) ?? [0, 0]);
const overlap = Math.max(...windows.map(([s]) => windows.filter(([a, b]) => a <= s && s <= b).length));
const failedStreams = ids.filter((id) => records.get(id)!.state !== 'succeeded').length;
log(`bench: streaming ${ids.length} jobs took ${Date.now() - streamStart} ms; at most ${overlap} at once; ${latencies.length} lines; ${failedStreams} failed`);

// 2. Bulk stop of 200 VMs on 20 hosts.
for (const h of lab.hosts) for (const vm of lab.host(h.name).model.vms) vm.state = 'Running';
const labVms = lab.hosts.reduce((n, h) => n + lab.host(h.name).model.vms.length, 0);
// refresh() coalesces with refreshes already in flight, so ask until the store shows every VM running.
const allRunning = () => inventory.snapshot().vms.filter((v) => v.state === 'Running').length >= labVms;
for (let attempt = 0; attempt < 50 && !allRunning(); attempt++) {
  await inventory.refresh();
  if (!allRunning()) await new Promise((r) => setTimeout(r, 200));
}
if (!allRunning()) throw new Error('the inventory never showed every lab VM running');
for (const h of lab.hosts) jobStats(lab.host(h.name)).maxActionsRunning = 0;
const targets = inventory.snapshot().vms.filter((v) => v.state === 'Running').map((v) => ({ hostId: v.hostId, vmId: v.vmId }));
const bulkStart = Date.now();
const bulk = await call<BulkRunResponse>('vm.bulkRun', { targets, action: 'turnoff' });
await until(() => ['succeeded', 'failed', 'cancelled'].includes(records.get(bulk.job.id)?.state ?? ''), 'bulk stop');
const bulkS = (Date.now() - bulkStart) / 1000;
const perHostMax = Math.max(...lab.hosts.map((h) => jobStats(lab.host(h.name)).maxActionsRunning));
const cap = DEFAULT_SCHEDULER_CONFIG.lanes.CONTROL.hostLimit;
const final = records.get(bulk.job.id)!;

ws.close();
await app.close();
await lab.close();
temp.cleanup();

const figures = {
  streaming_jobs: ids.length,
  streaming_jobs_concurrent_max: overlap,
  lines_measured: latencies.length,
  line_latency_p50_ms: percentile(latencies, 50),
  line_latency_p95_ms: percentile(latencies, 95),
  line_latency_max_ms: Math.max(...latencies),
  bulk_vms: targets.length,
  bulk_hosts: new Set(targets.map((t) => t.hostId)).size,
  bulk_s: Math.round(bulkS * 100) / 100,
  bulk_succeeded: final.bulk?.succeeded ?? 0,
  bulk_failed: final.bulk?.failed ?? 0,
  per_host_cap: cap,
  per_host_max_seen: perHostMax,
  bulk_cap_exceeded: perHostMax > cap,
};
console.log(JSON.stringify(figures));
process.exit(0);
