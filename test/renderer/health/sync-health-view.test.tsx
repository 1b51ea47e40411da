// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, test } from 'vitest';
import type { Backend } from '../../../src/renderer/backend/backend';
import { SyncHealthView } from '../../../src/renderer/features/health/SyncHealthView';
import { HostWarnings, VmWarnings } from '../../../src/renderer/features/health/Warnings';
import { sortHealthRows, healthRows } from '../../../src/renderer/features/health/health-rows';
import { hashToView, viewToHash } from '../../../src/renderer/router';
import { useInventory } from '../../../src/renderer/stores/inventory-store';
import type { DeploymentStatus } from '../../../src/shared/contract/areas/deployment';
import type { InventoryHost } from '../../../src/shared/contract';
import { domPerTest, loadFleet, stubBackend } from '../dom-harness';
import { fleet, makeHost } from '../fixtures';

const dom = domPerTest();
const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();

function deploymentOf(versions: Record<string, string | null>): DeploymentStatus {
  return {
    agentVersion: '1.4.0',
    server: { ready: true, url: 'http://127.0.0.1:1', advertisedBaseUrl: 'http://127.0.0.1:1', files: 3, downloads: 0, error: null },
    summary: { total: 3, ready: 3, failed: 0, newer: 0, inProgress: 0 },
    hosts: Object.entries(versions).map(([hostId, hostVersion]) => ({ hostId, displayName: hostId, state: hostVersion ? 'ready' : 'failed', hostVersion, lastError: null, deployments: 0, lastDurationMs: null, updatedAt: ago(1) })),
  };
}

/** Three hosts: one fresh, one failing three times with an error, one fresh but reporting warnings. */
function healthFleet() {
  const f = fleet(3, 2);
  f.hosts[0] = makeHost('hv00', {}, { lastSuccessAt: ago(30), lastQuickAt: ago(5), avgDurationMs: 1250 });
  f.hosts[1] = makeHost('hv01', {}, { state: 'error', lastSuccessAt: ago(7200), consecutiveFailures: 3, lastError: 'WinRM: connection refused', nextAttemptAt: new Date(Date.now() + 90_000).toISOString(), avgDurationMs: 4000 });
  f.hosts[2] = makeHost('hv02', { warnings: ['Checkpoint query failed: The operation timed out'] }, { lastSuccessAt: ago(60), avgDurationMs: 800 });
  return f;
}

const cells = (row: Element) => [...row.querySelectorAll('td')].map((td) => td.textContent);
const rowHosts = () => [...dom.container.querySelectorAll('[data-testid="health-row"]')].map((r) => r.getAttribute('data-host'));

