import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { BUCKET_MS, InventorySampler, MetricsStore, RAW_WINDOW_MS } from '../../src/main/metrics';
import type { InventoryDelta, InventoryHost, InventoryVm } from '../../src/shared/contract';
import { tempDir } from '../support/temp';

const HOST = 'h-1';
const VM_A = '11111111-2222-3333-4444-555555555555';
const VM_B = '66666666-7777-8888-9999-000000000000';
const H = 3_600_000;

const host = (id: string) => ({ kind: 'host' as const, hostId: id, vmId: '' });
const vm = (id: string) => ({ kind: 'vm' as const, hostId: HOST, vmId: id });
const figures = (cpu: number, assigned = 2048) => ({ cpuPercent: cpu, memoryAssignedMb: assigned, memoryDemandMb: assigned / 2, memoryUsedMb: null });

describe('metrics store on a real metrics.db', () => {
  const temps: Array<{ cleanup(): void }> = [];
  const stores: MetricsStore[] = [];
  const open = (dir?: string) => {
    const temp = dir ? undefined : tempDir();
    if (temp) temps.push(temp);
    const file = path.join(dir ?? temp!.dir, 'metrics.db');
    const store = MetricsStore.open(file);
    stores.push(store);
    return { store, file };
  };
  afterEach(() => {
    for (const s of stores.splice(0)) {
      try {
        s.close();
      } catch {
        // closed by the test
      }
    }
    for (const t of temps.splice(0)) t.cleanup();
  });

  test('writes batches and reads one series from a time on, oldest first; other series stay apart', () => {
    const { store, file } = open();
    const t0 = Date.UTC(2026, 0, 1, 12);
    for (let i = 0; i < 4; i++) {
      store.write({ at: t0 + i * 30_000, samples: [{ ...host(HOST), cpuPercent: 10 + i, memoryAssignedMb: 4096, memoryDemandMb: 3000, memoryUsedMb: 8000 + i }, { ...vm(VM_A), ...figures(5 * i) }, { ...vm(VM_B), ...figures(50) }] });
    }
    const hostHistory = store.history(host(HOST), t0 + 30_000, 48);
    expect(hostHistory.t).toEqual([t0 + 30_000, t0 + 60_000, t0 + 90_000]);
    expect(hostHistory.cpuPercent).toEqual([11, 12, 13]);
    expect(hostHistory.memoryUsedMb).toEqual([8001, 8002, 8003]);
    expect(hostHistory.retentionHours).toBe(48);
    const a = store.history(vm(VM_A), 0, 48);
    expect(a.cpuPercent).toEqual([0, 5, 10, 15]);
    expect(a.memoryAssignedMb).toEqual([2048, 2048, 2048, 2048]);
    expect(a.memoryUsedMb).toEqual([null, null, null, null]);
    expect(store.history(vm(VM_B), 0, 48).cpuPercent).toEqual([50, 50, 50, 50]);
    expect(store.history({ kind: 'vm', hostId: 'other', vmId: VM_A }, 0, 48).t).toEqual([]);
    expect(store.trends(t0 + 60_000)).toEqual({ hosts: [{ hostId: HOST, t: [t0 + 60_000, t0 + 90_000], cpuPercent: [12, 13], memoryUsedMb: [8002, 8003] }] });
    // The file holds it: a reopened store reads the same.
    store.close();
    const again = MetricsStore.open(file);
    stores.push(again);
    expect(again.history(vm(VM_A), 0, 48).cpuPercent).toEqual([0, 5, 10, 15]);
  });

  test('maintenance drops what is older than the retention and averages old samples per 5 minutes', () => {
    const { store } = open();
    const now = Date.UTC(2026, 0, 3, 12);
    const bucket = Math.floor((now - RAW_WINDOW_MS - H) / BUCKET_MS) * BUCKET_MS; // an hour before the raw window
    store.write({ at: now - 50 * H, samples: [{ ...vm(VM_A), ...figures(99) }] });
    for (const [i, cpu] of [10, 20, 30, 40, 50].entries()) store.write({ at: bucket + i * 30_000, samples: [{ ...vm(VM_A), ...figures(cpu, 1000 + i * 100) }] });
    const recent = [now - 60_000, now - 30_000];
    for (const t of recent) store.write({ at: t, samples: [{ ...vm(VM_A), ...figures(7) }] });

    const result = store.maintain(now, 48);
    expect(result.pruned).toBe(1);
    expect(result.rolledUp).toBe(5);
    const after = store.history(vm(VM_A), 0, 48);
    expect(after.t).toEqual([bucket, ...recent]);
    expect(after.cpuPercent).toEqual([30, 7, 7]);
    expect(after.memoryAssignedMb[0]).toBe(1200);
    expect(store.stats(true).samples).toBe(3);
    // A second pass changes nothing: averages are not averaged again.
    expect(store.maintain(now, 48)).toEqual({ pruned: 0, rolledUp: 0 });
    expect(store.history(vm(VM_A), 0, 48).cpuPercent).toEqual([30, 7, 7]);
    // A shorter retention prunes the rest of the old hours, and the series of a VM with nothing left.
    store.write({ at: now - 3 * H, samples: [{ ...vm(VM_B), ...figures(1) }] });
    store.maintain(now, 1);
    expect(store.history(vm(VM_A), 0, 1).t).toEqual(recent);
    expect(store.history(vm(VM_B), 0, 1).t).toEqual([]);
    expect(store.stats(true).series).toBe(1);
  });

  test('a damaged metrics.db is moved aside, not deleted, and a new history starts', () => {
    const temp = tempDir();
    temps.push(temp);
    const file = path.join(temp.dir, 'metrics.db');
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    const { store } = open(temp.dir);
    expect(store.recovered?.movedTo).toMatch(/metrics\.db\.corrupt-/);
    expect(existsSync(store.recovered!.movedTo)).toBe(true);
    expect(readdirSync(temp.dir).filter((f) => f.startsWith('metrics.db.corrupt-'))).toHaveLength(1);
    store.write({ at: 1_000, samples: [{ ...host(HOST), ...figures(3) }] });
    expect(store.history(host(HOST), 0, 48).cpuPercent).toEqual([3]);
  });
});

