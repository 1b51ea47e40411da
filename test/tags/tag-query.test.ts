import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { InventoryStore, defaultSync, type FullInventoryInput } from '../../src/main/store';
import { encodeInventorySnapshot, decodeInventorySnapshot } from '../../src/shared/inventory-wire';
import { compileQuery, parseQuery } from '../../src/shared/query';
import { filterAndSort, type TableContext } from '../../src/renderer/components/vm-table/table-model';
import { searchWithQuery } from '../../src/renderer/features/search/search-index';
import { InventoryModel } from '../../src/renderer/stores/inventory-model';
import { tempDir } from '../support/temp';

// `tag:` in the query language reads the row's own tags (InventoryVm.tags) in the tables and the
// search: tagged in the real store, carried by its delta and the column-wise snapshot, filtered.
const temps: Array<ReturnType<typeof tempDir>> = [];
afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));

const guid = (i: number) => `0b7a1c2d-3e4f-4a5b-8c6d-${String(i).padStart(12, '0')}`;
const fresh = () => ({ ...defaultSync(), state: 'fresh' as const, lastSuccessAt: new Date().toISOString() });

function listing(count: number): FullInventoryInput {
  return {
    host: { computerName: 'HV01', cluster: null, cpuCores: 8, memoryGb: 64, memoryAvailableGb: 32, switches: null, warnings: [] },
    vms: Array.from({ length: count }, (_, i) => ({
      vmId: guid(i),
      name: `web-${i}`,
      state: 'Running' as const,
      config: { processorCount: 2, memoryStartupMb: 2048, memoryMinMb: null, memoryMaxMb: null, dynamicMemory: false, generation: 2, configurationVersion: '10.0', notes: null, operatingSystem: null, createdAt: null, clustered: false, ipAddresses: [], disks: [], nics: [] },
    })),
    observedAt: new Date().toISOString(),
    agentTimestamp: null,
    complete: true,
    keep: { nics: false, disks: false, os: false },
  };
}

const query = (text: string) => {
  const parsed = parseQuery(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return compileQuery(parsed.query);
};

describe('tag: filters on the tags the backend sends', () => {
  test('tagged in the store, applied as a delta and through a snapshot: tag:prod and -tag:prod split the table', () => {
    const t = tempDir();
    temps.push(t);
    const store = InventoryStore.open(path.join(t.dir, 'inventory.db'));
    store.syncConfiguredHosts([{ id: 'h1' }]);
    store.applyFull('h1', listing(6), fresh());
    const model = new InventoryModel();
    model.replace(decodeInventorySnapshot(encodeInventorySnapshot(store.snapshot())));

    const { delta } = store.updateTags([0, 2, 4].map((i) => ({ hostId: 'h1', vmId: guid(i) })), ['Prod'], []);
    model.apply([delta]);
    const ctx: TableContext = { vms: model.vms, hostName: () => 'HV01', clusterOf: () => undefined };
    const names = (text: string) => filterAndSort(model.vms.keys(), { query: query(text) }, { column: 'name', dir: 'asc' }, ctx).map((k) => model.vms.get(k)!.name);
    expect(names('tag:prod')).toEqual(['web-0', 'web-2', 'web-4']);
    expect(names('-tag:prod')).toEqual(['web-1', 'web-3', 'web-5']);
    expect(names('tag:pro*')).toEqual(['web-0', 'web-2', 'web-4']);

    // A reload gets the same from the column-wise snapshot.
    const reloaded = new InventoryModel();
    reloaded.replace(decodeInventorySnapshot(encodeInventorySnapshot(store.snapshot())));
    const search = searchWithQuery('tag:prod', [], reloaded, new Map());
    expect(search.matched).toBe(3);
    store.close();
  });
});
