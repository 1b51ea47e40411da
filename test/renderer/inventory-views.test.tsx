// @vitest-environment jsdom
import { act } from 'react';
import { beforeEach, describe, expect, test } from 'vitest';
import type { Backend } from '../../src/renderer/backend/backend';
import type { CommandName, RequestOf, Result, VmDetails } from '../../src/shared/contract';
import { VmTable } from '../../src/renderer/components/vm-table/VmTable';
import { DisconnectedHostsView } from '../../src/renderer/features/inventory/DisconnectedHostsView';
import { HostSyncBanner, inFuture } from '../../src/renderer/features/inventory/HostSyncBanner';
import { HostView } from '../../src/renderer/features/overview/HostView';
import { VmDetailView } from '../../src/renderer/features/inventory/VmDetailView';
import { Sidebar } from '../../src/renderer/features/shell/Sidebar';
import { useApp } from '../../src/renderer/stores/app-store';
import { useInventory } from '../../src/renderer/stores/inventory-store';
import { useVmSelection } from '../../src/renderer/stores/selection-store';
import { domPerTest, loadFleet, stubBackend } from './dom-harness';
import { fleet, makeHost, makeHostView, makeVm } from './fixtures';

const dom = domPerTest();
const { rows } = dom;
const calls: { command: string; request: unknown }[] = [];
const NO_DETAILS: VmDetails = { memoryMinMb: null, memoryMaxMb: null, configurationVersion: null, notes: null, disks: [], nics: [], checkpoints: [], currentCheckpointId: null };
/** What the fake backend answers to inventory.vm, per VM key. */
const detailsByKey = new Map<string, VmDetails>();

const backend = stubBackend((async (command: CommandName, request: RequestOf<CommandName>) => {
    calls.push({ command, request });
    if (command === 'inventory.vm') {
      const { hostId, vmId } = request as { hostId: string; vmId: string };
      const vm = useInventory.getState().model.vms.get(`${hostId}:${vmId}`);
      if (!vm) return { ok: false, error: { code: 'NOT_FOUND', message: `No VM ${vmId}` } } as Result<never>;
      return { ok: true, data: { vm, details: detailsByKey.get(vm.key) ?? NO_DETAILS } } as Result<never>;
    }
    return { ok: true, data: { hostIds: [(request as { hostId: string }).hostId], coalesced: [] } } as Result<never>;
}) as Backend['invoke']);

const load = (hosts: ReturnType<typeof fleet>) => void loadFleet(hosts, backend);
const render = dom.render;

const click = (el: Element, init: MouseEventInit = {}) => act(() => void el.dispatchEvent(new MouseEvent('click', { bubbles: true, ...init })));
const key = (el: Element, k: string, init: KeyboardEventInit = {}) => act(() => void el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, ...init })));

beforeEach(() => {
  calls.length = 0;
});