describe('sampling the inventory events', () => {
  const syncState = (lastQuickAt: string | null): InventoryHost['sync'] => ({
    state: 'fresh', lastAttemptAt: null, lastSuccessAt: '2026-01-01T12:00:00.000Z', lastQuickAt, consecutiveFailures: 0, nextAttemptAt: null, lastError: null, generation: 1, avgDurationMs: null, slow: false,
  });
  const hostRow = (lastQuickAt: string | null): InventoryHost => ({ hostId: HOST, computerName: 'HV1', cluster: null, cpuCores: 16, memoryGb: 64, memoryAvailableGb: 40, switches: null, sync: syncState(lastQuickAt) });
  const vmRow = (vmId: string, state: InventoryVm['state'], cpu: number | null, mem: number | null) =>
    ({ key: `${HOST}:${vmId}`, vmId, hostId: HOST, name: vmId.slice(0, 4), state, cpuPercent: cpu, memoryAssignedMb: mem, memoryDemandMb: mem, placeholder: false }) as unknown as InventoryVm;
  const delta = (hosts: InventoryHost[], vms: InventoryVm[] = []): InventoryDelta => ({ hosts: { upsert: hosts, remove: [] }, vms: { upsert: vms, remove: [] } });

  test('one batch per successful sync: the host (sum of its VMs, memory in use) and each running VM', () => {
    const sampler = new InventorySampler();
    sampler.reset({ hosts: [hostRow('2026-01-01T12:00:10.000Z')], vms: [vmRow(VM_A, 'Running', 12, 2048), vmRow(VM_B, 'Off', 0, 0)] });
    // A failed attempt (no new sync time) is no sample.
    expect(sampler.apply(delta([hostRow('2026-01-01T12:00:10.000Z')]))).toEqual([]);
    const [batch, ...more] = sampler.apply(delta([hostRow('2026-01-01T12:00:40.000Z')], [vmRow(VM_B, 'Running', 30, 1024)]));
    expect(more).toEqual([]);
    expect(batch!.at).toBe(Date.parse('2026-01-01T12:00:40.000Z'));
    const byKey = new Map(batch!.samples.map((s) => [`${s.kind}:${s.vmId}`, s]));
    expect(byKey.get(`vm:${VM_A}`)?.cpuPercent).toBe(12);
    expect(byKey.get(`vm:${VM_B}`)?.cpuPercent).toBe(30);
    expect(byKey.get('host:')).toMatchObject({ cpuPercent: 42, memoryAssignedMb: 3072, memoryUsedMb: 24 * 1024 });
    // The VM turned off: no VM row, and the host's sum no longer counts it.
    const [next] = sampler.apply(delta([hostRow('2026-01-01T12:01:10.000Z')], [vmRow(VM_B, 'Off', 0, 0)]));
    expect(next!.samples.map((s) => s.kind + ':' + s.vmId).sort()).toEqual(['host:', `vm:${VM_A}`]);
    expect(next!.samples.find((s) => s.kind === 'host')?.cpuPercent).toBe(12);
  });
});
