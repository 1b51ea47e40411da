// @vitest-environment jsdom
import { act, Profiler } from 'react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { VmTable } from '../../src/renderer/components/vm-table/VmTable';
import { HostView } from '../../src/renderer/features/overview/HostView';
import { OverviewView } from '../../src/renderer/features/overview/OverviewView';
import { Sidebar } from '../../src/renderer/features/shell/Sidebar';
import { COUNTS_INTERVAL_MS, COUNTS_MAX_DELAY_MS, nextSlot } from '../../src/renderer/stores/counts-pace';
import { domPerTest, loadFleet, upsertVms } from './dom-harness';
import { fleet } from './fixtures';

const dom = domPerTest();
const { text } = dom;

const advance = (ms: number) => act(() => void vi.advanceTimersByTime(ms));
const treeRow = (key: string) => dom.container.querySelector(`[data-testid="tree-${key}"]`) as HTMLElement;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('counts follow a stream of deltas at a readable pace', () => {
  test('a lone change shows at once; a burst holds the figures until the end of the window, then they are exact', () => {
    const f = fleet(2, 6); // 4 of 6 running per host
    const model = loadFleet(f);
    act(() => dom.root.render(<OverviewView />));
    const running = f.vms.filter((v) => v.state === 'Running');
    const hostRow = () =>
      [...dom.container.querySelectorAll('table.table tbody tr')].find((tr) => tr.textContent!.includes('HV01'))!;

    upsertVms(model, [{ ...running[0]!, state: 'Off' }]);
    expect(text('figure-running')).toBe('7');

    // Within the window: the figures hold while the VM rows follow every delta.
    const hv01Running = running.filter((v) => v.hostId === 'hv01');
    upsertVms(model, [{ ...hv01Running[0]!, state: 'Off' }]);
    upsertVms(model, [{ ...hv01Running[1]!, state: 'Paused', cpuPercent: 93 }]);
    expect(text('figure-running')).toBe('7');
    expect(hostRow().textContent).toContain('4/6');
    const vmRow = dom.container.querySelector(`[data-key="${hv01Running[1]!.key}"]`);
    if (vmRow) expect(vmRow.textContent).toContain('93 %');

    advance(COUNTS_MAX_DELAY_MS);
    expect(text('figure-running')).toBe('5');
    expect(text('figure-vms')).toBe('12');
    expect(hostRow().textContent).toContain('2/6');
  });

  test('a VM row stays live while the counts wait', () => {
    const f = fleet(1, 4);
    const model = loadFleet(f);
    act(() => dom.root.render(<VmTable scope={{ kind: 'all' }} height={3000} />));
    const vm = f.vms[1]!;
    upsertVms(model, [{ ...vm, cpuPercent: 10 }]);
    upsertVms(model, [{ ...vm, state: 'Paused', cpuPercent: 55 }]);
    const row = dom.container.querySelector(`[data-key="${vm.key}"]`)!;
    expect(row.querySelector('[data-state]')!.getAttribute('data-state')).toBe('Paused');
    expect(row.textContent).toContain('55 %');
  });

  test('the host page count converges after a burst', () => {
    const f = fleet(1, 6);
    const model = loadFleet(f);
    act(() => dom.root.render(<HostView id="hv00" />));
    expect(text('host-vm-count')).toBe('4 running of 6');
    const running = f.vms.filter((v) => v.state === 'Running');
    upsertVms(model, [{ ...running[0]!, state: 'Off' }]);
    upsertVms(model, [{ ...running[1]!, state: 'Off' }]);
    expect(text('host-vm-count')).toBe('3 running of 6');
    advance(COUNTS_MAX_DELAY_MS);
    expect(text('host-vm-count')).toBe('2 running of 6');
  });
});

/**
 * The browser's IntersectionObserver, as far as useOnScreen uses it (jsdom has none): the test says
 * which elements are on screen, the way scrolling would.
 */
class ScreenObserver {
  static current: ScreenObserver | undefined;
  readonly targets = new Set<Element>();
  constructor(private readonly report: (entries: { target: Element; isIntersecting: boolean }[]) => void) {
    ScreenObserver.current = this;
  }
  observe(target: Element) {
    this.targets.add(target);
  }
  unobserve(target: Element) {
    this.targets.delete(target);
  }
  disconnect() {
    this.targets.clear();
  }
  show(targets: Element[], isIntersecting: boolean) {
    act(() => this.report(targets.map((target) => ({ target, isIntersecting }))));
  }
}

