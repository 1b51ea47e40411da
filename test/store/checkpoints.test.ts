import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { parseFullInventory } from '../../src/main/inventory';
import { InventoryStore, defaultSync, type FullInventoryInput } from '../../src/main/store';
import { tempDir } from '../support/temp';

const VM_A = '11111111-2222-3333-4444-555555555555';
const VM_B = '66666666-7777-8888-9999-000000000000';
const CP_ROOT = 'AAAAAAAA-0000-0000-0000-000000000001';
const CP_CHILD = 'AAAAAAAA-0000-0000-0000-000000000002';
const CP_OTHER = 'AAAAAAAA-0000-0000-0000-000000000003';

/** An `inventory` result as agent 1.4.0 sends it (PascalCase), one VM with the given extra keys. */
function agentResult(vmExtra: Record<string, unknown>, warnings: string[] = []): unknown {
  return {
    Host: { ComputerName: 'HV01', ClusterName: null, TotalCpuCores: 16, TotalMemoryGB: 128, Timestamp: '2026-01-01T00:00:00Z' },
    VirtualMachines: [
      {
        Id: VM_A,
        Name: 'web-20',
        State: 'Off',
        ProcessorCount: 2,
        StartupMemoryGB: 4,
        Generation: 2,
        Disks: [{ Id: 'd1', Name: 'web-20.vhdx', Path: 'D:\\VMs\\web-20.vhdx', CapacityGB: 40 }],
        Networks: [],
        ...vmExtra,
      },
      { Id: VM_B, Name: 'db-01', State: 'Running', Disks: [], Networks: [] },
    ],
    Warnings: warnings,
  };
}

const CHECKPOINTS = {
  // Listed newest first on purpose: the store keeps them oldest first.
  Checkpoints: [
    { Id: CP_CHILD, Name: 'after patch', ParentId: CP_ROOT, CreationTime: '2026-01-02T10:00:00.0000000Z', Type: 'Production' },
    { Id: CP_ROOT, Name: 'before patch', ParentId: null, CreationTime: '2026-01-01T09:00:00.0000000Z', Type: 'Standard' },
  ],
  ParentCheckpointId: CP_CHILD,
};

const fresh = () => ({ ...defaultSync(), state: 'fresh' as const, lastSuccessAt: new Date().toISOString() });
const parse = (data: unknown): FullInventoryInput => parseFullInventory(data, 'hv01', new Date().toISOString());

