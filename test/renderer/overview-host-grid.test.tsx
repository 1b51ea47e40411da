// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, test, vi } from 'vitest';
import { OverviewView } from '../../src/renderer/features/overview/OverviewView';
import { WINDOWED_HOSTS_FROM } from '../../src/renderer/features/overview/HostGrid';
import { useApp } from '../../src/renderer/stores/app-store';
import { Sidebar } from '../../src/renderer/features/shell/Sidebar';
import { COUNTS_MAX_DELAY_MS } from '../../src/renderer/stores/counts-pace';
import { domPerTest, loadFleet, upsertVms } from './dom-harness';
import { fleet } from './fixtures';

const dom = domPerTest();
const hostRows = () => [...dom.container.querySelectorAll('[data-testid="host-rows"] [role="row"]')] as HTMLElement[];
const key = (el: Element, k: string) => act(() => void el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true })));

describe('overview host table with a large fleet', () => {
  test('2,000 hosts render a bounded window of rows that follows the scroll position', () => {
    loadFleet(fleet(2000, 2));
    dom.render(<OverviewView />);
    expect(dom.text('figure-hosts')).toBe('2000');
    expect(dom.container.querySelector('table')).toBeNull();
    expect(hostRows().length).toBeGreaterThan(5);
    expect(hostRows().length).toBeLessThan(40);
    expect(hostRows()[0]!.textContent).toContain('HV00');
    const viewport = dom.container.querySelector('[data-testid="host-rows"]') as HTMLElement;
    act(() => {
      viewport.scrollTop = 34 * 1500;
      viewport.dispatchEvent(new Event('scroll'));
    });
    expect(hostRows().length).toBeLessThan(40);
    expect(hostRows().some((r) => r.textContent!.includes('HV1500'))).toBe(true);
    expect(hostRows().some((r) => r.textContent!.includes('HV00'))).toBe(false);
  });

  test('the keyboard reaches the last of 2,000 hosts and opens it', () => {
    loadFleet(fleet(2000, 2));
    dom.render(<OverviewView />);
    const grid = dom.container.querySelector('[data-testid="host-grid"]')!;
    key(grid, 'End');
    expect(hostRows().length).toBeLessThan(40);
    const last = dom.container.querySelector('[data-testid="host-row-hv1999"]')!;
    expect(last.getAttribute('aria-selected')).toBe('true');
    key(grid, 'ArrowUp');
    expect(dom.container.querySelector('[data-testid="host-row-hv1998"]')!.getAttribute('aria-selected')).toBe('true');
    key(grid, 'Enter');
    expect(useApp.getState().view).toEqual({ name: 'host', id: 'hv1998' });
  });

  test('a host status change re-renders that host row with its new status', () => {
    const f = fleet(2000, 2);
    loadFleet(f);
    dom.render(<OverviewView />);
    // The grid remembers its scroll position (earlier tests left it far down): back to the top.
    const viewport = dom.container.querySelector('[data-testid="host-rows"]') as HTMLElement;
    act(() => {
      viewport.scrollTop = 0;
      viewport.dispatchEvent(new Event('scroll'));
    });
    act(() => useApp.setState({ hosts: { ...useApp.getState().hosts, hv01: { ...useApp.getState().hosts.hv01!, status: 'unreachable' } } }));
    const row = dom.container.querySelector('[data-testid="host-row-hv01"]')!;
    expect(row.classList.contains('stale')).toBe(true);
    expect(row.textContent).toContain('nreachable');
  });

  test(`a fleet of ${WINDOWED_HOSTS_FROM} hosts or fewer keeps the plain table`, () => {
    loadFleet(fleet(20, 2));
    dom.render(<OverviewView />);
    expect(dom.container.querySelectorAll('table tbody tr').length).toBe(20);
    expect(dom.container.querySelector('[data-testid="host-grid"]')).toBeNull();
  });
});

describe('sidebar tree with a large fleet', () => {
  test("a host row's count follows a burst of deltas and ends exact", () => {
    vi.useFakeTimers();
    try {
      const f = fleet(2000, 6); // 4 of 6 running per host
      const model = loadFleet(f);
      dom.render(<Sidebar />);
      const hostRow = () => dom.container.querySelector('[data-testid="tree-h:hv06"]')!;
      expect(hostRow().textContent).toContain('4/6');
      const running = f.vms.filter((v) => v.hostId === 'hv06' && v.state === 'Running');
      upsertVms(model, [{ ...running[0]!, state: 'Off' }]);
      upsertVms(model, [{ ...running[1]!, state: 'Off' }]);
      act(() => void vi.advanceTimersByTime(COUNTS_MAX_DELAY_MS));
      expect(hostRow().textContent).toContain('2/6');
      expect(dom.container.querySelector('[data-testid="tree-h:hv08"]')!.textContent).toContain('4/6');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('windowed sidebar tree', () => {
  const treeItems = () => [...dom.container.querySelectorAll('[role="treeitem"]')] as HTMLElement[];

  test('2,000 hosts render a bounded window of tree rows; End and ArrowUp reach and focus hosts far down', () => {
    loadFleet(fleet(2000, 2));
    dom.render(<Sidebar />);
    expect(dom.container.querySelector('[data-testid="tree-rows"]')).not.toBeNull();
    expect(treeItems().length).toBeGreaterThan(5);
    expect(treeItems().length).toBeLessThan(50);
    const first = treeItems()[0]!;
    act(() => first.focus());
    key(first, 'End');
    expect(treeItems().length).toBeLessThan(50);
    // The last row: the last standalone host (odd ids are standalone in the fixture fleet).
    const last = dom.container.querySelector('[data-testid="tree-h:hv1999"]') as HTMLElement;
    expect(last).not.toBeNull();
    expect(document.activeElement).toBe(last);
    key(last, 'ArrowUp');
    expect(document.activeElement).toBe(dom.container.querySelector('[data-testid="tree-h:hv1997"]'));
    key(document.activeElement!, 'Enter');
    expect(useApp.getState().view).toEqual({ name: 'host', id: 'hv1997' });
  });

  test('a small tree keeps the plain list', () => {
    loadFleet(fleet(20, 2));
    dom.render(<Sidebar />);
    expect(dom.container.querySelector('[data-testid="tree-rows"]')).toBeNull();
    expect(treeItems().length).toBe(22); // 2 groups + 20 hosts
  });
});
