import { beforeEach, describe, expect, test } from 'vitest';
import type { CommandName, InventoryDelta, RequestOf, Result, StateEvent } from '../../src/shared/contract';
import type { Backend } from '../../src/renderer/backend/backend';
import { countByHost, InventoryModel } from '../../src/renderer/stores/inventory-model';
import { InventoryFeed, inventorySync, useInventory } from '../../src/renderer/stores/inventory-store';
import { encodeInventorySnapshot } from '../../src/shared/inventory-wire';
import { fleet, makeHost, makeVm } from './fixtures';

const empty = (): InventoryDelta => ({ hosts: { upsert: [], remove: [] }, vms: { upsert: [], remove: [] } });

function fakeBackend(snapshot: () => { revision: number; payload: unknown } | { error: string }) {
  const calls: { command: string; request: unknown }[] = [];
  const backend: Backend = {
    kind: 'browser',
    invoke: (async (command: CommandName, request: RequestOf<CommandName>) => {
      calls.push({ command, request });
      const s = snapshot();
      if ('error' in s) return { ok: false, error: { code: 'UNAVAILABLE', message: s.error } } as Result<never>;
      return { ok: true, data: { topic: 'inventory', ...s } } as Result<never>;
    }) as Backend['invoke'],
    onEvent: () => () => undefined,
    onConnection: () => () => undefined,
  };
  return { backend, calls };
}

/** A scheduler the test flushes by hand, standing in for requestAnimationFrame. */
function manualSchedule() {
  const pending: (() => void)[] = [];
  return { schedule: (f: () => void) => void pending.push(f), frame: () => pending.splice(0).forEach((f) => f()), pending };
}

beforeEach(() => {
  useInventory.setState({ model: new InventoryModel(), version: 0, membershipVersion: 0, hostsVersion: 0, loaded: false, unavailable: undefined });
});

