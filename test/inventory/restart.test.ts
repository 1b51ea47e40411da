import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeInventorySnapshot } from '../../src/shared/inventory-wire';
import type { InventoryApi } from '../../src/main/inventory';
import { startLab, type Lab } from '../lab';
import { setInventoryKnobs } from '../lab/agent/inventory';
import { startTestBackend } from '../support/backend';
import { tempDir } from '../support/temp';
import { configureHosts, installAgent, startHarness } from './support/harness';

describe('database-first start: the cached inventory is served at once, damaged files are kept and rebuilt', () => {
  let lab: Lab;
  let temp: ReturnType<typeof tempDir>;
  let ids: Map<string, string>;

  beforeAll(async () => {
    temp = tempDir();
    lab = await startLab({ hosts: 3, vmsPerHost: 12, clusters: 0, seed: 21 });
    for (const info of lab.hosts) installAgent(lab, info.name);
    ids = await configureHosts(temp.dir, lab.hosts);
    const first = await startHarness(temp.dir, { backgroundLoops: false });
    await first.api.initialRefresh;
    expect(first.api.snapshot().vms).toHaveLength(36);
    await first.close();
  }, 30_000);

  afterAll(async () => {
    await lab?.close();
    temp?.cleanup();
  });

  test('with every host down, a restarted backend serves the cached inventory at once, marked stale', async () => {
    for (const info of lab.hosts) await lab.host(info.name).setKnobs({ unreachable: true });
    const started = Date.now();
    const app = await startTestBackend({ dataDir: temp.dir });
    try {
      const snapshot = decodeInventorySnapshot(app.backend.services.hub.snapshot('inventory').payload);
      const elapsed = Date.now() - started;
      expect(snapshot.vms).toHaveLength(36);
      expect(snapshot.vms.every((v) => v.stale && v.staleSince !== null)).toBe(true);
      // Not confirmed yet: "stale" (cached), already "preparing" (deployment is checking the agent),
      // or already "error" (a refused connection on loopback fails within the start-up itself).
      expect(snapshot.hosts.every((x) => x.sync.state === 'stale' || x.sync.state === 'preparing' || x.sync.state === 'error')).toBe(true);
      expect(elapsed).toBeLessThan(30_000); // sanity only; the real figure is in bench/inventory.ts
      // The hosts stay down: nothing is deleted, the VMs keep their last values.
      const api = app.backend.modules.get('inventory')!.api as InventoryApi;
      await api.refresh();
      const after = api.snapshot();
      expect(after.vms).toHaveLength(36);
      expect(after.hosts.every((x) => x.sync.state !== 'fresh')).toBe(true);
      const stats = await app.backend.invoke('inventory.syncStats', {});
      expect(stats.ok && (stats.data as { totals: { vms: number } }).totals.vms).toBe(36);
    } finally {
      await app.close();
      for (const info of lab.hosts) await lab.host(info.name).setKnobs({ unreachable: false });
    }
  }, 60_000);

  test("a host clock that jumps back does not hold its results: the workstation's request order decides", async () => {
    const h = await startHarness(temp.dir, { backgroundLoops: false });
    try {
      await h.api.initialRefresh;
      const id = ids.get('hv01')!;
      const vm = lab.host('hv01').model.vms[0]!;
      vm.name = 'renamed-late';
      // The host's clock is an hour behind the last answer it gave: its answer is still the newest
      // this workstation asked for, so it is applied (not held until the hour has passed).
      setInventoryKnobs(lab.host('hv01'), { clockOffsetMs: -3_600_000 });
      expect(await h.api.refresh(id)).toEqual({ [id]: 'refreshed' });
      expect(h.api.snapshot().vms.find((v) => v.vmId === vm.id)!.name).toBe('renamed-late');
      setInventoryKnobs(lab.host('hv01'), { clockOffsetMs: 0 });
      vm.name = 'renamed-again';
      expect(await h.api.refresh(id)).toEqual({ [id]: 'refreshed' });
      expect(h.api.snapshot().vms.find((v) => v.vmId === vm.id)!.name).toBe('renamed-again');
    } finally {
      await h.close();
    }
  });

  test('an unchanged full refresh writes only the host sync row', async () => {
    const h = await startHarness(temp.dir, { backgroundLoops: false });
    try {
      await h.api.initialRefresh;
      const changes = () => (h.api.store.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
      const before = changes();
      await h.api.refresh(ids.get('hv02')!);
      expect(changes() - before).toBe(1);
    } finally {
      await h.close();
    }
  });

  test('a corrupt database file is moved aside (kept), a notification says so, and the inventory is rebuilt from the hosts', async () => {
    const file = path.join(temp.dir, 'inventory.db');
    for (const suffix of ['-wal', '-shm']) if (existsSync(file + suffix)) writeFileSync(file + suffix, '');
    const garbage = Buffer.from('this is not a SQLite database '.repeat(200));
    writeFileSync(file, garbage);
    const h = await startHarness(temp.dir, { backgroundLoops: false });
    try {
      const kept = readdirSync(temp.dir).filter((f) => f.startsWith('inventory.db.corrupt-') && !f.endsWith('-wal') && !f.endsWith('-shm'));
      expect(kept).toHaveLength(1);
      expect(readFileSync(path.join(temp.dir, kept[0]!))).toEqual(garbage);
      expect(h.notifications.filter((n) => n.title === 'Inventory database rebuilt')).toHaveLength(1);
      await h.api.initialRefresh;
      expect(h.api.snapshot().vms).toHaveLength(36);
    } finally {
      await h.close();
    }
  });
});
