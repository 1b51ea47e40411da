/**
 * bench:hygiene — `hygiene.findings` over a store of 10,000 VMs (100 hosts × 100): the facts read
 * from the store (two table scans plus the in-memory rows), every rule, snoozes applied. One JSON
 * line: the median and worst of 20 evaluations after 3 warm-ups.
 *
 *   npm run bench:hygiene [-- --hosts 100 --vms-per-host 100]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SETTINGS } from '../src/shared/contract';
import { HygieneFacts, SnoozeStore, hygieneReport } from '../src/main/hygiene';
import { hygieneFleetStore } from './hygiene-fleet';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const dir = mkdtempSync(path.join(os.tmpdir(), 'aetherv-bench-hygiene-'));
try {
  const { store, vms } = hygieneFleetStore(dir, arg('hosts', 100), arg('vms-per-host', 100));
  const facts = new HygieneFacts(store);
  const snoozes = new SnoozeStore(store.db);
  const run = () => hygieneReport({ facts, snoozes, thresholds: DEFAULT_SETTINGS.hygiene, orphanScans: new Map(), hostName: (id) => id, now: new Date() });
  for (let i = 0; i < 3; i++) run();
  const times: number[] = [];
  let findings = 0;
  for (let i = 0; i < 20; i++) {
    const start = performance.now();
    findings = run().findings.length;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  console.log(JSON.stringify({ bench: 'hygiene', vms, findings, medianMs: round(times[10]!), maxMs: round(times[times.length - 1]!), node: process.version }));
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
