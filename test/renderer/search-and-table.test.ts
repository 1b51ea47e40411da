import { describe, expect, test } from 'vitest';
import { searchEverything, SEARCH_LIMITS } from '../../src/renderer/features/search/search-index';
import { InventoryModel } from '../../src/renderer/stores/inventory-model';
import { filterAndSort, nextSort, select, type Selection, type TableContext } from '../../src/renderer/components/vm-table/table-model';
import { visibleRange, scrollToReveal } from '../../src/renderer/components/VirtualList';
import { treeRows } from '../../src/renderer/features/shell/tree-rows';
import { hostTransitionToast } from '../../src/renderer/stores/host-toasts';
import type { AppNotification } from '../../src/shared/contract';
import { fleet, makeHostView, makeVm } from './fixtures';

function bigModel() {
  const f = fleet(20, 500); // 10,000 VMs
  const model = new InventoryModel();
  model.replace({ hosts: f.hosts, vms: f.vms });
  const clusterByHost = new Map(f.hosts.map((h) => [h.hostId, h.cluster ?? undefined]));
  return { f, model, clusterByHost };
}

describe('search everywhere over 10,000 VMs', () => {
  const { f, model, clusterByHost } = bigModel();

  test('finds a VM by name, IP, GUID, and by its host', () => {
    const byName = searchEverything('vm-hv07-0123', f.views, model, clusterByHost);
    expect(byName.filter((h) => h.kind === 'vm').map((h) => h.label)).toEqual(['vm-hv07-0123']);

    const target = f.vms.find((v) => v.name === 'vm-hv03-0042')!;
    const byIp = searchEverything(target.ipAddresses[0]!, f.views, model, clusterByHost).filter((h) => h.kind === 'vm');
    expect(byIp.map((h) => h.label)).toContain('vm-hv03-0042');

    const byGuid = searchEverything(target.vmId.toUpperCase(), f.views, model, clusterByHost);
    expect(byGuid.map((h) => h.view)).toEqual([{ name: 'vm', key: target.key }]);

    const byHost = searchEverything('hv05.lab.local', f.views, model, clusterByHost);
    expect(byHost[0]).toMatchObject({ kind: 'host', label: 'HV05' });
    expect(byHost.filter((h) => h.kind === 'vm')).toHaveLength(SEARCH_LIMITS.vm);
    expect(byHost.filter((h) => h.kind === 'vm').every((h) => h.detail.startsWith('HV05'))).toBe(true);
  });

  test('finds clusters, caps results, puts prefix matches first, and returns nothing for blank', () => {
    expect(searchEverything('cl-a', f.views, model, clusterByHost)).toEqual([
      { key: 'c:CL-A', kind: 'cluster', label: 'CL-A', detail: 'cluster', view: { name: 'cluster', label: 'CL-A' } },
    ]);
    const many = searchEverything('vm-', f.views, model, clusterByHost);
    expect(many).toHaveLength(SEARCH_LIMITS.vm);
    expect(searchEverything('   ', f.views, model, clusterByHost)).toEqual([]);
    const m = new InventoryModel();
    m.replace({ hosts: [], vms: [makeVm('h', 1, { name: 'web-db' }), makeVm('h', 2, { name: 'db-01' })] });
    expect(searchEverything('db', [], m, new Map()).map((h) => h.label)).toEqual(['db-01', 'web-db']);
  });

  test('a renamed VM is found by its new name after the delta', () => {
    const m = new InventoryModel();
    const vm = makeVm('h', 1, { name: 'old-name' });
    m.replace({ hosts: [], vms: [vm] });
    m.apply([{ hosts: { upsert: [], remove: [] }, vms: { upsert: [{ ...vm, name: 'Brand-New' }], remove: [] } }]);
    expect(searchEverything('brand', [], m, new Map())).toHaveLength(1);
    expect(searchEverything('old-name', [], m, new Map())).toHaveLength(0);
  });
});

