// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Backend } from '../../src/renderer/backend/backend';
import type { CommandName, InventoryVm, JobLine, RequestOf, Result } from '../../src/shared/contract';
import { DEFAULT_SETTINGS, VM_ACTION_ALLOWED } from '../../src/shared/contract';
import { JobOutput } from '../../src/renderer/features/jobs/JobOutput';
import { VmActions } from '../../src/renderer/features/jobs/VmActions';
import { followAfterScroll, highlightSegments, searchLines, stepHit } from '../../src/renderer/features/jobs/output-model';
import { pendingLabel, vmActionButtons } from '../../src/renderer/features/jobs/vm-action-model';
import { bulkActionCounts, perHostCounts } from '../../src/renderer/features/jobs/bulk-model';
import { matchCommands, paletteCommands } from '../../src/renderer/features/palette';
import { useApp } from '../../src/renderer/stores/app-store';
import { useJobs } from '../../src/renderer/stores/jobs-store';
import { makeVm } from './fixtures';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const line = (seq: number, text: string): JobLine => ({ jobId: 'j', seq, stream: 'log', level: 'info', text, step: seq % 2 ? 'disk' : null, at: new Date(0).toISOString() });

let root: Root;
let container: HTMLDivElement;
beforeEach(() => {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  useApp.setState({ toasts: [] });
  useJobs.setState({ deleteKey: undefined, bulkRequest: undefined });
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

describe('output search and follow logic', () => {
  const lines = [line(0, 'Creating VM web01'), line(1, 'Copying disk'), line(2, 'vm web01 started'), line(3, 'done')];

  test('search finds lines case-insensitively and highlights every occurrence', () => {
    expect(searchLines(lines, 'WEB01')).toEqual([0, 2]);
    expect(searchLines(lines, '  ')).toEqual([]);
    expect(highlightSegments('web01 and Web01!', 'web01')).toEqual([
      { text: 'web01', match: true },
      { text: ' and ', match: false },
      { text: 'Web01', match: true },
      { text: '!', match: false },
    ]);
  });

  test('next/previous wrap around; follow holds only near the bottom', () => {
    expect(stepHit(3, -1, 1)).toBe(0);
    expect(stepHit(3, -1, -1)).toBe(2);
    expect(stepHit(3, 2, 1)).toBe(0);
    expect(stepHit(0, 0, 1)).toBe(-1);
    expect(followAfterScroll(580, 400, 1000)).toBe(true); // 20 px from the bottom
    expect(followAfterScroll(300, 400, 1000)).toBe(false); // scrolled up
  });

  test('rendered output: marks for matches, the hit counter, and scrolling up pauses following', () => {
    act(() => root.render(<JobOutput lines={lines} loading={false} />));
    const log = container.querySelector('[data-testid="job-output"]') as HTMLDivElement;
    expect(log.querySelectorAll('.job-line')).toHaveLength(4);
    expect(log.dataset.following).toBe('true');
    const input = container.querySelector('[data-testid="output-search"]') as HTMLInputElement;
    act(() => {
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      setter.call(input, 'web01');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect([...log.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['web01', 'web01']);
    expect(container.querySelector('[data-testid="output-hits"]')!.textContent).toBe('2 matches');
    // jsdom has no layout: simulate a tall log scrolled to the top.
    Object.defineProperty(log, 'scrollHeight', { value: 2000, configurable: true });
    Object.defineProperty(log, 'clientHeight', { value: 400, configurable: true });
    log.scrollTop = 0;
    act(() => void log.dispatchEvent(new Event('scroll')));
    expect(log.dataset.following).toBe('false');
    expect(container.querySelector('[data-testid="output-follow"]')!.textContent).toBe('Follow');
  });
});

describe('the VM action matrix in the UI', () => {
  const vm = (over: Partial<InventoryVm>) => makeVm('h1', 1, over);
  const enabled = (v: InventoryVm) => vmActionButtons(v).filter((b) => b.enabled).map((b) => b.action);

  test('each state enables exactly the actions the shared matrix allows (plus delete where force allows it)', () => {
    for (const state of ['Running', 'Off', 'Saved', 'Paused', 'Starting', 'Stopping'] as const) {
      const expected = Object.entries(VM_ACTION_ALLOWED).filter(([, states]) => states.includes(state)).map(([a]) => a);
      const deletable = ['Running', 'Paused', 'Saved', 'Off'].includes(state);
      expect(enabled(vm({ state })), state).toEqual(deletable ? [...expected, 'delete'] : expected);
    }
    expect(enabled(vm({ state: 'Running' }))).toEqual(['shutdown', 'turnoff', 'restart', 'save', 'pause', 'delete']);
    expect(enabled(vm({ state: 'Off' }))).toEqual(['start', 'delete']);
    expect(vmActionButtons(vm({ state: 'Off' })).find((b) => b.action === 'shutdown')?.reason).toBe('the VM is already Off');
  });

  test('placeholders, stale rows and a pending action disable everything; an unconfirmed one does not', () => {
    expect(enabled(vm({ state: 'Creating', placeholder: true }))).toEqual([]);
    expect(enabled(vm({ state: 'Running', stale: true }))).toEqual([]);
    const pending = { action: 'shutdown', desiredState: 'Off', requestedAt: '2026-01-01T10:03:00Z', deadline: '2026-01-01T10:06:00Z', unconfirmed: false };
    expect(enabled(vm({ state: 'Running', pending }))).toEqual([]);
    expect(enabled(vm({ state: 'Running', pending: { ...pending, unconfirmed: true } }))).toContain('turnoff');
    expect(pendingLabel(pending).text).toMatch(/^Stopping… requested \d\d:\d\d/);
    expect(pendingLabel({ ...pending, unconfirmed: true })).toMatchObject({ unconfirmed: true, text: expect.stringContaining('no confirmation') });
  });

  test('VmActions: buttons follow the state, a click queues vm.action, a refusal becomes a toast with the message', async () => {
    const calls: { command: string; request: unknown }[] = [];
    let refuse = false;
    const backend: Backend = {
      kind: 'browser',
      invoke: (async (command: CommandName, request: RequestOf<CommandName>) => {
        calls.push({ command, request });
        if (refuse) return { ok: false, error: { code: 'INVALID_STATE', message: 'shutdown is not allowed while the VM is Off; allowed when Running' } };
        return { ok: false, error: { code: 'ACTION_PENDING', message: 'another action is pending on web01' } } as Result<never>;
      }) as Backend['invoke'],
      onEvent: () => () => undefined,
      onConnection: () => () => undefined,
    };
    // The admin turned the questions off (confirm-dialog.test.tsx covers them): a click runs at once.
    useApp.setState({ backend, settings: { ...DEFAULT_SETTINGS, ui: { confirmDestructiveActions: false } } });
    const running = vm({ state: 'Running', name: 'web01' });
    act(() => root.render(<VmActions vm={running} />));
    const button = (a: string) => container.querySelector(`[data-testid="vm-action-${a}"]`) as HTMLButtonElement;
    expect(button('start').disabled).toBe(true);
    expect(button('shutdown').disabled).toBe(false);
    refuse = true;
    await act(async () => {
      button('shutdown').click();
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(calls).toEqual([{ command: 'vm.action', request: { hostId: 'h1', vmId: running.vmId, action: 'shutdown' } }]);
    expect(useApp.getState().toasts.map((t) => t.text)).toEqual(['Shut down web01: shutdown is not allowed while the VM is Off; allowed when Running']);
    act(() => button('delete').click());
    expect(useJobs.getState().deleteKey).toBe(running.key);

    const pending = { action: 'shutdown', desiredState: 'Off', requestedAt: new Date().toISOString(), deadline: new Date().toISOString(), unconfirmed: true };
    act(() => root.render(<VmActions vm={{ ...running, pending }} />));
    expect(container.querySelector('[data-testid="vm-pending"]')!.textContent).toContain('no confirmation — turn off?');
    calls.length = 0;
    await act(async () => {
      (container.querySelector('[data-testid="vm-pending-turnoff"]') as HTMLButtonElement).click();
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(calls[0]).toEqual({ command: 'vm.action', request: { hostId: 'h1', vmId: running.vmId, action: 'turnoff' } });
  });
});

describe('bulk and palette models', () => {
  const vms = [makeVm('h1', 1, { state: 'Running' }), makeVm('h1', 2, { state: 'Off' }), makeVm('h2', 3, { state: 'Running' }), makeVm('h2', 4, { state: 'Creating', placeholder: true })];
  const map = new Map(vms.map((v) => [v.key, v]));

  test('bar counts per action, per-host preview counts', () => {
    const counts = bulkActionCounts(vms);
    expect(counts.shutdown).toBe(2);
    expect(counts.start).toBe(1);
    expect(counts.resume).toBe(0);
    const rows = perHostCounts([
      { hostId: 'h1', hostName: 'hv01', vmId: 'a', vmName: 'a', state: 'Running', willRun: true, reason: null, skipCode: null },
      { hostId: 'h1', hostName: 'hv01', vmId: 'b', vmName: 'b', state: 'Off', willRun: false, reason: 'the VM is already Off', skipCode: 'ALREADY_IN_STATE' },
      { hostId: 'h2', hostName: 'hv02', vmId: 'c', vmName: 'c', state: 'Running', willRun: true, reason: null, skipCode: null },
    ]);
    expect(rows).toEqual([
      { hostId: 'h1', hostName: 'hv01', willRun: 1, skipped: 1 },
      { hostId: 'h2', hostName: 'hv02', willRun: 1, skipped: 0 },
    ]);
  });

  test('palette: the VM on screen gets its allowed actions; a table selection gets bulk entries; navigation always', () => {
    const single = paletteCommands({ view: { name: 'vm', key: vms[1]!.key }, selectedKeys: [], vms: map });
    expect(single.filter((c) => c.group === 'VM').map((c) => c.label)).toEqual([`Start ${vms[1]!.name}`, `Delete ${vms[1]!.name}…`]);
    const multi = paletteCommands({ view: { name: 'overview' }, selectedKeys: vms.map((v) => v.key), vms: map });
    expect(multi.filter((c) => c.kind === 'bulk').map((c) => c.label)).toContain('Shut down 2 of 4 selected VMs…');
    expect(matchCommands(multi, 'go jobs').map((c) => c.label)).toEqual(['Go to Jobs']);
    // Behind the settings page the table's selection is not offered.
    expect(paletteCommands({ view: { name: 'settings' }, selectedKeys: vms.map((v) => v.key), vms: map }).every((c) => c.kind === 'navigate')).toBe(true);
  });
});
