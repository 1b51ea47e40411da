import { describe, expect, test } from 'vitest';
import type { InventoryDelta } from '../../src/shared/contract';
import { InventoryModel } from '../../src/renderer/stores/inventory-model';
import { makeHost, makeVm } from './fixtures';

const delta = (upsert: InventoryDelta['vms']['upsert'], remove: string[]): InventoryDelta => ({ hosts: { upsert: [], remove: [] }, vms: { upsert, remove } });

describe('renderer model: two hosts with the same VM ID are two VMs; a move is followed', () => {
  const a = makeVm('hv01', 1);
  const copyOnB = { ...a, key: `hv02:${a.vmId}`, hostId: 'hv02', name: `${a.name}-copy` };

  test('the same VM ID on two hosts is two rows, each under its host', () => {
    const m = new InventoryModel();
    m.replace({ hosts: [makeHost('hv01'), makeHost('hv02')], vms: [a, copyOnB] });
    expect([...m.vms.keys()].sort()).toEqual([a.key, copyOnB.key].sort());
    expect(m.byHost.get('hv01')?.has(a.key)).toBe(true);
    expect(m.byHost.get('hv02')?.has(copyOnB.key)).toBe(true);
    // An update of one never touches the other.
    m.apply([delta([{ ...copyOnB, state: 'Off' }], [])]);
    expect(m.vms.get(a.key)?.state).toBe(a.state);
    expect(m.currentKey(a.key)).toBe(a.key);
  });

  test("a move (one delta removing the old key and adding the new one) is followed from the old key; a deletion is not", () => {
    const m = new InventoryModel();
    m.replace({ hosts: [makeHost('hv01'), makeHost('hv02')], vms: [a] });
    m.apply([delta([copyOnB], [a.key])]);
    expect(m.currentKey(a.key)).toBe(copyOnB.key);
    // A plain deletion elsewhere leaves nothing to follow.
    const other = makeVm('hv01', 2);
    m.apply([delta([other], [])]);
    m.apply([delta([], [other.key])]);
    expect(m.currentKey(other.key)).toBeUndefined();
    // And when the moved VM is later deleted, the old key leads nowhere.
    m.apply([delta([], [copyOnB.key])]);
    expect(m.currentKey(a.key)).toBeUndefined();
  });
});
