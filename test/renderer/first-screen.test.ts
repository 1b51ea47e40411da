// @vitest-environment jsdom
import { afterEach, describe, expect, test } from 'vitest';
import { encodeInventorySnapshot } from '../../src/shared/inventory-wire';
import type { InventorySnapshotWire } from '../../src/shared/contract';
import { dismissFirstScreen, firstScreenOf, paintFirstScreen, resetFirstScreenForTest } from '../../src/renderer/first-screen';
import { cachedNoteText } from '../../src/renderer/cached-note';
import { withPrefetch } from '../../src/renderer/backend/prefetch';
import type { Backend } from '../../src/renderer/backend/backend';
import { sortVms } from '../../src/shared/vm-sort';
import { makeHost, makeVm } from './fixtures';

/** Sorting by name reads no host, cluster or reachability. */
const TABLE_CONTEXT = { hostName: (id: string) => id, clusterOf: () => undefined };

/** 300 VMs on three hosts, names shuffled (and with mixed case) so the first rows must be searched for. */
function fleet() {
  const vms = [];
  for (let i = 0; i < 300; i++) {
    const n = (i * 7919) % 300; // a permutation of 0..299
    vms.push(makeVm(`h${i % 3}`, i, { name: `${n % 2 ? 'VM' : 'vm'}-${String(n).padStart(3, '0')}`, state: i % 4 === 0 ? 'Running' : 'Off', placeholder: n === 1 }));
  }
  return { hosts: [makeHost('h0'), makeHost('h1', { computerName: null }), makeHost('h2')], vms };
}

afterEach(() => {
  dismissFirstScreen();
  resetFirstScreenForTest();
  document.body.innerHTML = '';
});

describe('first screen (painted by the first script from the inventory snapshot)', () => {
  test('the figures and the first rows in the VM table\'s default order, read from the wire form', () => {
    const snapshot = fleet();
    const wire = encodeInventorySnapshot(snapshot);
    // Both column forms are read: the host and state columns are dictionaries, the names are values.
    expect('dict' in wire.vms.columns.state!).toBe(true);
    expect('values' in wire.vms.columns.name!).toBe(true);
    const screen = firstScreenOf(wire, 12)!;
    expect(screen.vms).toBe(300);
    expect(screen.running).toBe(snapshot.vms.filter((vm) => vm.state === 'Running').length);
    expect(screen.cachedAt).toBeUndefined();
    // What the VM table's own sort (by name, ascending) puts first.
    const expected = sortVms(snapshot.vms, 'name', 'asc', TABLE_CONTEXT).slice(0, 12);
    expect(screen.rows.map((r) => r.name)).toEqual(expected.map((vm) => vm.name));
    expect(screen.rows[1]).toEqual({ name: expected[1]!.name, state: expected[1]!.state, host: expected[1]!.hostId === 'h1' ? 'h1' : expected[1]!.hostId.toUpperCase(), placeholder: true });
  });

  test('names differing only in case keep the table\'s order (a tie, broken by the key)', () => {
    const vms = [makeVm('h2', 1, { name: 'web' }), makeVm('h1', 2, { name: 'WEB' }), makeVm('h0', 3, { name: 'Web' }), makeVm('h1', 4, { name: 'app' })];
    const screen = firstScreenOf(encodeInventorySnapshot({ hosts: [makeHost('h0'), makeHost('h1'), makeHost('h2')], vms }))!;
    const table = sortVms(vms, 'name', 'asc', TABLE_CONTEXT);
    expect(screen.rows.map((r) => r.name)).toEqual(table.map((vm) => vm.name));
    expect(screen.rows.map((r) => r.name)).toEqual(['app', 'Web', 'WEB', 'web']);
  });

  test('a snapshot from the last session keeps its age; one missing a column gives no first screen', () => {
    const wire = { cachedAt: '2026-03-01T10:00:00.000Z', ...encodeInventorySnapshot(fleet()) } as InventorySnapshotWire;
    expect(firstScreenOf(wire)?.cachedAt).toBe('2026-03-01T10:00:00.000Z');
    const { name: _name, ...columns } = wire.vms.columns;
    expect(firstScreenOf({ ...wire, vms: { count: 300, columns } })).toBeUndefined();
    expect(firstScreenOf({ ...wire, vms: { count: 301, columns: wire.vms.columns } })).toBeUndefined();
  });

  test('painted with the count, the rows and the "Cached, as of" note; gone for good once the app renders', () => {
    const wire = { cachedAt: '2026-03-01T10:00:00.000Z', ...encodeInventorySnapshot(fleet()) } as InventorySnapshotWire;
    const screen = firstScreenOf(wire)!;
    expect(paintFirstScreen(screen)).toBeDefined();
    expect(document.querySelector('[data-testid="first-screen"] [data-testid="figure-vms"]')?.textContent).toBe('300');
    expect(document.querySelectorAll('[data-testid="vm-rows"] [role="row"]')).toHaveLength(40);
    expect(document.querySelector('[data-testid="vm-rows"] [role="row"]')?.textContent).toBe(`${screen.rows[0]!.name}${screen.rows[0]!.state}${screen.rows[0]!.host}`);
    expect(document.querySelector('[data-testid="inventory-cached"]')?.textContent).toBe(cachedNoteText('2026-03-01T10:00:00.000Z'));
    expect(cachedNoteText('2026-03-01T10:00:00.000Z')).toMatch(/^Cached, as of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d: confirming with the backend…$/);

    dismissFirstScreen();
    expect(document.querySelector('[data-testid="first-screen"]')).toBeNull();
    // An answer that lands after the app rendered must not cover the app.
    expect(paintFirstScreen(screen)).toBeUndefined();
    expect(document.querySelector('[data-testid="first-screen"]')).toBeNull();
  });

  test('rows the backend answered itself are painted without the cached note', () => {
    paintFirstScreen(firstScreenOf(encodeInventorySnapshot(fleet()))!);
    expect(document.querySelector('[data-testid="first-screen"]')).not.toBeNull();
    expect(document.querySelector('[data-testid="inventory-cached"]')).toBeNull();
  });

  test('the first script can look at the prefetched inventory answer without taking it from the app', async () => {
    const calls: string[] = [];
    const fake: Backend = {
      kind: 'browser',
      invoke: ((command: string) => {
        calls.push(command);
        return Promise.resolve({ ok: true, data: { topic: 'inventory', revision: 0, payload: { n: calls.length } } });
      }) as Backend['invoke'],
      onEvent: () => () => undefined,
      onConnection: () => () => undefined,
    };
    const backend = withPrefetch(fake, [['events.snapshot', { topic: 'inventory' }]]);
    const peeked = await backend.peek('events.snapshot', { topic: 'inventory' });
    expect(backend.peek('events.snapshot', { topic: 'hosts' })).toBeUndefined();
    const taken = await backend.invoke('events.snapshot', { topic: 'inventory' });
    expect(taken).toBe(peeked); // the same answer, not a second request
    expect(calls).toHaveLength(1);
    expect(backend.peek('events.snapshot', { topic: 'inventory' })).toBeUndefined(); // taken by the app
  });
});
