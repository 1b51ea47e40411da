/**
 * bench:query — evaluation time of the query language (src/shared/query) over 50,000 VMs shaped
 * like the lab's (2,000 hosts × 25 VMs from the lab model generator), for the four example queries
 * of issue 16, against a plain Array.filter on a name substring in the same process.
 *
 * Prints one JSON line; exits 1 when any example's median exceeds 50 ms.
 */
import os from 'node:os';
import { compileQuery, parseQuery, type QueryContext } from '../src/shared/query';
import { generateLabModel, type LabModel } from '../test/lab/model';
import { labInventoryRows } from '../test/query/lab-rows';

const HOSTS = Number(process.env.BENCH_QUERY_HOSTS ?? 2000);
const VMS_PER_HOST = Number(process.env.BENCH_QUERY_VMS ?? 25);
const RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 41);
const LIMIT_MS = 50;
const EXAMPLES = ['state:running host:hv0* mem>8GB', '-state:off os:windows heartbeat:lost', 'name:"web 01" OR name:db*', 'cluster:CLU-A vcpu>=4 uptime>30d'];

const log = (line: string) => process.stderr.write(`[bench:query] ${line}\n`);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Median and p95 (ms) of `RUNS` timed runs after three warm-up runs; `run` returns the match count. */
function time(run: () => number): { medianMs: number; p95Ms: number; matched: number } {
  let matched = 0;
  for (let i = 0; i < 3; i++) matched = run();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    matched = run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return { medianMs: round(quantile(samples, 0.5)), p95Ms: round(quantile(samples, 0.95)), matched };
}

function main(): void {
  const generated = performance.now();
  // The lab's addresses stop at 254 hosts per model, so 2,000 hosts are eight models (seeds 1–8)
  // of 250, renamed hv01…hv2000 in order.
  const hosts: LabModel['hosts'] = [];
  for (let seed = 1; hosts.length < HOSTS; seed++) {
    const part = generateLabModel({ hosts: Math.min(250, HOSTS - hosts.length), vmsPerHost: VMS_PER_HOST, seed, clusters: 16 });
    for (const host of part.hosts) hosts.push({ ...host, name: `hv${String(hosts.length + 1).padStart(2, '0')}` });
  }
  const model: LabModel = { seed: 1, clusters: [], hosts };
  // Every example should select something: a few lost heartbeats, long uptimes and the names the third example asks for.
  const now = Date.now();
  let n = 0;
  for (const host of model.hosts) {
    for (const vm of host.vms) {
      n++;
      if (vm.state === 'Running' && n % 37 === 0) vm.guestUnresponsive = true;
      if (vm.state === 'Running' && n % 11 === 0) vm.bootedAt = new Date(now - 45 * 86_400_000).toISOString();
    }
    if (host.vms[0] && !host.vms.some((v) => v.name === 'web 01')) host.vms[0].name = 'web 01';
  }
  const { vms, hostName, clusterOf } = labInventoryRows(model, now);
  log(`${vms.length} VMs on ${model.hosts.length} hosts generated in ${Math.round(performance.now() - generated)} ms`);
  const ctx: QueryContext = { hostName, clusterOf, tags: () => [], now };

  // Baseline: what the table did before the query language (lower-case name substring), in the same process.
  const baseline = time(() => vms.filter((vm) => vm.name.toLowerCase().includes('web')).length);
  const queries = EXAMPLES.map((text) => {
    const parsed = parseQuery(text);
    if (!parsed.ok) throw new Error(`${text}: ${parsed.error.message}`);
    const test = compileQuery(parsed.query);
    // A fresh context per run, as the table builds one per filtering pass: per-host memory starts empty each time.
    return { query: text, ...time(() => vms.filter((vm) => test(vm, { ...ctx })).length) };
  });
  const slow = queries.filter((q) => q.medianMs > LIMIT_MS);
  const result = { bench: 'query', vms: vms.length, hosts: model.hosts.length, runs: RUNS, limitMs: LIMIT_MS, cores: os.availableParallelism(), node: process.version, baseline: { query: "name includes 'web'", ...baseline }, queries, ok: slow.length === 0 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (slow.length) {
    log(`over ${LIMIT_MS} ms median: ${slow.map((q) => `${q.query} (${q.medianMs} ms)`).join(', ')}`);
    process.exitCode = 1;
  }
}

main();