describe('host counts scrolled out of view', () => {
  beforeEach(() => vi.stubGlobal('IntersectionObserver', ScreenObserver));
  afterEach(() => vi.unstubAllGlobals());

  test('a count off screen stands still under a stream, and is exact as soon as it is on screen again', () => {
    const f = fleet(2, 6); // 4 of 6 running per host
    const model = loadFleet(f);
    act(() => dom.root.render(<OverviewView />));
    const countOf = (host: string) =>
      [...dom.container.querySelectorAll('table.table tbody tr')].find((tr) => tr.textContent!.includes(host))!.querySelector('.live-count')!;
    const observer = ScreenObserver.current!;
    expect(observer.targets.has(countOf('HV00'))).toBe(true);
    observer.show([countOf('HV00')], false);
    observer.show([countOf('HV01')], true);

    const running = f.vms.filter((v) => v.state === 'Running');
    for (const vm of running) upsertVms(model, [{ ...vm, state: 'Off' }]);
    advance(COUNTS_MAX_DELAY_MS);
    expect(countOf('HV01').textContent).toBe('0/6'); // on screen: follows
    expect(countOf('HV00').textContent).toBe('4/6'); // off screen: not re-rendered
    expect(text('figure-running')).toBe('0');

    observer.show([countOf('HV00')], true); // scrolled back into view
    expect(countOf('HV00').textContent).toBe('0/6');
    upsertVms(model, [{ ...running[0]!, state: 'Running' }]);
    advance(COUNTS_MAX_DELAY_MS);
    expect(countOf(running[0]!.hostId === 'hv00' ? 'HV00' : 'HV01').textContent).toBe('1/6');
  });
});

describe('slots', () => {
  test("each group's publishes fall in its own slots of the interval", () => {
    expect(nextSlot(1000, 0)).toBe(1000);
    expect(nextSlot(1001, 0)).toBe(1000 + COUNTS_INTERVAL_MS);
    expect(nextSlot(1001, COUNTS_INTERVAL_MS / 2)).toBe(1000 + COUNTS_INTERVAL_MS / 2);
    expect(nextSlot(1000 + COUNTS_INTERVAL_MS / 2, COUNTS_INTERVAL_MS / 2)).toBe(1000 + COUNTS_INTERVAL_MS / 2);
  });

  test('under a stream the page and the tree show new counts at different moments, then agree', () => {
    vi.setSystemTime(10 * COUNTS_INTERVAL_MS);
    const f = fleet(1, 6); // 4 of 6 running
    const model = loadFleet(f);
    act(() =>
      dom.root.render(
        <>
          <Sidebar />
          <OverviewView />
        </>,
      ),
    );
    const running = f.vms.filter((v) => v.state === 'Running');
    upsertVms(model, [{ ...running[0]!, state: 'Off' }]); // leading edge: both show 3 at once
    expect(text('figure-running')).toBe('3');
    expect(treeRow('h:hv00').textContent).toContain('3/6');
    advance(16);
    upsertVms(model, [{ ...running[1]!, state: 'Off' }]);
    const seen: { at: number; page: string; tree: string }[] = [];
    for (let t = 16; t <= COUNTS_MAX_DELAY_MS; t += 16) {
      advance(16);
      seen.push({ at: t, page: text('figure-running')!, tree: treeRow('h:hv00').querySelector('.count')!.textContent! });
    }
    const pageAt = seen.find((s) => s.page === '2')!.at;
    const treeAt = seen.find((s) => s.tree === '2/6')!.at;
    expect(Math.abs(pageAt - treeAt)).toBeGreaterThanOrEqual(COUNTS_INTERVAL_MS / 2 - 16);
    expect(seen.at(-1)).toMatchObject({ page: '2', tree: '2/6' });
  });
});

describe('the tree under a stream of deltas', () => {
  test("it re-renders at the counts' pace, not per delta; VM dots stay live and counts converge", () => {
    const f = fleet(2, 3); // hv00: 2 of 3 running
    const model = loadFleet(f);
    let commits = 0;
    act(() =>
      dom.root.render(
        <Profiler id="tree" onRender={() => commits++}>
          <Sidebar />
        </Profiler>,
      ),
    );
    // Expand hv00 so its VMs (and their state dots) are in the tree.
    act(
      () =>
        void treeRow('h:hv00')
          .querySelector('.twisty')!
          .dispatchEvent(new MouseEvent('click', { bubbles: true })),
    );
    const vm = f.vms.find((v) => v.hostId === 'hv00' && v.state === 'Running')!;
    const dot = () => treeRow(`v:${vm.key}`).querySelector('.dot')!.getAttribute('aria-label');
    expect(dot()).toBe('Running');
    advance(COUNTS_MAX_DELAY_MS);

    upsertVms(model, [{ ...vm, state: 'Off' }]); // leading edge: shows at once
    expect(treeRow('h:hv00').textContent).toContain('1/3');
    expect(dot()).toBe('Off');

    // Deltas that change no state: nothing in the tree re-renders for them.
    commits = 0;
    for (let i = 0; i < 10; i++) upsertVms(model, [{ ...vm, state: 'Off', cpuPercent: i }]);
    expect(commits).toBe(0);

    // A state change within the window: the VM's dot follows at once, the host count at the end of the window.
    upsertVms(model, [{ ...vm, state: 'Running' }]);
    expect(dot()).toBe('Running');
    expect(treeRow('h:hv00').textContent).toContain('1/3');
    advance(COUNTS_MAX_DELAY_MS);
    expect(treeRow('h:hv00').textContent).toContain('2/3');
  });
});