describe('InventoryModel', () => {
  test('a snapshot replaces everything and indexes VMs by host', () => {
    const m = new InventoryModel();
    const f = fleet(3, 4);
    m.replace({ hosts: f.hosts, vms: f.vms });
    expect(m.vms.size).toBe(12);
    expect([...m.byHost.get('hv01')!]).toHaveLength(4);
    m.replace({ hosts: [f.hosts[0]!], vms: f.vms.slice(0, 2) });
    expect(m.vms.size).toBe(2);
    expect(m.byHost.get('hv01')).toBeUndefined();
    expect(m.hosts.size).toBe(1);
  });

  test('counts from a snapshot equal counts built delta by delta, and a key sent twice counts once', () => {
    const f = fleet(3, 9);
    const vms = f.vms.map((v, i) => ({ ...v, stale: i % 4 === 0 }));
    const bySnapshot = new InventoryModel();
    bySnapshot.replace({ hosts: f.hosts, vms: [...vms, { ...vms[0]!, state: 'Running' as const }] });
    const byDeltas = new InventoryModel();
    byDeltas.replace({ hosts: f.hosts, vms: [] });
    byDeltas.apply([{ ...empty(), vms: { upsert: [...vms, { ...vms[0]!, state: 'Running' as const }], remove: [] } }]);
    expect(countByHost(bySnapshot)).toEqual(countByHost(byDeltas));
    expect(bySnapshot.vms.size).toBe(27);
    expect(bySnapshot.vms.get(vms[0]!.key)!.state).toBe('Running');
    expect(countByHost(bySnapshot).get('hv00')).toEqual({ total: 9, running: 7, stale: 3 });
  });

  test('deltas upsert, remove, and move a VM between hosts without touching the others', () => {
    const m = new InventoryModel();
    const f = fleet(2, 3);
    m.replace({ hosts: f.hosts, vms: f.vms });
    const before = m.membershipVersion;
    const moved = f.vms[0]!;

    // A hot-state update: same membership, new values.
    expect(m.apply([{ ...empty(), vms: { upsert: [{ ...moved, state: 'Off', cpuPercent: 0 }], remove: [] } }])).toBe(true);
    expect(m.membershipVersion).toBe(before);
    expect(m.vms.get(moved.key)!.state).toBe('Off');

    // A live migration arrives as an update with another hostId: the per-host index follows.
    m.apply([{ ...empty(), vms: { upsert: [{ ...moved, hostId: 'hv01' }], remove: [] } }]);
    expect(m.membershipVersion).toBe(before + 1);
    expect(m.byHost.get('hv00')!.has(moved.key)).toBe(false);
    expect(m.byHost.get('hv01')!.has(moved.key)).toBe(true);

    m.apply([{ ...empty(), vms: { upsert: [makeVm('hv01', 99, { name: 'NeuVM-Ü' })], remove: [f.vms[1]!.key] } }]);
    expect(m.vms.size).toBe(6);
    expect(m.vms.has(f.vms[1]!.key)).toBe(false);
    const renamed = m.vms.get(makeVm('hv01', 99).key)!;
    expect(m.searchTextOf(renamed)).toContain('neuvm-ü');
    // Search text follows an update of a VM it was already built for.
    m.apply([{ ...empty(), vms: { upsert: [{ ...renamed, name: 'Umbenannt', ipAddresses: ['192.0.2.7'] }], remove: [] } }]);
    expect(m.searchTextOf(m.vms.get(renamed.key)!)).toBe(`umbenannt 192.0.2.7 ${renamed.vmId}`);
  });

  test('per-host counts follow state changes, moves and removals without a full pass', () => {
    const m = new InventoryModel();
    const f = fleet(2, 6); // i % 3 === 0 is Off: 2 of 6 per host
    m.replace({ hosts: f.hosts, vms: f.vms });
    expect(countByHost(m).get('hv00')).toEqual({ total: 6, running: 4, stale: 0 });
    const vm = f.vms[0]!; // Off on hv00
    m.apply([{ ...empty(), vms: { upsert: [{ ...vm, state: 'Running', stale: true }], remove: [] } }]);
    expect(countByHost(m).get('hv00')).toEqual({ total: 6, running: 5, stale: 1 });
    m.apply([{ ...empty(), vms: { upsert: [{ ...vm, hostId: 'hv01', state: 'Running', stale: true }], remove: [f.vms[1]!.key] } }]);
    expect(countByHost(m).get('hv00')).toEqual({ total: 4, running: 3, stale: 0 });
    expect(countByHost(m).get('hv01')).toEqual({ total: 7, running: 5, stale: 1 });
    // Same as counting from scratch.
    const fresh = new InventoryModel();
    fresh.replace({ hosts: [], vms: [...m.vms.values()] });
    expect(countByHost(fresh)).toEqual(countByHost(m));
  });

  test('an empty delta changes nothing and bumps no version', () => {
    const m = new InventoryModel();
    m.replace({ hosts: [], vms: [] });
    const v = m.version;
    expect(m.apply([empty()])).toBe(false);
    expect(m.version).toBe(v);
  });
});

describe('InventoryFeed', () => {
  test('queues deltas and applies them once per frame, notifying subscribers once', () => {
    const { schedule, frame, pending } = manualSchedule();
    const feed = new InventoryFeed(useInventory.getState().model, schedule);
    const f = fleet(1, 1000);
    feed.snapshot(encodeInventorySnapshot({ hosts: f.hosts, vms: f.vms }));
    let notifications = 0;
    const off = useInventory.subscribe(() => notifications++);
    for (let i = 0; i < 1000; i++) feed.delta({ ...empty(), vms: { upsert: [{ ...f.vms[i]!, state: 'Paused' }], remove: [] } });
    expect(pending).toHaveLength(1); // one frame scheduled for a thousand deltas
    expect(useInventory.getState().model.vms.get(f.vms[5]!.key)!.state).not.toBe('Paused');
    frame();
    expect(notifications).toBe(1);
    expect([...useInventory.getState().model.vms.values()].every((vm) => vm.state === 'Paused')).toBe(true);
    off();
  });

  test('a snapshot discards deltas still waiting for their frame', () => {
    const { schedule, frame } = manualSchedule();
    const feed = new InventoryFeed(useInventory.getState().model, schedule);
    feed.delta({ ...empty(), vms: { upsert: [makeVm('old', 1)], remove: [] } });
    feed.snapshot(encodeInventorySnapshot({ hosts: [makeHost('new')], vms: [makeVm('new', 1)] }));
    frame();
    expect([...useInventory.getState().model.vms.keys()]).toEqual([makeVm('new', 1).key]);
    expect(useInventory.getState().loaded).toBe(true);
  });
});

