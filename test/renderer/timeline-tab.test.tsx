// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, test } from 'vitest';
import type { Backend } from '../../src/renderer/backend/backend';
import { VmDetailView } from '../../src/renderer/features/inventory/VmDetailView';
import { HostView } from '../../src/renderer/features/overview/HostView';
import type { InventoryVm, TimelineEntry } from '../../src/shared/contract';
import { applyTagChange, tagProblem } from '../../src/shared/tag-rules';
import { domPerTest, loadFleet, stubBackend, upsertVms } from './dom-harness';
import { makeHost, makeHostView, makeVm } from './fixtures';

// Issue 16 items 4–5 in the page: the VM page's Timeline tab and tag chips, the host page's
// timeline. The entries are shaped as the store writes them (test/timeline/timeline-store.test.ts
// checks the store's side); this checks paging, grouping by day and the words.
const at = (day: number, h: number, m: number) => new Date(2026, 11, day, h, m).toISOString();
const base = { hostId: 'hv01', vmName: 'vm-hv01-0001', field: null, from: null, to: null, sync: null, detail: null };

function history(vm: InventoryVm): TimelineEntry[] {
  // Newest first, as timeline.vm answers; 150 entries so a second page exists.
  const out: TimelineEntry[] = [
    { ...base, id: 400, vmId: vm.vmId, at: at(4, 14, 5), kind: 'job', field: 'Add a disk to vm-hv01-0001', from: 'this workstation', to: 'succeeded' },
    { ...base, id: 399, vmId: vm.vmId, at: at(4, 14, 2), kind: 'state', field: 'state', from: 'Running', to: 'Off', sync: 'quick' },
    { ...base, id: 398, vmId: vm.vmId, at: at(4, 14, 2), kind: 'pending', field: 'shutdown', from: 'Off', to: 'confirmed', sync: 'quick' },
    { ...base, id: 397, vmId: vm.vmId, at: at(3, 9, 30), kind: 'config', field: 'processors', from: '2', to: '4', sync: 'full' },
    { ...base, id: 396, vmId: vm.vmId, at: at(3, 9, 30), kind: 'moved', field: 'host', from: 'hv02', to: 'hv01', sync: 'full' },
  ];
  for (let i = 0; i < 145; i++) out.push({ ...base, id: 395 - i, vmId: vm.vmId, at: at(2, 8, 0), kind: 'config', field: 'disk', from: null, to: `D:\\disk-${i}.vhdx (10 GB)`, sync: 'full' });
  return out;
}

const HOST_EVENTS: TimelineEntry[] = [
  { ...base, id: 12, vmId: null, vmName: null, at: at(4, 10, 0), kind: 'host-status', field: 'status', from: 'unreachable', to: 'connected' },
  { ...base, id: 11, vmId: null, vmName: null, at: at(4, 9, 0), kind: 'sync-failed', detail: 'The WinRM service did not answer' },
  { ...base, id: 10, vmId: null, vmName: null, at: at(3, 9, 0), kind: 'agent', field: 'agentVersion', from: '1.3.0', to: '1.4.0' },
];

/** A backend answering the timeline from the lists above and tags.update as the store would (rows back as a delta). */
function backendFor(entries: TimelineEntry[], rows: () => Map<string, InventoryVm>, onRows: (vms: InventoryVm[]) => void): Backend {
  const page = (list: TimelineEntry[], limit: number, before?: number) => {
    const from = before === undefined ? 0 : list.findIndex((e) => e.id === before) + 1;
    return { entries: list.slice(from, from + limit), more: from + limit < list.length };
  };
  return stubBackend((async (command: string, request: Record<string, unknown>) => {
    if (command === 'inventory.vm') return { ok: true, data: { vm: rows().get(`${request.hostId}:${request.vmId}`), details: { memoryMinMb: null, memoryMaxMb: null, configurationVersion: null, notes: null, disks: [], nics: [], checkpoints: [], currentCheckpointId: null } } };
    if (command === 'timeline.vm') return { ok: true, data: page(entries, Number(request.limit), request.before as number | undefined) };
    if (command === 'timeline.host') return { ok: true, data: page(HOST_EVENTS, Number(request.limit), request.before as number | undefined) };
    if (command === 'tags.update') {
      const add = (request.add as string[]) ?? [];
      const remove = (request.remove as string[]) ?? [];
      const problem = [...add, ...remove].map(tagProblem).find(Boolean);
      if (problem) return { ok: false, error: { code: 'VALIDATION_FAILED', message: `add: ${problem}` } };
      const changed = (request.targets as Array<{ hostId: string; vmId: string }>).map((t) => rows().get(`${t.hostId}:${t.vmId}`)!).map((vm) => ({ ...vm, tags: applyTagChange(vm.tags, add, remove) }));
      onRows(changed);
      return { ok: true, data: { changed: changed.length, unknown: [] } };
    }
    return { ok: true, data: null };
  }) as Backend['invoke']);
}

