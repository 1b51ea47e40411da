import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { InventoryStore, defaultSync, type FullInventoryInput, type FullVmInput } from '../../src/main/store';
import { ContractError } from '../../src/shared/contract';
import { applyTagChange, tagProblem } from '../../src/shared/tag-rules';
import { decodeInventorySnapshot, encodeInventorySnapshot } from '../../src/shared/inventory-wire';
import { tempDir } from '../support/temp';

// Issue 16 item 4: tags keyed by VM GUID in inventory.db, kept through refreshes, restarts and
// moves between cluster nodes; bulk add/remove; bad input refused naming the tag.
const temps: Array<ReturnType<typeof tempDir>> = [];
afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));

const fresh = () => ({ ...defaultSync(), state: 'fresh' as const, lastSuccessAt: new Date().toISOString() });
const guid = (i: number) => `0b7a1c2d-3e4f-4a5b-8c6d-${String(i).padStart(12, '0')}`;

function vm(i: number, over: Partial<FullVmInput['config']> = {}): FullVmInput {
  return {
    vmId: guid(i),
    name: `web-${i}`,
    state: 'Running',
    config: { processorCount: 2, memoryStartupMb: 2048, memoryMinMb: null, memoryMaxMb: null, dynamicMemory: false, generation: 2, configurationVersion: '10.0', notes: null, operatingSystem: null, createdAt: null, clustered: true, ipAddresses: [], disks: [], nics: [], ...over },
  };
}

function listing(vms: FullVmInput[], cluster: string | null = 'CLU-A'): FullInventoryInput {
  return {
    host: { computerName: 'HV', cluster, cpuCores: 8, memoryGb: 64, memoryAvailableGb: 32, switches: null, warnings: [] },
    vms,
    observedAt: new Date().toISOString(),
    agentTimestamp: null,
    complete: true,
    keep: { nics: false, disks: false, os: false },
  };
}

function open(): { store: InventoryStore; file: string } {
  const t = tempDir();
  temps.push(t);
  const file = path.join(t.dir, 'inventory.db');
  const store = InventoryStore.open(file);
  store.syncConfiguredHosts([{ id: 'h1' }, { id: 'h2' }]);
  return { store, file };
}

describe('tag rules', () => {
  test('1–40 characters of letters, digits and - _ . : /', () => {
    expect(tagProblem('prod')).toBeNull();
    expect(tagProblem('team:web/eu-1_a.b')).toBeNull();
    expect(tagProblem('Prüfung')).toBeNull();
    expect(tagProblem('')).toMatch(/empty/);
    expect(tagProblem('x'.repeat(41))).toMatch(/41 characters/);
    expect(tagProblem('has space')).toMatch(/"has space"/);
    expect(tagProblem("o'brien")).toMatch(/"o'brien"/);
  });

  test('case-insensitive: adding "PROD" to a VM tagged "prod" changes nothing; removing "Prod" removes it', () => {
    expect(applyTagChange(['prod'], ['PROD'], [])).toEqual(['prod']);
    expect(applyTagChange(['prod', 'web'], [], ['Prod'])).toEqual(['web']);
    expect(applyTagChange([], ['a', 'A', 'b'], [])).toEqual(['a', 'b']);
  });
});

