/**
 * Group commit (src/main/store/group-commit.ts via InventoryStore.queueFull): several hosts' full
 * results in one SQLite transaction, on a real file. What must hold is what one transaction per
 * host gave: results finish in order, memory and deltas never carry uncommitted rows, a batch
 * SQLite cannot write rejects exactly its hosts and changes nothing, and revisions stay gap-free.
 * The full disk is real SQLite: the file is capped at its size (max_page_count) and filled, so a
 * growing write fails with SQLITE_FULL as it does on a full drive.
 */
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, test } from 'vitest';
import { isDiskFull } from '../../src/main/diagnostics/faults';
import { EventHub } from '../../src/main/events/event-hub';
import { defaultSync, InventoryStore, type FullInventoryInput } from '../../src/main/store';
import type { InventoryDelta, StateEvent } from '../../src/shared/contract';
import { tempDir } from '../support/temp';
import { fillSqliteUp } from '../support/disk-full';

function vmId(host: number, i: number): string {
  return `00000000-0000-4000-8000-${String(host * 1000 + i).padStart(12, '0')}`;
}

function full(host: number, count: number, options: { cluster?: string | null; state?: 'Running' | 'Off'; notes?: string } = {}): FullInventoryInput {
  return {
    host: { computerName: `HV${host}`, cluster: options.cluster ?? null, cpuCores: 32, memoryGb: 256, memoryAvailableGb: null, switches: null, warnings: [] },
    vms: Array.from({ length: count }, (_, i) => ({
      vmId: vmId(host, i),
      name: `vm-${host}-${i}`,
      state: options.state ?? 'Running',
      config: {
        processorCount: 2, memoryStartupMb: 4096, memoryMinMb: null, memoryMaxMb: null, dynamicMemory: false, generation: 2, configurationVersion: '10.0',
        notes: options.notes ?? null, operatingSystem: 'Windows Server 2022', createdAt: '2024-01-01T00:00:00Z', clustered: false, ipAddresses: [],
        disks: [], nics: [],
      },
    })),
    observedAt: new Date().toISOString(),
    agentTimestamp: null,
    complete: true,
    keep: { nics: false, disks: false, os: false },
  };
}
const fresh = () => ({ ...defaultSync(), state: 'fresh' as const, lastSuccessAt: new Date().toISOString() });

