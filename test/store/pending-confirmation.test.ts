import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { InventoryStore, defaultSync, type FullInventoryInput, type QuickInventoryInput } from '../../src/main/store';
import { VM_ACTION_DEFS, VM_ACTIONS, type VmState } from '../../src/shared/contract';
import { tempDir } from '../support/temp';

// Issue 13 item 3: an action whose target state is the VM's current state (restart of a Running
// VM) is confirmed by the host's evidence of a new boot, never by the state it already had.
const VM = '0b7a1c2d-3e4f-4a5b-8c6d-7e8f90a1b2c3';
const temps: Array<ReturnType<typeof tempDir>> = [];
afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));

const iso = (ms: number) => new Date(ms).toISOString();
const fresh = () => ({ ...defaultSync(), state: 'fresh' as const, lastSuccessAt: new Date().toISOString() });

function full(state: VmState, observedAtMs: number, uptimeS: number | null): FullInventoryInput {
  return {
    host: { computerName: 'HV01', cluster: null, cpuCores: 8, memoryGb: 64, memoryAvailableGb: null, switches: null, warnings: [] },
    vms: [
      {
        vmId: VM,
        name: 'web-20',
        state,
        config: {
          processorCount: 2, memoryStartupMb: 2048, memoryMinMb: null, memoryMaxMb: null, dynamicMemory: false, generation: 2, configurationVersion: '10.0',
          notes: null, operatingSystem: null, createdAt: null, clustered: false, ipAddresses: [], disks: [], nics: [],
        },
        hot: { uptimeS, cpuPercent: 3, memoryAssignedMb: 2048, memoryDemandMb: 1400, heartbeat: 'OkApplicationsUnknown' },
      },
    ],
    observedAt: iso(observedAtMs),
    agentTimestamp: null,
    complete: true,
    keep: { nics: false, disks: false, os: false },
  };
}

/** One quick read; CPU and memory stay the same, so only the state or the boot can differ. */
function quick(state: VmState, observedAtMs: number, uptimeS: number | null): QuickInventoryInput {
  return {
    vms: [{ vmId: VM, name: 'web-20', state, uptimeS, cpuPercent: 3, memoryAssignedMb: 2048, memoryDemandMb: 1400, heartbeat: 'OkApplicationsUnknown' }],
    hostMemoryAvailableGb: null,
    observedAt: iso(observedAtMs),
    agentTimestamp: null,
  };
}

function newStore(): { store: InventoryStore; file: string } {
  const t = tempDir();
  temps.push(t);
  const file = path.join(t.dir, 'inventory.db');
  const store = InventoryStore.open(file);
  store.syncConfiguredHosts([{ id: 'h1' }]);
  return { store, file };
}

const op = (action: string, desiredState: string, requestedAtMs: number) => ({
  hostId: 'h1',
  vmId: VM,
  action,
  desiredState,
  requestedAt: iso(requestedAtMs),
  deadline: iso(requestedAtMs + 180_000),
  jobId: 'job-1',
});

const HOUR_S = 3600;