describe('tags in the inventory store', () => {
  test('bulk add and remove on many VMs emits their rows with the new tags', () => {
    const { store } = open();
    store.applyFull('h1', listing([1, 2, 3].map((i) => vm(i))), fresh());
    const targets = [1, 2, 3].map((i) => ({ hostId: 'h1', vmId: guid(i) }));
    const added = store.updateTags(targets, ['prod', 'web'], []);
    expect(added.changed).toBe(3);
    expect(added.delta.vms.upsert.map((v) => v.tags)).toEqual([['prod', 'web'], ['prod', 'web'], ['prod', 'web']]);
    expect(store.vm('h1', guid(2))?.tags).toEqual(['prod', 'web']);
    const removed = store.updateTags(targets.slice(0, 2), [], ['WEB']);
    expect(removed.changed).toBe(2);
    expect(store.vm('h1', guid(1))?.tags).toEqual(['prod']);
    expect(store.vm('h1', guid(3))?.tags).toEqual(['prod', 'web']);
    // Nothing to change: no row in the delta.
    expect(store.updateTags(targets.slice(0, 1), ['prod'], []).delta.vms.upsert).toEqual([]);
    store.close();
  });

  test('a bad tag or a VM past 32 tags refuses the whole request, naming it, and writes nothing', () => {
    const { store } = open();
    store.applyFull('h1', listing([vm(1), vm(2)]), fresh());
    const both = [1, 2].map((i) => ({ hostId: 'h1', vmId: guid(i) }));
    expect(() => store.updateTags(both, ['ok', 'not ok'], [])).toThrow(/"not ok"/);
    expect(store.vm('h1', guid(1))?.tags).toEqual([]);
    store.updateTags([both[0]!], Array.from({ length: 30 }, (_, i) => `t${i}`), []);
    let error: unknown;
    try {
      store.updateTags(both, ['x1', 'x2', 'x3'], []);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContractError);
    expect((error as Error).message).toMatch(/VM web-1 would have 33 tags/);
    expect(store.vm('h1', guid(2))?.tags).toEqual([]);
    expect(store.vm('h1', guid(1))?.tags).toHaveLength(30);
    store.close();
  });

  test('unknown targets are reported, not tagged', () => {
    const { store } = open();
    store.applyFull('h1', listing([vm(1)]), fresh());
    const result = store.updateTags([{ hostId: 'h1', vmId: guid(1) }, { hostId: 'h1', vmId: guid(9) }], ['prod'], []);
    expect(result).toMatchObject({ changed: 1, unknown: [`h1:${guid(9)}`] });
    store.close();
  });

  test('tags survive a refresh that changes the VM, a restart of the app, and a move to another cluster node', () => {
    const { store, file } = open();
    store.applyFull('h1', listing([vm(1)]), fresh());
    store.applyFull('h2', listing([]), fresh());
    store.updateTags([{ hostId: 'h1', vmId: guid(1) }], ['prod', 'db'], []);
    store.applyFull('h1', listing([vm(1, { processorCount: 8 })]), fresh());
    expect(store.vm('h1', guid(1))).toMatchObject({ processorCount: 8, tags: ['prod', 'db'] });
    store.close();

    const reopened = InventoryStore.open(file);
    expect(reopened.vm('h1', guid(1))?.tags).toEqual(['prod', 'db']);
    // A live migration: h1 no longer lists the VM, h2 does (same GUID).
    reopened.applyFull('h1', listing([]), fresh());
    reopened.applyFull('h2', listing([vm(1)]), fresh());
    expect(reopened.vm('h1', guid(1))).toBeUndefined();
    expect(reopened.vm('h2', guid(1))?.tags).toEqual(['prod', 'db']);
    // And on the wire: the column-wise snapshot the page loads carries them.
    expect(decodeInventorySnapshot(encodeInventorySnapshot(reopened.snapshot())).vms.find((v) => v.vmId === guid(1))?.tags).toEqual(['prod', 'db']);
    reopened.close();
  });

  test('two VMs with one GUID on two hosts share their tags', () => {
    const { store } = open();
    store.applyFull('h1', listing([vm(1)], null), fresh());
    store.applyFull('h2', listing([vm(1)], null), fresh());
    const { delta } = store.updateTags([{ hostId: 'h1', vmId: guid(1) }], ['copied'], []);
    expect(delta.vms.upsert.map((v) => v.key).sort()).toEqual([`h1:${guid(1)}`, `h2:${guid(1)}`]);
    expect(store.vm('h2', guid(1))?.tags).toEqual(['copied']);
    store.close();
  });
});
