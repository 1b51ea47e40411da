/**
 * Group commit through the real inventory service (harness: scheduler, RemoteHosts, NTLM-sealed
 * WinRM to lab hosts, a SQLite file): the hosts whose results shared a batch that could not be
 * written all take today's disk-full path ("Local disk full", stale, not unreachable), a host
 * outside the batch is untouched, nothing stored is lost, and what the renderer was sent (the
 * deltas, in revision order) is exactly what the store holds. The full disk is real SQLite: the
 * file is capped at its size (max_page_count) and filled, so growing writes fail with SQLITE_FULL.
 */
import type { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLab, type Lab } from '../lab';
import { tempDir } from '../support/temp';
import { configureHosts, installAgent, startHarness, type Harness } from './support/harness';
import { fillSqliteUp } from '../support/disk-full';

describe('group commit in the inventory service: a batch that cannot be written', () => {
  const temp = tempDir();
  let lab: Lab;
  let h: Harness;
  const names = ['hv01', 'hv02', 'hv03', 'hv04'];
  const idOf = (name: string) => h.hostIds.get(name)!;
  const vmKeysOf = (name: string) => h.api.snapshot().vms.filter((v) => v.hostId === idOf(name) && !v.placeholder).map((v) => v.key).sort();

  beforeAll(async () => {
    lab = await startLab({ hosts: 4, vmsPerHost: 5, clusters: 0, seed: 17 });
    for (const info of lab.hosts) installAgent(lab, info.name);
    await configureHosts(temp.dir, lab.hosts);
    // Batches of 3, committed only when full (or after 1.5 s): the startup refresh's first three
    // hosts share one, and so do the three refreshed together below.
    h = await startHarness(temp.dir, { backgroundLoops: false, groupCommit: { maxDelayMs: 1_500, maxItems: 3 } });
    await h.api.initialRefresh;
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await lab?.close();
    temp.cleanup();
  });

  test('every host of the failed batch is "Local disk full" and keeps its rows; the host outside it stays fresh; deltas match the store', async () => {
    expect(h.api.snapshot().hosts.map((x) => x.sync.state)).toEqual(['fresh', 'fresh', 'fresh', 'fresh']);
    const before = new Map(names.map((n) => [n, vmKeysOf(n)]));
    const db = (h.api.store as unknown as { db: DatabaseSync }).db;
    const release = fillSqliteUp(db);
    try {
      // hv02 and hv03 have news (new VMs with long notes) that cannot fit; hv01's own write might.
      for (const name of ['hv02', 'hv03']) {
        const model = lab.host(name).model;
        const template = model.vms[0]!;
        for (let i = 0; i < 100; i++) model.vms.push({ ...template, id: `00000000-0000-4000-8${name.slice(2)}0-${String(i).padStart(12, '0')}`, name: `${name}-fill-${i}`, notes: 'n'.repeat(2000) });
      }
      const outcomes = await Promise.all(['hv01', 'hv02', 'hv03'].map((n) => h.api.refresh(idOf(n))));
      expect(outcomes.map((o) => Object.values(o)[0])).toEqual(['failed', 'failed', 'failed']);
    } finally {
      release();
    }
    for (const name of ['hv01', 'hv02', 'hv03']) {
      const sync = h.api.snapshot().hosts.find((x) => x.hostId === idOf(name))!.sync;
      expect(sync.state, name).toBe('stale');
      expect(sync.lastError, name).toMatch(/^Local disk full: /);
      expect(sync.consecutiveFailures, name).toBe(0);
    }
    expect(h.notifications.map((n) => n.title).filter((t) => /unreachable/.test(t))).toEqual([]);
    expect(h.api.snapshot().hosts.find((x) => x.hostId === idOf('hv04'))!.sync.state).toBe('fresh');
    // Nothing stored was lost, nothing of the failed batch was applied, and the renderer's view
    // (every delta in revision order; mirrorOf throws on a revision gap) is exactly the store's.
    for (const name of names) expect(vmKeysOf(name), name).toEqual(before.get(name));
    const mirror = h.mirror();
    const sortKeys = <T extends { key: string }>(vms: T[]) => [...vms].sort((a, b) => a.key.localeCompare(b.key));
    expect(sortKeys(mirror.vms)).toEqual(sortKeys(h.api.snapshot().vms));

    // Room again: the same hosts refresh, their news is stored and sent.
    const again = await Promise.all(['hv01', 'hv02', 'hv03'].map((n) => h.api.refresh(idOf(n))));
    expect(again.map((o) => Object.values(o)[0])).toEqual(['refreshed', 'refreshed', 'refreshed']);
    expect(vmKeysOf('hv02')).toHaveLength(105);
    expect(h.api.snapshot().hosts.map((x) => x.sync.state)).toEqual(['fresh', 'fresh', 'fresh', 'fresh']);
    expect(sortKeys(h.mirror().vms)).toEqual(sortKeys(h.api.snapshot().vms));
  }, 60_000);
});