describe('VM table model', () => {
  const { f, model, clusterByHost } = bigModel();
  const ctx: TableContext = { vms: model.vms, hostName: (h) => h.toUpperCase(), clusterOf: (h) => clusterByHost.get(h) };

  test('sorts by name both ways and by a numeric column', () => {
    const asc = filterAndSort(model.vms.keys(), {}, { column: 'name', dir: 'asc' }, ctx);
    expect(asc).toHaveLength(10_000);
    expect(model.vms.get(asc[0]!)!.name).toBe('vm-hv00-0000');
    expect(model.vms.get(asc.at(-1)!)!.name).toBe('vm-hv19-0499');
    const desc = filterAndSort(model.vms.keys(), {}, { column: 'name', dir: 'desc' }, ctx);
    expect(desc).toEqual([...asc].reverse());
    const cpu = filterAndSort(model.vms.keys(), {}, { column: 'cpu', dir: 'desc' }, ctx).map((k) => model.vms.get(k)!.cpuPercent!);
    expect(cpu[0]).toBe(99);
    expect(cpu.every((v, i) => i === 0 || cpu[i - 1]! >= v)).toBe(true);
  });

  test('filters by state, host, cluster, stale and text', () => {
    const off = filterAndSort(model.vms.keys(), { state: 'Off' }, { column: 'name', dir: 'asc' }, ctx);
    expect(off.length).toBe(f.vms.filter((v) => v.state === 'Off').length);
    expect(off.every((k) => model.vms.get(k)!.state === 'Off')).toBe(true);
    expect(filterAndSort(model.vms.keys(), { hostId: 'hv04' }, { column: 'name', dir: 'asc' }, ctx)).toHaveLength(500);
    expect(filterAndSort(model.vms.keys(), { cluster: 'CL-A' }, { column: 'name', dir: 'asc' }, ctx)).toHaveLength(5000);
    expect(filterAndSort(model.vms.keys(), { state: 'stale' }, { column: 'name', dir: 'asc' }, ctx)).toHaveLength(0);
    expect(filterAndSort(model.vms.keys(), { text: 'hv02-001', hostId: 'hv02' }, { column: 'name', dir: 'asc' }, ctx)).toHaveLength(10);
  });

  test('nextSort toggles direction on the same column and resets on another', () => {
    expect(nextSort({ column: 'name', dir: 'asc' }, 'name')).toEqual({ column: 'name', dir: 'desc' });
    expect(nextSort({ column: 'name', dir: 'desc' }, 'state')).toEqual({ column: 'state', dir: 'asc' });
  });

  test('selection: click, ctrl-click toggles, shift-click ranges from the anchor, Ctrl+A, retain', () => {
    const order = ['a', 'b', 'c', 'd', 'e'];
    let s: Selection = { keys: new Set() };
    const click = (key: string, ctrl = false, shift = false) => (s = select(s, { type: 'click', key, ctrl, shift, order }));
    click('b');
    expect([...s.keys]).toEqual(['b']);
    click('d', true);
    expect([...s.keys].sort()).toEqual(['b', 'd']);
    click('b', true);
    expect([...s.keys]).toEqual(['d']);
    click('d');
    click('a', false, true); // anchor is d: the range replaces the selection
    expect([...s.keys].sort()).toEqual(['a', 'b', 'c', 'd']);
    click('e');
    click('c', true, true); // ctrl+shift adds the range to the selection
    expect([...s.keys].sort()).toEqual(['c', 'd', 'e']);
    s = select(s, { type: 'all', order });
    expect(s.keys.size).toBe(5);
    s = select(s, { type: 'retain', present: (k) => k !== 'c' });
    expect([...s.keys].sort()).toEqual(['a', 'b', 'd', 'e']);
    s = select(s, { type: 'clear' });
    expect(s.keys.size).toBe(0);
  });
});

