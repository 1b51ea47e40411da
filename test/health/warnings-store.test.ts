import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { parseFullInventory } from '../../src/main/inventory/parse';
import { InventoryStore, defaultSync } from '../../src/main/store';
import { tempDir } from '../support/temp';

const VM_A = '11111111-2222-3333-4444-555555555555';
const VM_B = '66666666-7777-8888-9999-000000000000';

/** An agent `inventory` result as Get-HostInventory.ps1 prints it, with the warnings given. */
function agentResult(warnings: { host?: string[]; top?: string[]; vmA?: string[] }) {
  const vm = (id: string, name: string, own?: string[]) => ({
    Id: id,
    Name: name,
    State: 'Running',
    ProcessorCount: 2,
    StartupMemoryGB: 4,
    Generation: 2,
    Version: '10.0',
    ...(own ? { Warnings: own } : {}),
  });
  return {
    Host: { ComputerName: 'HV01', Timestamp: new Date().toISOString(), ClusterName: null, Warnings: warnings.host ?? [], TotalCpuCores: 16, TotalMemoryGB: 64 },
    VirtualMachines: [vm(VM_A, 'web-01', warnings.vmA), vm(VM_B, 'db-01')],
    Warnings: warnings.top ?? [],
  };
}

const fresh = () => ({ ...defaultSync(), state: 'fresh' as const, lastSuccessAt: new Date().toISOString() });

describe('agent warnings: parsed, stored with the host and the VM, cleared when no longer reported', () => {
  const temps: Array<ReturnType<typeof tempDir>> = [];
  afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));
  const newFile = () => {
    const t = tempDir();
    temps.push(t);
    return path.join(t.dir, 'inventory.db');
  };
  const apply = (store: InventoryStore, result: unknown) => store.applyFull('h1', parseFullInventory(result, 'hv01', new Date().toISOString()), fresh());

  test('host and VM warnings survive a restart of the store (SQLite file), and a later inventory without them clears them', () => {
    const file = newFile();
    let store = InventoryStore.open(file);
    store.syncConfiguredHosts([{ id: 'h1' }]);
    apply(store, agentResult({ host: ['CPU inventory failed: access denied'], top: ['Checkpoint query failed: The operation timed out'], vmA: ['Guest OS (KVP) query failed: no answer'] }));
    const hashBefore = store.vm('h1', VM_A)!.detailsHash;
    expect((store.hostList()[0]!.warnings ?? [])).toEqual(['CPU inventory failed: access denied', 'Checkpoint query failed: The operation timed out']);
    expect(store.vmDetail('h1', VM_A)!.details.warnings ?? []).toEqual(['Guest OS (KVP) query failed: no answer']);
    expect(store.vmDetail('h1', VM_B)!.details.warnings ?? []).toEqual([]);
    store.close();

    store = InventoryStore.open(file);
    expect(store.migrationsApplied).toEqual([]);
    expect((store.hostList()[0]!.warnings ?? [])).toEqual(['CPU inventory failed: access denied', 'Checkpoint query failed: The operation timed out']);
    expect(store.vmDetail('h1', VM_A)!.details.warnings ?? []).toEqual(['Guest OS (KVP) query failed: no answer']);

    // The next inventory reports none: both are cleared, the host in its delta, the VM with a new
    // details hash (the VM page reads its details again when that changes).
    const delta = apply(store, agentResult({}));
    expect(delta.hosts.upsert[0]).not.toHaveProperty('warnings');
    expect(delta.vms.upsert.map((v) => v.vmId)).toEqual([VM_A]);
    expect(store.vm('h1', VM_A)!.detailsHash).not.toBe(hashBefore);
    expect(store.vmDetail('h1', VM_A)!.details).not.toHaveProperty('warnings');
    store.close();
    store = InventoryStore.open(file);
    expect((store.hostList()[0]!.warnings ?? [])).toEqual([]);
    expect(store.vmDetail('h1', VM_A)!.details.warnings ?? []).toEqual([]);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM vm_config WHERE warnings IS NOT NULL').get()).toEqual({ n: 0 });
    store.close();
  });

  test('a VM without warnings hashes as before schema 9: an upgrade rewrites no configuration', () => {
    const store = InventoryStore.open(newFile());
    store.syncConfiguredHosts([{ id: 'h1' }]);
    apply(store, agentResult({}));
    const changes = () => (store.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    const before = changes();
    expect(apply(store, agentResult({})).vms.upsert).toEqual([]);
    expect(changes() - before).toBe(1); // the host's sync row only
    store.close();
  });

  test('warnings are bounded: control characters become spaces, each is cut, duplicates and the excess go', () => {
    const long = 'x'.repeat(2000);
    const parsed = parseFullInventory(agentResult({ host: ['line\r\nbreak\u0007bell', 'same', 'same', long, ...Array.from({ length: 40 }, (_, i) => `w${i}`)] }), 'hv01', new Date().toISOString());
    expect(parsed.host.warnings[0]).toBe('line break bell');
    expect(parsed.host.warnings[1]).toBe('same');
    expect(parsed.host.warnings[2]).toHaveLength(500);
    expect(parsed.host.warnings).toHaveLength(20);
  });
});