const flush = () => act(async () => new Promise((r) => setTimeout(r, 0)));

describe('the VM page: Timeline tab and tags', () => {
  const dom = domPerTest();

  test('the Timeline tab lists entries newest first under their day, in words, and pages back with "Show older"', async () => {
    const vm = makeVm('hv01', 1);
    const ref: { model?: ReturnType<typeof loadFleet> } = {};
    const f = { hosts: [makeHost('hv01'), makeHost('hv02')], vms: [vm], views: [makeHostView('hv01'), makeHostView('hv02')] };
    ref.model = loadFleet(f, backendFor(history(vm), () => ref.model!.vms as Map<string, InventoryVm>, (vms) => upsertVms(ref.model!, vms)));
    dom.render(<VmDetailView vmKey={vm.key} />);
    const tab = [...dom.container.querySelectorAll('[role="tab"]')].find((b) => b.textContent === 'Timeline') as HTMLButtonElement;
    act(() => tab.click());
    await flush();
    const entries = () => [...dom.container.querySelectorAll('[data-testid="timeline-entry"]')].map((li) => li.textContent);
    expect(entries().slice(0, 5)).toEqual([
      '14:05 Job: Add a disk to vm-hv01-0001 — succeeded (asked by this workstation)',
      '14:02 State Running → Off (quick sync 14:02)',
      '14:02 Pending: Shut down (to Off) confirmed (quick sync 14:02)',
      '09:30 Processors 2 → 4 (full sync 09:30)',
      '09:30 Moved from HV02 to HV01 (full sync 09:30)',
    ]);
    expect(entries()).toHaveLength(100);
    expect(dom.container.querySelectorAll('.timeline-day h3')).toHaveLength(3);
    const older = [...dom.container.querySelectorAll('button')].find((b) => b.textContent === 'Show older') as HTMLButtonElement;
    act(() => older.click());
    await flush();
    expect(entries()).toHaveLength(150);
    expect([...dom.container.querySelectorAll('button')].some((b) => b.textContent === 'Show older')).toBe(false);
  });

  test('tag chips: a bad tag is refused naming it; added tags show as chips; × removes one', async () => {
    const vm = makeVm('hv01', 1);
    const ref: { model?: ReturnType<typeof loadFleet> } = {};
    ref.model = loadFleet({ hosts: [makeHost('hv01')], vms: [vm], views: [makeHostView('hv01')] }, backendFor([], () => ref.model!.vms as Map<string, InventoryVm>, (vms) => upsertVms(ref.model!, vms)));
    dom.render(<VmDetailView vmKey={vm.key} />);
    const input = dom.container.querySelector('input[aria-label="Add tags"]') as HTMLInputElement;
    const type = (value: string) => {
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      act(() => {
        setter.call(input, value);
        input.dispatchEvent(new Event('input', { bubbles: true }));
      });
    };
    const submit = async () => {
      act(() => (dom.container.querySelector('.tag-add button[type="submit"]') as HTMLButtonElement).click());
      await flush();
    };
    const chips = () => [...dom.container.querySelectorAll('[data-testid="tag-chip"]')].map((c) => c.firstChild?.textContent);
    type('prod bad!');
    await submit();
    expect(dom.container.querySelector('.vm-tags [role="alert"]')?.textContent).toMatch(/Tag "bad!"/);
    expect(chips()).toEqual([]);
    type('prod team:web');
    await submit();
    expect(chips()).toEqual(['prod', 'team:web']);
    act(() => (dom.container.querySelector('button[aria-label="Remove tag prod"]') as HTMLButtonElement).click());
    await flush();
    expect(chips()).toEqual(['team:web']);
  });
});

describe('the host page', () => {
  const dom = domPerTest();

  test("shows the host's own events in words", async () => {
    loadFleet({ hosts: [makeHost('hv01')], vms: [], views: [makeHostView('hv01')] }, backendFor([], () => new Map(), () => undefined));
    dom.render(<HostView id="hv01" />);
    await flush();
    const entries = [...dom.container.querySelectorAll('[aria-label="Host timeline"] [data-testid="timeline-entry"]')].map((li) => li.textContent);
    expect(entries).toEqual(['10:00 Connected again', '09:00 Inventory sync failed: The WinRM service did not answer', '09:00 Agent updated 1.3.0 → 1.4.0']);
  });
});