describe('checkpoints in the inventory store (agent 1.4.0 Checkpoints[], real SQLite files)', () => {
  const temps: Array<ReturnType<typeof tempDir>> = [];
  const open = () => {
    const t = tempDir();
    temps.push(t);
    const file = path.join(t.dir, 'inventory.db');
    const store = InventoryStore.open(file);
    store.syncConfiguredHosts([{ id: 'h1' }]);
    return { file, store };
  };
  afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));

  test('the row carries count and oldest time, the VM page the tree and the current checkpoint; both survive a reopen', () => {
    const { file, store } = open();
    store.applyFull('h1', parse(agentResult(CHECKPOINTS)), fresh());
    expect(store.vm('h1', VM_A)).toMatchObject({ checkpointCount: 2, oldestCheckpointAt: '2026-01-01T09:00:00.0000000Z' });
    expect(store.vm('h1', VM_B)).toMatchObject({ checkpointCount: 0, oldestCheckpointAt: null });
    const details = store.vmDetail('h1', VM_A)!.details;
    expect(details.checkpoints).toEqual([
      { id: CP_ROOT.toLowerCase(), name: 'before patch', parentId: null, createdAt: '2026-01-01T09:00:00.0000000Z', type: 'Standard' },
      { id: CP_CHILD.toLowerCase(), name: 'after patch', parentId: CP_ROOT.toLowerCase(), createdAt: '2026-01-02T10:00:00.0000000Z', type: 'Production' },
    ]);
    expect(details.currentCheckpointId).toBe(CP_CHILD.toLowerCase());
    store.close();

    const reopened = InventoryStore.open(file);
    expect(reopened.vm('h1', VM_A)).toMatchObject({ checkpointCount: 2, oldestCheckpointAt: '2026-01-01T09:00:00.0000000Z' });
    expect(reopened.vmDetail('h1', VM_A)!.details.checkpoints).toHaveLength(2);
    reopened.close();
  });

  test('a new checkpoint, a rename or a new current one changes the detailsHash; the same list in another order does not', () => {
    const { store } = open();
    store.applyFull('h1', parse(agentResult(CHECKPOINTS)), fresh());
    const hash = store.vm('h1', VM_A)!.detailsHash;
    const reordered = { ...CHECKPOINTS, Checkpoints: [...CHECKPOINTS.Checkpoints].reverse() };
    const same = store.applyFull('h1', parse(agentResult(reordered)), fresh());
    expect(same.vms.upsert.map((v) => v.vmId)).not.toContain(VM_A);
    expect(store.vm('h1', VM_A)!.detailsHash).toBe(hash);

    const renamed = { ...CHECKPOINTS, Checkpoints: CHECKPOINTS.Checkpoints.map((c) => (c.Id === CP_ROOT ? { ...c, Name: 'baseline' } : c)) };
    store.applyFull('h1', parse(agentResult(renamed)), fresh());
    const afterRename = store.vm('h1', VM_A)!.detailsHash;
    expect(afterRename).not.toBe(hash);
    expect(store.vmDetail('h1', VM_A)!.details.checkpoints[0]!.name).toBe('baseline');

    const added = { Checkpoints: [...renamed.Checkpoints, { Id: CP_OTHER, Name: 'third', ParentId: CP_CHILD, CreationTime: '2026-01-03T08:00:00Z', Type: 'Standard' }], ParentCheckpointId: CP_OTHER };
    const delta = store.applyFull('h1', parse(agentResult(added)), fresh());
    expect(delta.vms.upsert.find((v) => v.vmId === VM_A)).toMatchObject({ checkpointCount: 3 });
    expect(store.vm('h1', VM_A)!.detailsHash).not.toBe(afterRename);
    expect(store.vmDetail('h1', VM_A)!.details.currentCheckpointId).toBe(CP_OTHER.toLowerCase());

    // All deleted: the agent leaves the key out; the row says none.
    store.applyFull('h1', parse(agentResult({})), fresh());
    expect(store.vm('h1', VM_A)).toMatchObject({ checkpointCount: 0, oldestCheckpointAt: null });
    expect(store.vmDetail('h1', VM_A)!.details).toMatchObject({ checkpoints: [], currentCheckpointId: null });
    store.close();
  });

  test('a failed checkpoint query keeps the stored checkpoints (warning); an older agent without the key means none', () => {
    const { store } = open();
    store.applyFull('h1', parse(agentResult(CHECKPOINTS)), fresh());
    const failed = parse(agentResult({}, ['Checkpoint query failed: The operation on computer HV01 failed']));
    expect(failed.keep.checkpoints).toBe(true);
    store.applyFull('h1', failed, fresh());
    expect(store.vm('h1', VM_A)).toMatchObject({ checkpointCount: 2 });
    expect(store.vmDetail('h1', VM_A)!.details.currentCheckpointId).toBe(CP_CHILD.toLowerCase());

    const older = parse(agentResult({}));
    expect(older.keep.checkpoints).toBe(false);
    expect(older.vms[0]!.config.checkpoints).toEqual([]);
    store.applyFull('h1', older, fresh());
    expect(store.vm('h1', VM_A)).toMatchObject({ checkpointCount: 0, oldestCheckpointAt: null });
    store.close();
  });

  test("a VM without checkpoints hashes as before schema 6 (an upgrade rewrites no VM); a deleted VM's checkpoints go with it", () => {
    const { store } = open();
    const withKeys = parse(agentResult({}));
    const withoutKeys = structuredClone(withKeys);
    for (const vm of withoutKeys.vms) {
      delete vm.config.checkpoints;
      delete vm.config.currentCheckpointId;
    }
    store.applyFull('h1', withoutKeys, fresh());
    const hash = store.vm('h1', VM_A)!.detailsHash;
    const delta = store.applyFull('h1', withKeys, fresh());
    expect(delta.vms.upsert.map((v) => v.vmId)).not.toContain(VM_A);
    expect(store.vm('h1', VM_A)!.detailsHash).toBe(hash);

    store.applyFull('h1', parse(agentResult(CHECKPOINTS)), fresh());
    const gone = parse(agentResult(CHECKPOINTS));
    gone.vms = gone.vms.filter((v) => v.vmId !== VM_A);
    store.applyFull('h1', gone, fresh());
    expect(store.vm('h1', VM_A)).toBeUndefined();
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM vm_checkpoints').get()).toEqual({ n: 0 });
    store.close();
  });
});