describe('inventory TopicSync', () => {
  const event = (revision: number, kind: 'snapshot' | 'delta', payload: unknown) => ({ topic: 'inventory', revision, kind, payload }) as StateEvent;

  test('snapshot, in-order deltas, then a gap fetches a fresh snapshot', async () => {
    const f = fleet(2, 5);
    let served = { revision: 10, payload: encodeInventorySnapshot({ hosts: f.hosts, vms: f.vms.slice(0, 3) }) };
    const { backend, calls } = fakeBackend(() => served);
    const { schedule, frame } = manualSchedule();
    const { sync } = inventorySync(backend, schedule);

    sync.handle(event(4, 'snapshot', encodeInventorySnapshot({ hosts: f.hosts, vms: f.vms })));
    expect(useInventory.getState().model.vms.size).toBe(10);
    sync.handle(event(5, 'delta', { ...empty(), vms: { upsert: [], remove: [f.vms[0]!.key] } }));
    sync.handle(event(6, 'delta', { ...empty(), vms: { upsert: [], remove: [f.vms[1]!.key] } }));
    frame();
    expect(useInventory.getState().model.vms.size).toBe(8);
    expect(calls).toHaveLength(0);

    // Revision 7 went missing: 8 must not be applied on top of a state that lacks 7.
    sync.handle(event(8, 'delta', { ...empty(), vms: { upsert: [], remove: [f.vms[2]!.key] } }));
    await sync.resync(); // joins the fetch the gap started
    frame();
    expect(calls).toEqual([{ command: 'events.snapshot', request: { topic: 'inventory' } }]);
    expect(useInventory.getState().model.vms.size).toBe(3);
    expect(useInventory.getState().model.vms.has(f.vms[2]!.key)).toBe(true);

    // Deltas continue from the snapshot's revision.
    served = { revision: 99, payload: encodeInventorySnapshot({ hosts: [], vms: [] }) };
    sync.handle(event(11, 'delta', { ...empty(), vms: { upsert: [makeVm('hv00', 77)], remove: [] } }));
    frame();
    expect(useInventory.getState().model.vms.size).toBe(4);
    expect(calls).toHaveLength(1);
  });

  test('deltas that arrive while the snapshot is on its way are replayed on top of it', async () => {
    const f = fleet(1, 5);
    let answer: (v: Result<never>) => void = () => undefined;
    const backend: Backend = {
      kind: 'browser',
      invoke: (() => new Promise((resolve) => (answer = resolve as never))) as Backend['invoke'],
      onEvent: () => () => undefined,
      onConnection: () => () => undefined,
    };
    const { schedule, frame } = manualSchedule();
    const { sync } = inventorySync(backend, schedule);
    const fetched = sync.resync(); // on connect: snapshot requested, revision unknown
    const remove = (i: number) => ({ ...empty(), vms: { upsert: [], remove: [f.vms[i]!.key] } });
    sync.handle(event(20, 'delta', remove(0))); // already inside the snapshot (revision 21)
    sync.handle(event(22, 'delta', remove(1)));
    sync.handle(event(23, 'delta', remove(2)));
    answer({ ok: true, data: { topic: 'inventory', revision: 21, payload: encodeInventorySnapshot({ hosts: f.hosts, vms: f.vms.slice(1) }) } } as never);
    await fetched;
    frame();
    expect([...useInventory.getState().model.vms.keys()]).toEqual([f.vms[3]!.key, f.vms[4]!.key]);
    sync.handle(event(24, 'delta', remove(3)));
    frame();
    expect(useInventory.getState().model.vms.size).toBe(1);
  });

  test('when the inventory service cannot answer, the store says why', async () => {
    const { backend } = fakeBackend(() => ({ error: 'The inventory service is not running.' }));
    const { sync } = inventorySync(backend, manualSchedule().schedule);
    await sync.resync();
    expect(useInventory.getState().loaded).toBe(false);
    expect(useInventory.getState().unavailable).toBe('The inventory service is not running.');
  });
});
