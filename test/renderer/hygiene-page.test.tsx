// @vitest-environment jsdom
// The Hygiene page against a backend double that keeps snoozes like the real one: counts per
// check, filters by check/host/cluster, snooze hides a finding behind "show snoozed (N)", links
// open the VM and host pages, and "Scan for unattached disks" calls the scan and shows its files.
import { act } from 'react';
import { beforeEach, describe, expect, test } from 'vitest';
import type { HygieneFindingView, HygieneReport } from '../../src/shared/hygiene/contract';
import { HygieneView } from '../../src/renderer/features/hygiene/HygieneView';
import { SettingsView } from '../../src/renderer/features/settings/SettingsView';
import { DEFAULT_SETTINGS } from '../../src/shared/contract';
import { useApp } from '../../src/renderer/stores/app-store';
import { hashToView, viewToHash } from '../../src/renderer/router';
import type { InventoryModel } from '../../src/renderer/stores/inventory-model';
import { domPerTest, loadFleet, stubBackend, upsertVms } from './dom-harness';
import { fleet, makeVm } from './fixtures';

const f = (id: string, check: HygieneFindingView['check'], hostIds: string[], clusters: string[], vms: Array<[string, string, string]>, extra: Partial<HygieneFindingView> = {}): HygieneFindingView => ({
  id,
  check,
  hostIds,
  clusters,
  vms: vms.map(([hostId, vmId, name]) => ({ hostId, vmId, name })),
  message: `${check} message`,
  fingerprint: 'fp',
  snoozed: null,
  ...extra,
});

let calls: Array<[string, unknown]>;
let snoozed: Map<string, string | null>;
let scanned: boolean;
let model: InventoryModel;

function report(): HygieneReport {
  const findings = [
    f('old-checkpoint:hv00:v1', 'old-checkpoint', ['hv00'], ['CL-A'], [['hv00', 'v1', 'web-01']]),
    f('old-checkpoint:hv01:v2', 'old-checkpoint', ['hv01'], [], [['hv01', 'v2', 'db-01']]),
    f('long-saved:hv01:v3', 'long-saved', ['hv01'], [], [['hv01', 'v3', 'app-01']]),
    f('duplicate-mac:00155D000001', 'duplicate-mac', ['hv00', 'hv01'], ['CL-A'], [['hv00', 'v1', 'web-01'], ['hv01', 'v2', 'db-01']]),
    ...(scanned ? [f('orphan-disk:hv01:d:\\vms\\old.vhdx', 'orphan-disk', ['hv01'], [], [], { file: { hostId: 'hv01', path: 'D:\\VMs\\old.vhdx', sizeGb: 3, lastWriteTime: new Date(Date.now() - 40 * 86_400_000).toISOString() } })] : []),
  ];
  return {
    findings: findings.map((x) => (snoozed.has(x.id) ? { ...x, snoozed: { until: snoozed.get(x.id)! } } : x)),
    orphanScans: scanned ? [{ hostId: 'hv01', scannedAt: new Date().toISOString(), files: 1 }] : [],
    evaluatedAt: new Date().toISOString(),
  };
}

