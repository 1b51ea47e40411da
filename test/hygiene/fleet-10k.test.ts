// hygiene.findings' evaluation over 10,000 stored VMs (the size bench:hygiene times): every VM
// below the host default version is found once, and a second evaluation gives the same answer.
// Timing lives in the benchmark (npm run bench:hygiene), not here.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/shared/contract';
import { HygieneFacts, SnoozeStore, hygieneReport } from '../../src/main/hygiene';
import type { InventoryStore } from '../../src/main/store';
import { compareVersions } from '../../src/shared/hygiene/rules';
import { hygieneFleetStore } from '../../bench/hygiene-fleet';
import { tempDir } from '../support/temp';

let temp: ReturnType<typeof tempDir>;
let store: InventoryStore;

beforeAll(() => {
  temp = tempDir();
  store = hygieneFleetStore(temp.dir, 100, 100).store;
}, 60_000);
afterAll(() => {
  store?.close();
  temp?.cleanup();
});

test('10,000 VMs: the configuration-version findings are exactly the VMs below 10.0', () => {
  const facts = new HygieneFacts(store);
  const run = () => hygieneReport({ facts, snoozes: new SnoozeStore(store.db), thresholds: DEFAULT_SETTINGS.hygiene, orphanScans: new Map(), hostName: (id) => id, now: new Date() });
  const report = run();
  const gathered = facts.gather((id) => id);
  expect(gathered.vms).toHaveLength(10_000);
  const behind = gathered.vms.filter((vm) => compareVersions(vm.configurationVersion!, '10.0')! < 0).map((vm) => vm.vmId);
  expect(behind.length).toBeGreaterThan(1000);
  const found = report.findings.filter((f) => f.check === 'config-version').map((f) => f.vms[0]!.vmId);
  expect(new Set(found)).toEqual(new Set(behind));
  expect(found).toHaveLength(behind.length);
  expect(run().findings.map((f) => f.id)).toEqual(report.findings.map((f) => f.id));
});
