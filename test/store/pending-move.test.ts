import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { InventoryStore, defaultSync, type FullInventoryInput } from '../../src/main/store';
import { tempDir } from '../support/temp';

// Issue 15: a move's pending operation (confirmedBy `host`) travels with the VM's row between the
// nodes of its cluster and is confirmed only when the VM shows on the move's target host; an edit's
// (`result`) is never confirmed by an observation (the jobs service clears it after its job).
const VM = '0b7a1c2d-3e4f-4a5b-8c6d-7e8f90a1b2c3';
const temps: Array<ReturnType<typeof tempDir>> = [];
afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));

const fresh = () => ({ ...defaultSync(), state: 'fresh' as const, lastSuccessAt: new Date().toISOString() });

/** A complete enumeration of a node of CLU-A, listing the clustered VM or not. */
function node(listsVm: boolean, state: 'Running' | 'Off' = 'Running'): FullInventoryInput {
  return {
    host: { computerName: 'HV', cluster: 'CLU-A', cpuCores: 8, memoryGb: 64, memoryAvailableGb: 32, switches: null, warnings: [] },
    vms: listsVm
      ? [
          {
            vmId: VM,
            name: 'web-20',
            state,
            config: {
              processorCount: 2, memoryStartupMb: 2048, memoryMinMb: null, memoryMaxMb: null, dynamicMemory: false, generation: 2, configurationVersion: '10.0',
              notes: null, operatingSystem: null, createdAt: null, clustered: true, ipAddresses: [], disks: [], nics: [],
            },
          },
        ]
      : [],
    observedAt: new Date().toISOString(),
    agentTimestamp: null,
    complete: true,
    keep: { nics: false, disks: false, os: false },
  };
}

function cluster(): { store: InventoryStore; file: string } {
  const t = tempDir();
  temps.push(t);
  const file = path.join(t.dir, 'inventory.db');
  const store = InventoryStore.open(file);
  store.syncConfiguredHosts([{ id: 'h1' }, { id: 'h2' }, { id: 'h3' }]);
  store.applyFull('h1', node(true), fresh());
  store.applyFull('h2', node(false), fresh());
  store.applyFull('h3', node(false), fresh());
  return { store, file };
}

function requestMove(store: InventoryStore, targetHostId: string): string {
  const now = Date.now();
  return store.addPending({ hostId: 'h1', vmId: VM, action: 'move', desiredState: null, requestedAt: new Date(now).toISOString(), deadline: new Date(now + 60_000).toISOString(), jobId: 'job-1', targetHostId }).opId;
}

const pendingRows = (store: InventoryStore) => store.db.prepare('SELECT host_id, target_host_id FROM pending_ops').all();

describe('a move stays pending until the VM shows on its target host', () => {
  test('source enumerated first: the row waits as missing, still pending; the target listing it confirms the move', () => {
    const { store } = cluster();
    requestMove(store, 'h2');
    // The source still lists the VM (the migration has not switched over): pending, whatever its state.
    store.applyFull('h1', node(true, 'Running'), fresh());
    expect(store.vm('h1', VM)?.pending).toMatchObject({ action: 'move', desiredState: null });
    // The source no longer lists it: one enumeration of grace, and the move is still pending.
    store.applyFull('h1', node(false), fresh());
    expect(store.listPending()).toHaveLength(1);
    expect(pendingRows(store)).toEqual([{ host_id: 'h1', target_host_id: 'h2' }]);
    // The target lists it: the row moves there and the move is confirmed.
    const delta = store.applyFull('h2', node(true), fresh());
    expect(delta.vms.remove).toContain(`h1:${VM}`);
    expect(store.vm('h2', VM)).toMatchObject({ hostId: 'h2', pending: null });
    expect(store.vm('h1', VM)).toBeUndefined();
    expect(store.listPending()).toEqual([]);
    expect(pendingRows(store)).toEqual([]);
    store.close();
  });

  test('target enumerated first (both list it for a while): the hand-over from the source confirms it', () => {
    const { store } = cluster();
    requestMove(store, 'h2');
    store.applyFull('h2', node(true), fresh());
    // Two rows for one GUID while both list it: the pending note stays with the source's row.
    expect(store.vm('h1', VM)?.pending?.action).toBe('move');
    expect(store.vm('h2', VM)?.pending).toBeNull();
    store.applyFull('h1', node(false), fresh());
    expect(store.vm('h1', VM)).toBeUndefined();
    expect(store.vm('h2', VM)?.pending).toBeNull();
    expect(pendingRows(store)).toEqual([]);
    store.close();
  });

  test('a VM that went to another node than asked keeps its pending move (it travels with the row), persisted across a reopen', () => {
    const { store, file } = cluster();
    requestMove(store, 'h2');
    store.applyFull('h1', node(false), fresh());
    store.applyFull('h3', node(true), fresh());
    expect(store.vm('h3', VM)?.pending).toMatchObject({ action: 'move' });
    expect(pendingRows(store)).toEqual([{ host_id: 'h3', target_host_id: 'h2' }]);
    store.close();

    const reopened = InventoryStore.open(file);
    expect(reopened.listPending()).toMatchObject([{ hostId: 'h3', targetHostId: 'h2', action: 'move' }]);
    // Moved on to the target after the restart: confirmed there.
    reopened.applyFull('h3', node(false), fresh());
    reopened.applyFull('h2', node(true), fresh());
    expect(reopened.vm('h2', VM)?.pending).toBeNull();
    expect(reopened.listPending()).toEqual([]);
    reopened.close();
  });

  test("an edit's pending note (confirmedBy result, no desired state) is never confirmed by a read", () => {
    const { store } = cluster();
    const now = Date.now();
    store.addPending({ hostId: 'h1', vmId: VM, action: 'disk.add', desiredState: null, requestedAt: new Date(now).toISOString(), deadline: new Date(now + 60_000).toISOString(), jobId: 'job-2' });
    store.applyFull('h1', node(true, 'Running'), fresh());
    store.applyFull('h1', node(true, 'Off'), fresh());
    expect(store.vm('h1', VM)?.pending).toMatchObject({ action: 'disk.add' });
    store.close();
  });
});