describe('sync health page', () => {
  test('is routed at #/sync-health', () => {
    expect(hashToView('#/sync-health')).toEqual({ name: 'sync-health' });
    expect(viewToHash({ name: 'sync-health' })).toBe('#/sync-health');
  });

  test('one row per host: state, last full and quick sync, average duration, failures and last error, next attempt, agent, warnings; worst first', async () => {
    const f = healthFleet();
    const backend = stubBackend((async (command: string) => (command === 'deployment.status' ? { ok: true, data: deploymentOf({ hv00: '1.4.0', hv01: null, hv02: '1.3.2' }) } : { ok: true, data: null })) as Backend['invoke']);
    loadFleet(f, backend);
    dom.render(<SyncHealthView />);
    await act(async () => undefined);
    expect(rowHosts()).toEqual(['hv01', 'hv00', 'hv02']);
    const [failing, fresh, warned] = [...dom.container.querySelectorAll('[data-testid="health-row"]')];
    expect(cells(failing!)).toEqual(['HV01hv01.lab.local', 'error', '2 h ago', 'never', '4.0 s', '3WinRM: connection refused', 'in 1 min', '—failed', '—']);
    expect(cells(fresh!)).toEqual(['HV00hv00.lab.local', 'fresh', '30 s ago', '5 s ago', '1.3 s', '0', '—', '1.4.0ready', '—']);
    expect(cells(warned!).at(-1)).toBe('Checkpoint query failed: The operation timed out');
    expect(cells(warned!).at(-2)).toBe('1.3.2ready');
    expect(dom.text('sync-health-summary')).toBe('3 hosts; 1 failing or stale; 1 reporting warnings');

    // Sortable: by failures descending, then by average duration ascending.
    act(() => (dom.container.querySelector('[data-testid="sort-failures"]') as HTMLButtonElement).click());
    act(() => (dom.container.querySelector('[data-testid="sort-failures"]') as HTMLButtonElement).click());
    expect(rowHosts()[0]).toBe('hv01');
    expect(dom.container.querySelector('th[aria-sort="descending"]')!.textContent).toContain('Failures');
    act(() => (dom.container.querySelector('[data-testid="sort-avgDurationMs"]') as HTMLButtonElement).click());
    expect(rowHosts()).toEqual(['hv02', 'hv00', 'hv01']);
  });

  test('Refresh all calls inventory.refresh for every host and shows progress as each host\'s sync changes', async () => {
    const f = healthFleet();
    const calls: Array<{ command: string; request: unknown }> = [];
    const backend = stubBackend((async (command: string, request: unknown) => {
      calls.push({ command, request });
      if (command === 'inventory.refresh') return { ok: true, data: { hostIds: ['hv00', 'hv01', 'hv02'], coalesced: [] } };
      if (command === 'deployment.status') return { ok: true, data: deploymentOf({}) };
      return { ok: true, data: null };
    }) as Backend['invoke']);
    const model = loadFleet(f, backend);
    dom.render(<SyncHealthView />);
    await act(async () => (dom.container.querySelector('[data-testid="refresh-all"]') as HTMLButtonElement).click());
    // The command's request shape: no hostId means every enabled host.
    expect(calls.filter((c) => c.command === 'inventory.refresh')).toEqual([{ command: 'inventory.refresh', request: {} }]);
    expect(dom.text('refresh-progress')).toBe('Refreshed 0 of 3 hosts…');
    expect((dom.container.querySelector('[data-testid="refresh-all"]') as HTMLButtonElement).disabled).toBe(true);

    const finish = (host: InventoryHost, sync: Partial<InventoryHost['sync']>) =>
      act(() => {
        model.apply([{ hosts: { upsert: [{ ...host, sync: { ...host.sync, ...sync } }], remove: [] }, vms: { upsert: [], remove: [] } }]);
        useInventory.setState({ version: model.version, membershipVersion: model.membershipVersion, hostsVersion: model.hostsVersion });
      });
    finish(f.hosts[0]!, { lastAttemptAt: new Date().toISOString(), generation: 2 });
    expect(dom.text('refresh-progress')).toBe('Refreshed 1 of 3 hosts…');
    // A failure counts as done too (the host answered, with an error).
    finish(f.hosts[1]!, { lastAttemptAt: new Date().toISOString(), consecutiveFailures: 4 });
    finish(f.hosts[2]!, { lastAttemptAt: new Date().toISOString(), generation: 2 });
    expect(dom.text('refresh-progress')).toBe('Refreshed 3 of 3 hosts.');
    expect((dom.container.querySelector('[data-testid="refresh-all"]') as HTMLButtonElement).disabled).toBe(false);
    expect(dom.container.querySelector('[data-testid="health-row"][data-host="hv01"]')!.textContent).toContain('4');
  });

  test('a refused Refresh all says why and shows no progress', async () => {
    const toasts: string[] = [];
    const backend = stubBackend((async (command: string) => (command === 'inventory.refresh' ? { ok: false, error: { code: 'UNAVAILABLE', message: 'the inventory service is not running' } } : { ok: true, data: null })) as Backend['invoke']);
    loadFleet(healthFleet(), backend);
    const { useApp } = await import('../../../src/renderer/stores/app-store');
    useApp.setState({ toast: (_level, text) => void toasts.push(text) });
    dom.render(<SyncHealthView />);
    await act(async () => (dom.container.querySelector('[data-testid="refresh-all"]') as HTMLButtonElement).click());
    expect(toasts).toEqual(['Refresh all failed: the inventory service is not running']);
    expect(dom.container.querySelector('[data-testid="refresh-progress"]')).toBeNull();
  });

  test('rows without a value stay last whichever way they are sorted', () => {
    const f = healthFleet();
    const rows = healthRows(f.views, new Map(f.hosts.map((h) => [h.hostId, h])), deploymentOf({ hv00: '1.4.0', hv02: '1.10.0' }).hosts);
    expect(sortHealthRows(rows, { by: 'agentVersion', dir: 'asc' }).map((r) => r.hostId)).toEqual(['hv00', 'hv02', 'hv01']);
    expect(sortHealthRows(rows, { by: 'agentVersion', dir: 'desc' }).map((r) => r.hostId)).toEqual(['hv02', 'hv00', 'hv01']);
  });
});

describe('agent warnings on the host and VM pages', () => {
  test('the host page shows the host\'s warnings; the VM page its own and its host\'s; none: nothing', () => {
    const f = healthFleet();
    loadFleet(f);
    dom.render(
      <>
        <HostWarnings hostId="hv02" />
        <VmWarnings hostId="hv02" warnings={['Guest OS (KVP) query failed: no answer']} />
      </>,
    );
    expect(dom.text('host-warnings')).toContain('The host reported:Checkpoint query failed: The operation timed out');
    const vmItems = [...dom.container.querySelectorAll('[data-testid="vm-warnings"] li')].map((li) => li.textContent);
    expect(vmItems).toEqual(['Guest OS (KVP) query failed: no answer', 'Checkpoint query failed: The operation timed out']);
    dom.render(
      <>
        <HostWarnings hostId="hv00" />
        <VmWarnings hostId="hv00" warnings={undefined} />
      </>,
    );
    expect(dom.container.querySelector('[data-testid="host-warnings"]')).toBeNull();
    expect(dom.container.querySelector('[data-testid="vm-warnings"]')).toBeNull();
  });
});