describe('windowing', () => {
  test('renders only the rows in view plus overscan', () => {
    expect(visibleRange(0, 300, 30, 10_000, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleRange(30_000, 300, 30, 10_000, 5)).toEqual({ start: 995, end: 1016 });
    expect(visibleRange(299_700, 300, 30, 10_000, 5)).toEqual({ start: 9985, end: 10_000 });
    expect(visibleRange(0, 300, 30, 0, 5)).toEqual({ start: 0, end: 0 });
  });

  test('reveals a row above or below the viewport and leaves a visible one alone', () => {
    expect(scrollToReveal(5, 300, 300, 30)).toBe(150);
    expect(scrollToReveal(30, 300, 300, 30)).toBe(630);
    expect(scrollToReveal(12, 300, 300, 30)).toBeUndefined();
  });
});

describe('tree rows', () => {
  const { f, model } = bigModel();
  const counts = new Map([...model.byHost].map(([h, keys]) => [h, { total: keys.size, running: [...keys].filter((k) => model.vms.get(k)!.state === 'Running').length, stale: 0 }]));
  const input = (expandedHosts: Set<string>, collapsedGroups = new Set<string>()) => ({
    hosts: f.views,
    clusterOf: (h: { id: string }) => f.hosts.find((x) => x.hostId === h.id)!.cluster ?? undefined,
    counts,
    vmsOf: (id: string) => [...model.byHost.get(id)!].map((k) => model.vms.get(k)!),
    collapsedGroups,
    expandedHosts,
  });

  test('clusters → hosts with counts; an expanded host lists its VMs (capped)', () => {
    const rows = treeRows(input(new Set()));
    expect(rows[0]).toMatchObject({ key: 'g:CL-A', depth: 0, count: '10 hosts · 5000 VMs', expanded: true });
    expect(rows.at(-11)).toMatchObject({ key: 'g:Standalone hosts', depth: 0 });
    expect(rows.filter((r) => r.depth === 1)).toHaveLength(20);
    expect(rows[1]).toMatchObject({ key: 'h:hv00', count: `${counts.get('hv00')!.running}/500`, expandable: true, expanded: false });

    const open = treeRows(input(new Set(['h:hv00'])));
    const vmRows = open.filter((r) => r.depth === 2);
    expect(vmRows).toHaveLength(201); // 200 VMs + "…300 more"
    expect(vmRows[0]).toMatchObject({ label: 'vm-hv00-0000', vmState: 'Off', view: { name: 'vm' } });
    expect(vmRows.at(-1)).toMatchObject({ label: '…300 more', view: { name: 'host', id: 'hv00' } });

    const collapsed = treeRows(input(new Set(), new Set(['g:CL-A'])));
    expect(collapsed.filter((r) => r.depth === 1)).toHaveLength(10);
  });
});

describe('host transition toasts (browser mode)', () => {
  const n = (over: Partial<AppNotification>): AppNotification => ({
    id: '1', level: 'warning', title: 'Host unreachable', message: 'hv01: timed out', createdAt: 'x', updatedAt: 'x', read: false, hostId: 'hv01', ...over,
  });

  test('new unreachable toasts; recovery in place toasts; progress text and mark-read do not', () => {
    expect(hostTransitionToast(undefined, n({}))).toEqual({ level: 'warning', text: 'Host unreachable: hv01: timed out' });
    expect(hostTransitionToast(n({}), n({ level: 'success', title: 'Host recovered', message: 'hv01 is reachable again' }))).toEqual({
      level: 'success',
      text: 'Host recovered: hv01 is reachable again',
    });
    expect(hostTransitionToast(undefined, n({ level: 'success', title: 'Host recovered' }))?.level).toBe('success');
    expect(hostTransitionToast(n({ level: 'info' }), n({ level: 'info', message: 'step 3 of 5' }))).toBeUndefined();
    expect(hostTransitionToast(n({}), n({ read: true }))).toBeUndefined();
    expect(hostTransitionToast(undefined, n({ level: 'info', hostId: undefined }))).toBeUndefined();
  });
});
void makeHostView;