describe('restart of a Running VM', () => {
  test('a read of the same boot (even with other changes) never confirms it; the uptime reset does', () => {
    const { store } = newStore();
    const t0 = Date.now();
    store.applyFull('h1', full('Running', t0 - 60_000, HOUR_S), fresh());
    store.addPending(op('restart', 'Running', t0));
    const pending = () => store.vm('h1', VM)!.pending;

    // Before the host ran it: the same boot, read with some latency, and the CPU changed.
    store.applyQuick('h1', { ...quick('Running', t0 + 1_000, HOUR_S + 62), vms: [{ ...quick('Running', t0 + 1_000, HOUR_S + 62).vms[0]!, cpuPercent: 40 }] }, fresh());
    expect(pending()).toMatchObject({ action: 'restart', desiredState: 'Running' });
    // Mid-restart the VM passes through Starting (uptime 0).
    store.applyQuick('h1', quick('Starting', t0 + 2_000, 0), fresh());
    expect(pending()).not.toBeNull();
    // Booted again: the uptime restarted.
    const delta = store.applyQuick('h1', quick('Running', t0 + 6_000, 3), fresh()).delta;
    expect(pending()).toBeNull();
    expect(store.listPending()).toEqual([]);
    // The renderer hears it (the row's pending note goes).
    expect(delta.vms.upsert.find((v) => v.vmId === VM)?.pending).toBeNull();
  });

  test('the confirmation needs no other change: a reset seen by a read that is otherwise identical', () => {
    const { store } = newStore();
    const t0 = Date.now();
    // The VM had started only 4 s before the request: the new boot is within the 10 s "same boot"
    // allowance of the old one, so only "booted after the request" can tell.
    store.applyQuick('h1', quick('Running', t0, 0), fresh()); // unknown VM: ignored until a full sync
    store.applyFull('h1', full('Running', t0 - 4_000, 0), fresh());
    store.addPending(op('restart', 'Running', t0));
    store.applyQuick('h1', quick('Running', t0 + 500, 4), fresh()); // the old boot
    expect(store.listPending()).toHaveLength(1);
    store.applyQuick('h1', quick('Running', t0 + 5_000, 2), fresh()); // booted at t0+3 s
    expect(store.listPending()).toEqual([]);
    expect(store.vm('h1', VM)!.pending).toBeNull();
  });

  test('a host that reports no uptime cannot confirm it by observation (the job result decides)', () => {
    const { store } = newStore();
    const t0 = Date.now();
    store.applyFull('h1', full('Running', t0 - 60_000, null), fresh());
    store.addPending(op('restart', 'Running', t0));
    store.applyQuick('h1', quick('Running', t0 + 5_000, null), fresh());
    store.applyFull('h1', full('Running', t0 + 9_000, null), fresh());
    expect(store.listPending()).toHaveLength(1);
  });

  test('a full enumeration showing the new boot confirms it too', () => {
    const { store } = newStore();
    const t0 = Date.now();
    store.applyFull('h1', full('Running', t0 - 60_000, 2 * HOUR_S), fresh());
    store.addPending(op('restart', 'Running', t0));
    store.applyFull('h1', full('Running', t0 + 1_000, 2 * HOUR_S + 61), fresh());
    expect(store.listPending()).toHaveLength(1);
    store.applyFull('h1', full('Running', t0 + 8_000, 5), fresh());
    expect(store.listPending()).toEqual([]);
  });

  test('after the app restarts (the boot before the request is no longer known) the request time stands in', () => {
    const { store, file } = newStore();
    const t0 = Date.now();
    store.applyFull('h1', full('Running', t0 - 60_000, HOUR_S), fresh());
    store.addPending(op('restart', 'Running', t0));
    store.close();
    const reopened = InventoryStore.open(file);
    reopened.applyQuick('h1', quick('Running', t0 + 2_000, HOUR_S + 62), fresh());
    expect(reopened.listPending()).toHaveLength(1);
    reopened.applyQuick('h1', quick('Running', t0 + 9_000, 4), fresh());
    expect(reopened.listPending()).toEqual([]);
    reopened.close();
  });
});

describe('actions confirmed by their state', () => {
  test('shut down: Running reads keep it pending, the first Off read confirms it', () => {
    const { store } = newStore();
    const t0 = Date.now();
    store.applyFull('h1', full('Running', t0 - 60_000, HOUR_S), fresh());
    store.addPending(op('shutdown', 'Off', t0));
    store.applyQuick('h1', quick('Stopping', t0 + 1_000, HOUR_S + 61), fresh());
    expect(store.listPending()).toHaveLength(1);
    store.applyQuick('h1', quick('Off', t0 + 3_000, 0), fresh());
    expect(store.listPending()).toEqual([]);
  });

  test('start: a start that also resets the uptime is confirmed by Running, as before', () => {
    const { store } = newStore();
    const t0 = Date.now();
    store.applyFull('h1', full('Off', t0 - 60_000, 0), fresh());
    store.addPending(op('start', 'Running', t0));
    store.applyQuick('h1', quick('Running', t0 + 3_000, 1), fresh());
    expect(store.listPending()).toEqual([]);
  });
});

test('the action table: an action that may start in the state it leads to is confirmed by a new boot, never by that state', () => {
  for (const action of VM_ACTIONS) {
    const def = VM_ACTION_DEFS[action];
    if (def.allowed.includes(def.desired)) expect(def.confirmedBy, action).toBe('boot');
    else expect(def.confirmedBy, action).toBe('state');
  }
});