const dom = domPerTest();
const flush = () => act(async () => void (await new Promise((r) => setTimeout(r, 0))));
const shownIds = () => [...dom.container.querySelectorAll('[data-testid="hygiene-finding"]')].map((e) => e.getAttribute('data-finding'));
const byTestId = (id: string) => dom.container.querySelector(`[data-testid="${id}"]`) as HTMLElement;
function choose(select: HTMLSelectElement, value: string) {
  act(() => {
    const setter = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')!.set!;
    setter.call(select, value);
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

beforeEach(async () => {
  calls = [];
  snoozed = new Map();
  scanned = false;
  const backend = stubBackend((async (command: string, request: unknown) => {
    calls.push([command, request]);
    if (command === 'hygiene.findings') return { ok: true, data: report() };
    if (command === 'hygiene.snooze') {
      const { findingId, for: span } = request as { findingId: string; for: string };
      if (span === 'off') snoozed.delete(findingId);
      else snoozed.set(findingId, span === 'change' ? null : new Date(Date.now() + 7 * 86_400_000).toISOString());
      return { ok: true, data: { ok: true } };
    }
    if (command === 'hygiene.scanOrphanDisks') {
      scanned = true;
      return { ok: true, data: { hostId: 'hv01', scannedAt: new Date().toISOString(), files: [] } };
    }
    return { ok: true, data: null };
  }) as never);
  model = loadFleet(fleet(2, 1), backend);
  dom.render(<HygieneView reloadAfterChangeMs={20} />);
  await flush();
});

describe('Hygiene page', () => {
  test('the route and the sidebar name the page', () => {
    expect(hashToView('#/hygiene')).toEqual({ name: 'hygiene' });
    expect(viewToHash({ name: 'hygiene' })).toBe('#/hygiene');
  });

  test('counts per check, and filters by check, host and cluster', () => {
    expect(byTestId('hygiene-count-old-checkpoint').textContent).toContain('2');
    expect(byTestId('hygiene-count-duplicate-mac').textContent).toContain('1');
    expect(byTestId('hygiene-count-memory-pinned').textContent).toContain('0');
    expect(shownIds()).toHaveLength(4);
    act(() => byTestId('hygiene-count-old-checkpoint').click());
    expect(shownIds()).toEqual(['old-checkpoint:hv00:v1', 'old-checkpoint:hv01:v2']);
    choose(byTestId('hygiene-filter-check') as HTMLSelectElement, '');
    choose(byTestId('hygiene-filter-host') as HTMLSelectElement, 'hv01');
    expect(shownIds()).toEqual(['old-checkpoint:hv01:v2', 'long-saved:hv01:v3', 'duplicate-mac:00155D000001']);
    expect(byTestId('hygiene-count-old-checkpoint').textContent).toContain('1');
    choose(byTestId('hygiene-filter-host') as HTMLSelectElement, '');
    choose(byTestId('hygiene-filter-cluster') as HTMLSelectElement, 'CL-A');
    expect(shownIds()).toEqual(['old-checkpoint:hv00:v1', 'duplicate-mac:00155D000001']);
  });

  test('a snoozed finding is hidden behind "show snoozed (N)" and can be woken', async () => {
    const row = dom.container.querySelector('[data-finding="long-saved:hv01:v3"]')!;
    choose(row.querySelector('[data-testid="hygiene-snooze"]') as HTMLSelectElement, '7d');
    await flush();
    expect(calls).toContainEqual(['hygiene.snooze', { findingId: 'long-saved:hv01:v3', for: '7d' }]);
    expect(shownIds()).not.toContain('long-saved:hv01:v3');
    expect(byTestId('hygiene-count-long-saved').textContent).toContain('0');
    const toggle = byTestId('hygiene-show-snoozed') as HTMLInputElement;
    expect(toggle.parentElement!.textContent).toContain('show snoozed (1)');
    act(() => toggle.click());
    expect(shownIds()).toContain('long-saved:hv01:v3');
    act(() => (dom.container.querySelector('[data-finding="long-saved:hv01:v3"] [data-testid="hygiene-wake"]') as HTMLElement).click());
    await flush();
    expect(calls).toContainEqual(['hygiene.snooze', { findingId: 'long-saved:hv01:v3', for: 'off' }]);
    expect(toggle.parentElement!.textContent).toContain('show snoozed (0)');
  });

  test('links open the VM and the host pages', () => {
    const row = dom.container.querySelector('[data-finding="duplicate-mac:00155D000001"]')!;
    const vmLinks = row.querySelectorAll('[data-testid="hygiene-vm-link"]');
    expect([...vmLinks].map((l) => l.textContent)).toEqual(['web-01', 'db-01']);
    act(() => (vmLinks[1] as HTMLElement).click());
    expect(useApp.getState().view).toEqual({ name: 'vm', key: 'hv01:v2' });
    act(() => (row.querySelector('[data-testid="hygiene-host-link"]') as HTMLElement).click());
    expect(useApp.getState().view).toEqual({ name: 'host', id: 'hv00' });
  });

  test('live: an inventory change asks for the findings again (once for a burst of changes)', async () => {
    const before = calls.filter(([c]) => c === 'hygiene.findings').length;
    upsertVms(model, [makeVm('hv00', 0, { state: 'Saved' })]);
    upsertVms(model, [makeVm('hv00', 0, { state: 'Running' })]);
    await act(async () => void (await new Promise((r) => setTimeout(r, 80))));
    expect(calls.filter(([c]) => c === 'hygiene.findings').length).toBe(before + 1);
  });

  test('"Scan for unattached disks" scans that host and shows the file with its age', async () => {
    act(() => byTestId('hygiene-scan-hv01').click());
    await flush();
    expect(calls).toContainEqual(['hygiene.scanOrphanDisks', { hostId: 'hv01' }]);
    const row = dom.container.querySelector('[data-finding="orphan-disk:hv01:d:\\\\vms\\\\old.vhdx"]')!;
    expect(row.textContent).toContain('D:\\VMs\\old.vhdx');
    expect(row.textContent).toMatch(/last written .*40/);
    expect(dom.container.textContent).toContain('1 file');
  });

  test('Settings › Hygiene edits the three thresholds and saves them with the settings', async () => {
    act(() => useApp.setState({ settings: DEFAULT_SETTINGS }));
    dom.render(<SettingsView />);
    const input = dom.container.querySelector('[id="hygiene.checkpointDays"]') as HTMLInputElement;
    expect(input.value).toBe('7');
    expect((dom.container.querySelector('[id="hygiene.heartbeatMinutes"]') as HTMLInputElement).value).toBe('10');
    expect((dom.container.querySelector('[id="hygiene.savedDays"]') as HTMLInputElement).value).toBe('7');
    act(() => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, '14');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    act(() => (input.form as HTMLFormElement).requestSubmit());
    await flush();
    const update = calls.find(([c]) => c === 'settings.update');
    expect(update?.[1]).toMatchObject({ hygiene: { checkpointDays: 14, heartbeatMinutes: 10, savedDays: 7 } });
  });
});