describe('VmTable', () => {
  test('10,000 VMs render as a window of rows that follows the scroll position', () => {
    load(fleet(20, 500));
    render(<VmTable scope={{ kind: 'all' }} height={300} />);
    expect(dom.container.querySelector('[data-testid="vm-table-summary"]')!.textContent).toBe('10000 VMs');
    expect(rows().length).toBeLessThan(30);
    expect(rows()[0]!.textContent).toContain('vm-hv00-0000');
    const viewport = dom.container.querySelector('[data-testid="vm-rows"]') as HTMLElement;
    act(() => {
      viewport.scrollTop = 30 * 5000;
      viewport.dispatchEvent(new Event('scroll'));
    });
    expect(rows().length).toBeLessThan(30);
    expect(rows().some((r) => r.textContent!.includes('vm-hv10-0000'))).toBe(true);
    expect(rows().some((r) => r.textContent!.includes('vm-hv00-0000'))).toBe(false);
  });

  test('sorting by a column header and filtering by state and host', () => {
    load(fleet(3, 30));
    render(<VmTable scope={{ kind: 'all' }} height={3000} />);
    const nameHeader = dom.container.querySelector('[role="columnheader"] button') as HTMLButtonElement;
    click(nameHeader);
    expect(dom.container.querySelector('[role="columnheader"]')!.getAttribute('aria-sort')).toBe('descending');
    expect(rows()[0]!.textContent).toContain('vm-hv02-0029');

    const state = dom.container.querySelector('select[aria-label="State"]') as HTMLSelectElement;
    act(() => {
      state.value = 'Off';
      state.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(rows()).toHaveLength(30); // every third VM of 90 is Off
    expect(rows().every((r) => r.querySelector('[data-state]')!.getAttribute('data-state') === 'Off')).toBe(true);
    const host = dom.container.querySelector('select[aria-label="Host"]') as HTMLSelectElement;
    act(() => {
      host.value = 'hv01';
      host.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(rows()).toHaveLength(10);
    expect(dom.container.querySelector('[data-testid="vm-table-summary"]')!.textContent).toBe('10 of 90 VMs');
  });

  test('multi-select with click, Ctrl-click, Shift-click and Ctrl+A', () => {
    load(fleet(1, 20));
    render(<VmTable scope={{ kind: 'host', hostId: 'hv00' }} height={3000} />);
    click(rows()[2]!);
    click(rows()[5]!, { ctrlKey: true });
    expect(rows().filter((r) => r.getAttribute('aria-selected') === 'true').map((r) => r.dataset.key)).toEqual([rows()[2]!.dataset.key, rows()[5]!.dataset.key]);
    click(rows()[8]!, { shiftKey: true }); // anchor is row 5
    expect(rows().filter((r) => r.getAttribute('aria-selected') === 'true')).toHaveLength(4);
    expect(useVmSelection.getState().selection.keys.size).toBe(4);
    key(dom.container.querySelector('[role="grid"]')!, 'a', { ctrlKey: true });
    expect(useVmSelection.getState().selection.keys.size).toBe(20);
    expect(dom.container.querySelector('[data-testid="vm-table-summary"]')!.textContent).toBe('20 VMs · 20 selected');
    key(dom.container.querySelector('[role="grid"]')!, 'Escape');
    expect(useVmSelection.getState().selection.keys.size).toBe(0);
  });

  test('a VM removed by a delta leaves the selection', () => {
    load(fleet(1, 5));
    render(<VmTable scope={{ kind: 'all' }} height={3000} />);
    key(dom.container.querySelector('[role="grid"]')!, 'a', { ctrlKey: true });
    expect(useVmSelection.getState().selection.keys.size).toBe(5);
    const gone = rows()[0]!.dataset.key!;
    act(() => {
      const model = useInventory.getState().model;
      model.apply([{ hosts: { upsert: [], remove: [] }, vms: { upsert: [], remove: [gone] } }]);
      useInventory.setState({ version: model.version, membershipVersion: model.membershipVersion });
    });
    expect(useVmSelection.getState().selection.keys.size).toBe(4);
    expect(useVmSelection.getState().selection.keys.has(gone)).toBe(false);
    expect(rows()).toHaveLength(4);
  });

  test("a VM whose values have not changed shows when its host last confirmed it, and follows the host's syncs", () => {
    const f = fleet(1, 1);
    const tenMinutesAgo = new Date(Date.now() - 600_000).toISOString();
    f.vms[0] = { ...f.vms[0]!, observedAt: tenMinutesAgo };
    f.hosts[0] = makeHost('hv00', {}, { lastSuccessAt: new Date(Date.now() - 240_000).toISOString(), lastQuickAt: new Date(Date.now() - 5_000).toISOString() });
    const model = loadFleet(f);
    render(<VmTable scope={{ kind: 'all' }} height={3000} />);
    const cell = () => rows()[0]!.querySelector('[data-testid="freshness"]')!.textContent;
    expect(cell()).toBe('observed 5 s ago');
    // The next quick sync of the host (a host delta; the VM itself does not change).
    act(() => {
      model.apply([{ hosts: { upsert: [makeHost('hv00', {}, { lastQuickAt: new Date().toISOString() })], remove: [] }, vms: { upsert: [], remove: [] } }]);
      useInventory.setState({ version: model.version, hostsVersion: model.hostsVersion });
    });
    expect(cell()).toBe('observed 0 s ago');
  });

  test('a stale VM row is dimmed and says since when', () => {
    const f = fleet(1, 2);
    f.vms[1] = { ...f.vms[1]!, stale: true, staleSince: new Date(Date.now() - 120_000).toISOString() };
    // Its host last answered 3 minutes ago: that confirms nothing newer than the VMs' own times.
    f.hosts[0] = makeHost('hv00', {}, { lastSuccessAt: new Date(Date.now() - 180_000).toISOString(), lastQuickAt: null });
    load(f);
    render(<VmTable scope={{ kind: 'all' }} height={3000} />);
    expect(rows()[1]!.className).toContain('stale');
    // The cell shows what matters in its width; its tooltip has when it was observed too.
    expect(rows()[1]!.textContent).toMatch(/stale since 2 min ago/);
    expect(rows()[1]!.textContent).not.toMatch(/observed/);
    expect(rows()[1]!.querySelector('[data-testid="freshness"]')!.getAttribute('title')).toMatch(/^observed 4\d s ago · stale since 2 min ago\n\d{4}-/);
    expect(rows()[0]!.textContent).toMatch(/observed 4\d s ago/);
    expect(rows()[0]!.className).not.toContain('stale');
  });
});

describe('inventory views', () => {
  test('the disconnected-hosts view lists unreachable hosts with their error; Retry stays busy until the attempt ends, then says how it went', async () => {
    const f = fleet(3, 4);
    f.views[1] = makeHostView('hv01', { status: 'unreachable', lastError: 'hv01: connection refused (is WinRM listening on 5985?)' });
    f.hosts[2] = makeHost('hv02', {}, { state: 'error', lastError: 'hv02: timed out after 30 s', consecutiveFailures: 3 });
    load(f);
    render(<DisconnectedHostsView />);
    const items = [...dom.container.querySelectorAll('[data-testid^="disconnected-"]')].filter((el) => el.tagName === 'LI');
    expect(items.map((i) => i.getAttribute('data-testid'))).toEqual(['disconnected-HV01', 'disconnected-HV02']);
    expect(items[0]!.textContent).toContain('connection refused');
    expect(items[1]!.textContent).toContain('timed out after 30 s');
    expect(items[1]!.textContent).toContain('3 failed attempts');
    await act(async () => {
      (dom.container.querySelector('button[aria-label="Retry HV02"]') as HTMLButtonElement).click();
    });
    expect(calls).toEqual([{ command: 'inventory.refresh', request: { hostId: 'hv02' } }]);
    // The refresh is queued, not finished: the button says so and cannot be pressed again.
    const button = () => dom.container.querySelector('button[aria-label="Retry HV02"]') as HTMLButtonElement | null;
    expect(button()!.textContent).toBe('Retrying…');
    expect(button()!.disabled).toBe(true);
    expect(useApp.getState().toasts).toEqual([]);
    // The attempt fails again: its new record ends the busy state, and the result is said.
    const model = useInventory.getState().model;
    const failed = makeHost('hv02', {}, { state: 'error', lastError: 'hv02: timed out after 30 s', consecutiveFailures: 4, lastAttemptAt: new Date().toISOString() });
    act(() => {
      model.apply([{ hosts: { upsert: [failed], remove: [] }, vms: { upsert: [], remove: [] } }]);
      useInventory.setState({ version: model.version, membershipVersion: model.membershipVersion, hostsVersion: model.hostsVersion });
    });
    await act(async () => undefined);
    expect(button()!.textContent).toBe('Retry');
    expect(button()!.disabled).toBe(false);
    expect(useApp.getState().toasts.at(-1)?.text).toBe('HV02: the attempt failed — hv02: timed out after 30 s.');
    // Retried again, this time the host answers: the result is a refreshed host.
    await act(async () => button()!.click());
    const fresh = makeHost('hv02', {}, { state: 'fresh', lastSuccessAt: new Date().toISOString(), lastAttemptAt: new Date().toISOString(), consecutiveFailures: 0, lastError: null });
    act(() => {
      model.apply([{ hosts: { upsert: [fresh], remove: [] }, vms: { upsert: [], remove: [] } }]);
      useInventory.setState({ version: model.version, membershipVersion: model.membershipVersion, hostsVersion: model.hostsVersion });
    });
    await act(async () => undefined);
    expect(useApp.getState().toasts.at(-1)?.text).toBe('HV02: refreshed, inventory up to date.');
    expect(button()).toBeNull();
  });

  test('the retry countdown counts to the attempt: whole seconds, minutes with their seconds, then now', () => {
    const now = Date.parse('2026-12-03T10:00:00Z');
    const at = (ms: number) => new Date(now + ms).toISOString();
    expect(inFuture(at(12_400), now)).toBe('in 13 s');
    expect(inFuture(at(150_000), now)).toBe('in 2 min 30 s');
    expect(inFuture(at(59_001), now)).toBe('in 1 min');
    expect(inFuture(at(1_800_000), now)).toBe('in 30 min');
    expect(inFuture(at(0), now)).toBe('now');
    expect(inFuture(at(-5_000), now)).toBe('now');
  });

  test("a host's last seen is its latest contact, quick or full, everywhere it is shown", () => {
    const f = fleet(1, 1);
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    f.views[0] = makeHostView('hv00', { status: 'unreachable', lastSeenAt: minutesAgo(9) });
    f.hosts[0] = makeHost('hv00', {}, { state: 'error', lastError: 'hv00: timed out', consecutiveFailures: 1, lastSuccessAt: minutesAgo(3), lastQuickAt: minutesAgo(1) });
    load(f);
    render(<HostView id="hv00" />);
    const facts = dom.container.querySelector('[data-testid="host-facts"]')!;
    const lastSeen = [...facts.querySelectorAll('dt')].find((dt) => dt.textContent === 'Last seen')!.nextElementSibling!.textContent;
    expect(lastSeen).toBe('1 min ago');
    expect(dom.container.querySelector('[data-testid="host-unreachable"]')!.textContent).toContain('Showing the last known inventory from 1 min ago');
    expect(dom.container.textContent).not.toContain('3 min ago;');
    render(<DisconnectedHostsView />);
    expect(dom.container.querySelector('[data-testid="disconnected-HV00"]')!.textContent).toContain('Last seen 1 min ago');
  });

  test('host lists read in natural order (hv2 before hv10), as in the tree', () => {
    const f = fleet(3, 1);
    f.views = f.views.map((v, i) => ({ ...v, displayName: ['hv10', 'hv9', 'hv2'][i]!, status: 'unreachable' as const }));
    load(f);
    render(<DisconnectedHostsView />);
    const names = [...dom.container.querySelectorAll('li .host-name')].map((b) => b.textContent);
    expect(names).toEqual(['hv2', 'hv9', 'hv10']);
  });

  test("the host page says its inventory state in words", () => {
    const f = fleet(1, 1);
    f.views[0] = makeHostView('hv00', { status: 'unreachable' });
    f.hosts[0] = makeHost('hv00', {}, { state: 'error', lastError: 'hv00: timed out', consecutiveFailures: 2 });
    load(f);
    render(<HostView id="hv00" />);
    const inventory = [...dom.container.querySelectorAll('dt')].find((dt) => dt.textContent === 'Inventory')!.nextElementSibling!;
    expect(inventory.textContent).toMatch(/^not refreshed, its last attempt failed · full sync \d+ s ago/);
  });

  test('the host banner says unreachable only for a host that does not answer', () => {
    const sync = { state: 'error' as const, lastError: 'hv00: agent newer than this app (9.0.0 > 1.0.0)', consecutiveFailures: 1 };
    const down = makeHostView('hv00', { status: 'unreachable' });
    render(<HostSyncBanner host={down} inventoryHost={makeHost('hv00', {}, sync)} />);
    expect(dom.container.textContent).toMatch(/^HV00 is unreachable: hv00: agent newer/);
    // The host answers (deployment found a newer agent and left it alone): not a network problem.
    render(<HostSyncBanner host={makeHostView('hv00', { status: 'connected' })} inventoryHost={makeHost('hv00', {}, sync)} />);
    expect(dom.container.textContent).toMatch(/^HV00 answers, but its inventory is not refreshed: hv00: agent newer than this app/);
    expect(dom.container.textContent).toContain('Showing the last known inventory');
    // An error that ends its own sentence is not given a second full stop; one attempt is singular.
    const refused = { state: 'error' as const, lastError: 'hv00: connection refused — is the WinRM service running?', consecutiveFailures: 1 };
    render(<HostSyncBanner host={down} inventoryHost={makeHost('hv00', {}, refused)} />);
    expect(dom.container.textContent).toContain('is the WinRM service running? Showing the last known inventory');
    expect(dom.container.textContent).toContain('; 1 failed attempt');
    expect(dom.container.textContent).not.toContain('attempts');
  });

  test('VM detail shows facts, fetches details with inventory.vm, refetches when they change, and switches tabs', async () => {
    const f = fleet(1, 1);
    f.vms[0] = makeVm('hv00', 0, { name: 'sql-01', clustered: true, ipAddresses: ['10.1.2.3', 'fe80::1'] });
    const disk = { id: 'd1', name: 'os.vhdx', path: 'C:\\VMs\\sql-01\\os.vhdx', type: 'Dynamic', capacityGb: 60, fileSizeGb: 12.5 };
    detailsByKey.set(f.vms[0].key, { ...NO_DETAILS, memoryMinMb: 512, memoryMaxMb: 8192, configurationVersion: '10.0', notes: 'Owner: DBA team', disks: [disk] });
    load(f);
    await act(async () => dom.root.render(<VmDetailView vmKey={f.vms[0]!.key} />));
    expect(calls.filter((c) => c.command === 'inventory.vm')).toEqual([{ command: 'inventory.vm', request: { hostId: 'hv00', vmId: f.vms[0].vmId } }]);
    expect(dom.container.querySelector('[role="tabpanel"]')!.textContent).toContain('Configuration version10.0');
    expect(dom.container.querySelector('[role="tabpanel"]')!.textContent).toContain('min 0.5 GB, max 8 GB');
    // Hyper-V's heartbeat enum in Hyper-V Manager's words, not OkApplicationsHealthy.
    expect(dom.container.querySelector('[role="tabpanel"]')!.textContent).toContain('HeartbeatOK (applications healthy)');
    expect(dom.container.querySelector('h1')!.textContent).toBe('sql-01');
    const facts = dom.container.querySelector('[data-testid="vm-facts"]')!.textContent!;
    expect(facts).toContain('HV00');
    expect(facts).toContain('10.1.2.3, fe80::1');
    expect(facts).toContain('Windows Server 2022');
    // The host's reported cluster (as the tree shows it) and whether the VM is a role in it.
    expect(facts).toContain('ClusterCL-A · cluster role (highly available)');
    const tab = (name: string) => [...dom.container.querySelectorAll('[role="tab"]')].find((t) => t.textContent === name)!;
    click(tab('Disks'));
    expect(dom.container.querySelector('[role="tabpanel"]')!.textContent).toContain('os.vhdx');
    click(tab('Notes'));
    expect(dom.container.querySelector('[role="tabpanel"] pre.notes')!.textContent).toBe('Owner: DBA team');

    // A hot-state delta does not refetch; a configuration change (new detailsHash) does.
    const model = useInventory.getState().model;
    await act(async () => {
      model.apply([{ hosts: { upsert: [], remove: [] }, vms: { upsert: [{ ...f.vms[0]!, cpuPercent: 99 }], remove: [] } }]);
      useInventory.setState({ version: model.version });
    });
    expect(calls.filter((c) => c.command === 'inventory.vm')).toHaveLength(1);
    detailsByKey.set(f.vms[0].key, { ...detailsByKey.get(f.vms[0].key)!, notes: 'Owner: platform team' });
    await act(async () => {
      model.apply([{ hosts: { upsert: [], remove: [] }, vms: { upsert: [{ ...f.vms[0]!, detailsHash: 'changed' }], remove: [] } }]);
      useInventory.setState({ version: model.version });
    });
    expect(calls.filter((c) => c.command === 'inventory.vm')).toHaveLength(2);
    expect(dom.container.querySelector('[role="tabpanel"] pre.notes')!.textContent).toBe('Owner: platform team');
  });

  test('the tree expands a host to its VMs with the keyboard and opens one', () => {
    load(fleet(2, 3));
    render(<Sidebar />);
    const row = (k: string) => dom.container.querySelector(`[data-testid="tree-${k}"]`) as HTMLElement;
    expect(row('h:hv00').getAttribute('aria-expanded')).toBe('false');
    expect(row('h:hv00').textContent).toContain('2/3');
    expect(row('g:Standalone hosts').textContent).toContain('1 host · 3 VMs');
    key(row('h:hv00'), 'ArrowRight');
    expect(row('h:hv00').getAttribute('aria-expanded')).toBe('true');
    const vmKey = makeVm('hv00', 1).key;
    expect(row(`v:${vmKey}`).textContent).toContain('vm-hv00-0001');
    key(row(`v:${vmKey}`), 'Enter');
    expect(useApp.getState().view).toEqual({ name: 'vm', key: vmKey });
    key(row(`v:${vmKey}`), 'ArrowLeft'); // to the parent host
    expect(document.activeElement).toBe(row('h:hv00'));
    key(row('h:hv00'), 'ArrowLeft'); // collapse
    expect(row(`v:${vmKey}`)).toBeNull();
  });
});