describe('group commit of full results (real SQLite file)', () => {
  const temps: Array<ReturnType<typeof tempDir>> = [];
  const opened: Array<{ close(): void }> = [];
  afterEach(() => {
    for (const o of opened.splice(0)) {
      try {
        o.close();
      } catch {
        // already closed by the test
      }
    }
    temps.splice(0).forEach((t) => t.cleanup());
  });
  function setup(groupCommit = { maxDelayMs: 60_000, maxItems: 3 }) {
    const t = tempDir();
    temps.push(t);
    const file = path.join(t.dir, 'inventory.db');
    const store = InventoryStore.open(file, () => new Date(), { groupCommit });
    opened.push(store);
    store.syncConfiguredHosts(['h1', 'h2', 'h3', 'h4', 'h5'].map((id) => ({ id })));
    // A second connection sees only what is committed.
    const reader = new DatabaseSync(file);
    opened.push(reader);
    const onDisk = (hostId: string) => Number((reader.prepare('SELECT COUNT(*) AS n FROM vms WHERE host_id = ?').get(hostId) as { n: number }).n);
    const inMemory = (hostId: string) => store.snapshot().vms.filter((v) => v.hostId === hostId).length;
    return { store, file, reader, onDisk, inMemory };
  }

  test('several hosts commit in one transaction, finish in the order queued, and memory and deltas carry only committed rows; revisions stay gap-free', async () => {
    const { store, onDisk, inMemory } = setup();
    const hub = new EventHub();
    const events: StateEvent[] = [];
    hub.subscribe((e) => events.push(e), ['inventory']);
    const finished: string[] = [];
    const seenAtFinish: Record<string, { disk: number; memory: number }> = {};
    const publishAfter = (hostId: string) => (delta: InventoryDelta) => {
      finished.push(hostId);
      seenAtFinish[hostId] = { disk: onDisk(hostId), memory: inMemory(hostId) };
      hub.publishTopicDelta('inventory', delta);
      return delta;
    };
    const first = store.queueFull('h1', full(1, 5), fresh()).then(publishAfter('h1'));
    const second = store.queueFull('h2', full(2, 7), fresh()).then(publishAfter('h2'));
    // Queued, not committed: neither the file nor the store's memory (snapshots) has them yet.
    expect([onDisk('h1'), onDisk('h2'), inMemory('h1'), inMemory('h2')]).toEqual([0, 0, 0, 0]);
    expect(store.host('h1')?.sync.state).toBe('never');
    // The third fills the batch (maxItems 3): all three commit at once, in this call.
    const third = store.queueFull('h3', full(3, 4), fresh()).then(publishAfter('h3'));
    expect([onDisk('h1'), onDisk('h2'), onDisk('h3')]).toEqual([5, 7, 4]);
    const deltas = await Promise.all([first, second, third]);
    expect(finished).toEqual(['h1', 'h2', 'h3']);
    // Each delta was published when its rows were in the file and in memory, and only its own host's.
    expect(seenAtFinish).toEqual({ h1: { disk: 5, memory: 5 }, h2: { disk: 7, memory: 7 }, h3: { disk: 4, memory: 4 } });
    expect(deltas.map((d) => new Set(d.vms.upsert.map((v) => v.hostId)))).toEqual([new Set(['h1']), new Set(['h2']), new Set(['h3'])]);
    expect(deltas.map((d) => d.vms.upsert.length)).toEqual([5, 7, 4]);
    expect(events.map((e) => e.revision)).toEqual([1, 2, 3]);
    expect(store.host('h2')?.sync).toMatchObject({ state: 'fresh', generation: 1 });
  });

  test('a batch commits when its wait is over; a host queued twice, or a host of a cluster already queued, commits the earlier batch first', async () => {
    const { store, onDisk, inMemory } = setup({ maxDelayMs: 20, maxItems: 64 });
    const a = store.queueFull('h1', full(1, 3), fresh());
    expect(onDisk('h1')).toBe(0);
    // The same host again: its first result must be committed (and in memory) before the second is worked out.
    const b = store.queueFull('h1', full(1, 5, { state: 'Off' }), fresh());
    expect([onDisk('h1'), inMemory('h1')]).toEqual([3, 3]);
    const c = store.queueFull('h2', full(2, 2, { cluster: 'C1' }), fresh());
    const d = store.queueFull('h3', full(3, 2, { cluster: 'C1' }), fresh());
    // h3 reports the cluster h2 reports: h2 (with h1's second result) is committed first.
    expect([onDisk('h1'), onDisk('h2'), onDisk('h3')]).toEqual([5, 2, 0]);
    await Promise.all([a, b, c, d]);
    // The timer committed the last batch.
    expect(onDisk('h3')).toBe(2);
    expect(store.vm('h1', vmId(1, 0))?.state).toBe('Off');
    expect(store.host('h1')?.sync.generation).toBe(2);
    expect(store.host('h3')?.cluster).toBe('C1');
  });

  test('a batch SQLite cannot write (disk full) rejects exactly its hosts, changes nothing in memory or on disk, and the next batch goes through', async () => {
    const { store, reader, onDisk, inMemory } = setup({ maxDelayMs: 60_000, maxItems: 2 });
    await Promise.all([store.queueFull('h1', full(1, 10), fresh()), store.queueFull('h4', full(4, 2), fresh())]);
    const before = store.snapshot();
    const syncBefore = reader.prepare("SELECT host_id, state, generation FROM host_sync WHERE host_id IN ('h1', 'h2', 'h3') ORDER BY host_id").all();
    const release = fillSqliteUp(store.db);
    let failed: unknown[];
    try {
      // Big news from h2 and h3 (a changed h1 in the next batch would fit alone, but not with them).
      const results = await Promise.allSettled([store.queueFull('h2', full(2, 300, { notes: 'n'.repeat(2000) }), fresh()), store.queueFull('h3', full(3, 300, { notes: 'n'.repeat(2000) }), fresh())]);
      failed = results.map((r) => (r.status === 'rejected' ? r.reason : 'fulfilled'));
    } finally {
      release();
    }
    expect(failed.map((e) => isDiskFull(e))).toEqual([true, true]);
    // Nothing of the batch is in memory or in the file; what was stored before is all there.
    expect(store.snapshot()).toEqual(before);
    expect([onDisk('h1'), onDisk('h2'), onDisk('h3'), onDisk('h4')]).toEqual([10, 0, 0, 2]);
    expect(reader.prepare("SELECT host_id, state, generation FROM host_sync WHERE host_id IN ('h1', 'h2', 'h3') ORDER BY host_id").all()).toEqual(syncBefore);
    expect(Object.values(reader.prepare('PRAGMA integrity_check').get() as Record<string, unknown>)[0]).toBe('ok');
    // With room again the next batch is written.
    const [h2, h5] = await Promise.all([store.queueFull('h2', full(2, 3), fresh()), store.queueFull('h5', full(5, 1), fresh())]);
    expect([h2.vms.upsert.length, h5.vms.upsert.length]).toEqual([3, 1]);
    expect([onDisk('h2'), inMemory('h2'), onDisk('h5')]).toEqual([3, 3, 1]);
  });

  test('a result that cannot be applied rejects alone; the rest of its batch commits', async () => {
    const { store, onDisk } = setup({ maxDelayMs: 60_000, maxItems: 64 });
    const gone = store.queueFull('h2', full(2, 3), fresh());
    const kept = store.queueFull('h3', full(3, 3), fresh());
    // h2 is removed from the settings while its result waits for the batch.
    store.syncConfiguredHosts(['h1', 'h3', 'h4', 'h5'].map((id) => ({ id })));
    store.flushQueued();
    await expect(gone).rejects.toThrow(/unknown host h2/);
    expect((await kept).vms.upsert.length).toBe(3);
    expect([onDisk('h2'), onDisk('h3')]).toEqual([0, 3]);
  });

  test('close commits what is queued', async () => {
    const { store, file } = setup({ maxDelayMs: 60_000, maxItems: 64 });
    const queued = store.queueFull('h1', full(1, 4), fresh());
    store.close();
    expect((await queued).vms.upsert.length).toBe(4);
    const again = InventoryStore.open(file);
    opened.push(again);
    expect(again.snapshot().vms.filter((v) => v.hostId === 'h1')).toHaveLength(4);
  });
});
