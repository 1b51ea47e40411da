import { describe, expect, test } from 'vitest';
import { compileQuery, parseQuery } from '../../src/shared/query';
import { decodeInventorySnapshot, encodeInventorySnapshot } from '../../src/shared/inventory-wire';
import { filterAndSort, type TableContext } from '../../src/renderer/components/vm-table/table-model';
import { searchWithQuery } from '../../src/renderer/features/search/search-index';
import { InventoryModel } from '../../src/renderer/stores/inventory-model';
import { makeHost, makeVm } from './fixtures';

// `tag:` in the tables and the search reads the row's own tags (InventoryVm.tags), as the backend
// sends them in a tags.update delta and in the column-wise snapshot (test/tags/tags-store.test.ts
// checks the store's side).
const query = (text: string) => {
  const parsed = parseQuery(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return compileQuery(parsed.query);
};

describe('tag: filters on the rows the backend sends', () => {
  test('after a delta and through a snapshot: tag:prod, -tag:prod and tag:pro* split the table; the search counts them', () => {
    const vms = Array.from({ length: 6 }, (_, i) => makeVm('hv01', i));
    const model = new InventoryModel();
    model.replace(decodeInventorySnapshot(encodeInventorySnapshot({ hosts: [makeHost('hv01')], vms })));
    // The delta a tags.update emits: the rows again, with their tags.
    model.apply([{ hosts: { upsert: [], remove: [] }, vms: { upsert: [0, 2, 4].map((i) => ({ ...vms[i]!, tags: ['Prod', 'team:web'] })), remove: [] } }]);
    const ctx: TableContext = { vms: model.vms, hostName: () => 'HV01', clusterOf: () => undefined };
    const names = (text: string) => filterAndSort(model.vms.keys(), { query: query(text) }, { column: 'name', dir: 'asc' }, ctx).map((k) => model.vms.get(k)!.name);
    const tagged = ['vm-hv01-0000', 'vm-hv01-0002', 'vm-hv01-0004'];
    expect(names('tag:prod')).toEqual(tagged);
    expect(names('-tag:prod')).toEqual(['vm-hv01-0001', 'vm-hv01-0003', 'vm-hv01-0005']);
    expect(names('tag:pro*')).toEqual(tagged);
    expect(names('tag:team:web')).toEqual(tagged);

    const reloaded = new InventoryModel();
    reloaded.replace(decodeInventorySnapshot(encodeInventorySnapshot({ hosts: [makeHost('hv01')], vms: [...model.vms.values()] })));
    expect(searchWithQuery('tag:prod', [], reloaded, new Map()).matched).toBe(3);
  });
});
