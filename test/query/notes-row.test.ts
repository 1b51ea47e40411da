import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { parseFullInventory } from '../../src/main/inventory';
import { InventoryStore, defaultSync } from '../../src/main/store';
import { decodeInventorySnapshot, encodeInventorySnapshot } from '../../src/shared/inventory-wire';
import { compileQuery, parseQuery } from '../../src/shared/query';
import { tempDir } from '../support/temp';

const VM_A = '11111111-2222-3333-4444-555555555555';
const VM_B = '66666666-7777-8888-9999-000000000000';

function agentResult(notesA: string | null): unknown {
  return {
    Host: { ComputerName: 'HV01', ClusterName: null, TotalCpuCores: 16, TotalMemoryGB: 128, Timestamp: '2026-01-01T00:00:00Z' },
    VirtualMachines: [
      { Id: VM_A, Name: 'web-20', State: 'Off', Notes: notesA, Disks: [], Networks: [] },
      { Id: VM_B, Name: 'db-01', State: 'Running', Notes: '', Disks: [], Networks: [] },
    ],
    Warnings: [],
  };
}

const fresh = () => ({ ...defaultSync(), state: 'fresh' as const, lastSuccessAt: new Date().toISOString() });

describe('notes on the inventory row, for free text in queries (real SQLite file)', () => {
  const temps: Array<ReturnType<typeof tempDir>> = [];
  afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));

  test('the row carries the notes (empty notes as null), after a refresh, through the wire and after a reopen', () => {
    const t = tempDir();
    temps.push(t);
    const file = path.join(t.dir, 'inventory.db');
    const store = InventoryStore.open(file);
    store.syncConfiguredHosts([{ id: 'h1' }]);
    store.applyFull('h1', parseFullInventory(agentResult('Owner: platform team\nTicket OPS-1234'), 'h1', new Date().toISOString()), fresh());
    expect(store.vm('h1', VM_A)?.notes).toBe('Owner: platform team\nTicket OPS-1234');
    expect(store.vm('h1', VM_B)?.notes).toBeNull();

    const snapshot = store.snapshot();
    expect(decodeInventorySnapshot(JSON.parse(JSON.stringify(encodeInventorySnapshot(snapshot)))).vms.map((vm) => vm.notes).sort()).toEqual(['Owner: platform team\nTicket OPS-1234', null].sort());

    const parsed = parseQuery('ops-1234');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const test = compileQuery(parsed.query);
    const ctx = { hostName: (h: string) => h, clusterOf: () => null, tags: () => [], now: Date.now() };
    expect(snapshot.vms.filter((vm) => test(vm, ctx)).map((vm) => vm.name)).toEqual(['web-20']);

    // Edited notes reach the row with the next refresh.
    store.applyFull('h1', parseFullInventory(agentResult('retired'), 'h1', new Date().toISOString()), fresh());
    expect(store.vm('h1', VM_A)?.notes).toBe('retired');
    store.close();

    const reopened = InventoryStore.open(file);
    expect(reopened.vm('h1', VM_A)?.notes).toBe('retired');
    expect(reopened.vm('h1', VM_B)?.notes).toBeNull();
    reopened.close();
  });
});
