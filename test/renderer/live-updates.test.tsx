// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, test } from 'vitest';
import type { HostView } from '../../src/shared/contract';
import { filterAndSort, type TableContext } from '../../src/renderer/components/vm-table/table-model';
import { VmTable } from '../../src/renderer/components/vm-table/VmTable';
import { OverviewView } from '../../src/renderer/features/overview/OverviewView';
import { useApp } from '../../src/renderer/stores/app-store';
import { sameOrNext } from '../../src/renderer/stores/inventory-derived';
import { InventoryModel } from '../../src/renderer/stores/inventory-model';
import { domPerTest, loadFleet, upsertVms } from './dom-harness';
import { fleet } from './fixtures';

const dom = domPerTest();
const { rows, text } = dom;
const setHosts = (update: (hosts: Record<string, HostView>) => Record<string, HostView>) => act(() => useApp.setState((s) => ({ hosts: update(s.hosts) })));

describe('live updates without full re-renders', () => {
  test('a hot-state delta updates the visible row it concerns', () => {
    const f = fleet(2, 5);
    const model = loadFleet(f);
    act(() => dom.root.render(<VmTable scope={{ kind: 'all' }} height={3000} />));
    const vm = f.vms[1]!; // Running, cpu 1 %
    const row = () => rows().find((r) => r.dataset.key === vm.key)!;
    expect(row().querySelector('[data-state]')!.getAttribute('data-state')).toBe('Running');
    upsertVms(model, [{ ...vm, state: 'Paused', cpuPercent: 77 }]);
    expect(row().querySelector('[data-state]')!.getAttribute('data-state')).toBe('Paused');
    expect(row().textContent).toContain('77 %');
  });

  test('a host status change keeps the order; a host rename re-sorts a table sorted by host', () => {
    const f = fleet(3, 2);
    loadFleet(f);
    act(() => dom.root.render(<VmTable scope={{ kind: 'all' }} height={3000} />));
    const hostHeader = [...dom.container.querySelectorAll('[role="columnheader"] button')].find((b) => b.textContent!.startsWith('Host'))!;
    act(() => void hostHeader.dispatchEvent(new MouseEvent('click', { bubbles: true })));
    const order = () => rows().map((r) => r.dataset.key);
    const before = order();
    expect(rows()[0]!.textContent).toContain('HV00');

    setHosts((hosts) => ({ ...hosts, hv00: { ...hosts.hv00!, status: 'unreachable' } }));
    expect(order()).toEqual(before);

    setHosts((hosts) => ({ ...hosts, hv00: { ...hosts.hv00!, displayName: 'ZZ-LAST' } }));
    expect(rows()[0]!.textContent).toContain('HV01');
    expect(rows().at(-1)!.textContent).toContain('ZZ-LAST');
  });

  test('the overview figures and per-host counts follow deltas', () => {
    const f = fleet(2, 6); // i % 3 === 0 is Off: 4 of 6 running per host
    const model = loadFleet(f);
    act(() => dom.root.render(<OverviewView />));
    expect(text('figure-vms')).toBe('12');
    expect(text('figure-running')).toBe('8');
    const hostRow = () => [...dom.container.querySelectorAll('table.table tbody tr')].find((tr) => tr.textContent!.includes('HV01'))!;
    expect(hostRow().textContent).toContain('4/6');

    const running = f.vms.filter((v) => v.hostId === 'hv01' && v.state === 'Running');
    upsertVms(model, [
      { ...running[0]!, state: 'Off' },
      { ...running[1]!, cpuPercent: 50 },
    ]);
    expect(text('figure-running')).toBe('7');
    expect(text('figure-vms')).toBe('12');
    expect(hostRow().textContent).toContain('3/6');
  });
});

describe('natural order on the first-paint path', () => {
  test('the overview lists hosts and the table offers them HV2 before HV10', () => {
    loadFleet(fleet(11, 1));
    // Names whose digit runs differ in length: a plain string sort would put HV10 first.
    setHosts((hosts) => Object.fromEntries(Object.entries(hosts).map(([id, h]) => [id, { ...h, displayName: `HV${Number(id.slice(2))}` }])));
    act(() => dom.root.render(<OverviewView />));
    const hostCells = [...dom.container.querySelectorAll('table.table tbody tr td:first-child')].map((td) => td.textContent);
    expect(hostCells.slice(0, 3)).toEqual(['HV0', 'HV1', 'HV2']);
    expect(hostCells.at(-1)).toBe('HV10');
    const options = [...dom.container.querySelectorAll('select[aria-label="Host"] option')].map((o) => o.textContent);
    expect(options.slice(1, 4)).toEqual(['HV0', 'HV1', 'HV2']);
    expect(options.at(-1)).toBe('HV10');
  });
});

describe('orders and maps that keep their identity', () => {
  const f = fleet(4, 50);
  const model = new InventoryModel();
  model.replace({ hosts: f.hosts, vms: f.vms });
  const ctx: TableContext = { vms: model.vms, hostName: (h) => h, clusterOf: () => undefined };

  test('re-sorting from the previous order gives the same result as from scratch, and the same array when nothing moved', () => {
    const sort = { column: 'cpu', dir: 'desc' } as const;
    const first = filterAndSort(model.vms.keys(), {}, sort, ctx);
    expect(filterAndSort(model.vms.keys(), {}, sort, ctx, first)).toBe(first);

    // Some rows' sort keys change (a quick sync): the order must match a sort from scratch.
    const changed = f.vms.filter((_, i) => i % 17 === 0).map((vm, i) => ({ ...vm, cpuPercent: (i * 37) % 100 }));
    model.apply([{ hosts: { upsert: [], remove: [] }, vms: { upsert: changed, remove: [] } }]);
    const resorted = filterAndSort(model.vms.keys(), {}, sort, ctx, first);
    expect(resorted).not.toBe(first);
    expect(resorted).toEqual(filterAndSort(model.vms.keys(), {}, sort, ctx));
    // A previous order holding keys that are gone or filtered out does not leak them in.
    expect(filterAndSort(model.vms.keys(), { hostId: 'hv01' }, sort, ctx, [...resorted, 'gone'])).toEqual(
      filterAndSort(model.vms.keys(), { hostId: 'hv01' }, sort, ctx),
    );
  });

  test('sameOrNext keeps the previous map while the entries are the same', () => {
    const a = new Map([['h1', 'A']]);
    expect(sameOrNext(a, new Map([['h1', 'A']]))).toBe(a);
    const renamed = new Map([['h1', 'B']]);
    expect(sameOrNext(a, renamed)).toBe(renamed);
    const grown = new Map([
      ['h1', 'A'],
      ['h2', 'A'],
    ]);
    expect(sameOrNext(a, grown)).toBe(grown);
    expect(sameOrNext(undefined, a)).toBe(a);
  });
});
