// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Backend } from '../../src/renderer/backend/backend';
import { DEFAULT_SETTINGS, VM_ACTION_DEFS, VM_ACTIONS, type CommandName, type JobRecord, type RequestOf, type Result, type VmAction } from '../../src/shared/contract';
import { VmActions } from '../../src/renderer/features/jobs/VmActions';
import { JobsOverlays } from '../../src/renderer/features/jobs/JobsOverlays';
import { bulkConsequence, vmActionQuestion } from '../../src/renderer/features/jobs/confirm-model';
import { paletteCommands } from '../../src/renderer/features/palette';
import { useApp } from '../../src/renderer/stores/app-store';
import { useJobs } from '../../src/renderer/stores/jobs-store';
import { makeVm } from './fixtures';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const calls: { command: string; request: unknown }[] = [];
const backend: Backend = {
  kind: 'browser',
  invoke: (async (command: CommandName, request: RequestOf<CommandName>) => {
    calls.push({ command, request });
    return { ok: true, data: { id: `job-${calls.length}`, type: 'vm.action', state: 'queued' } as JobRecord } as Result<never>;
  }) as Backend['invoke'],
  onEvent: () => () => undefined,
  onConnection: () => () => undefined,
};

let root: Root;
let container: HTMLDivElement;
const q = <T extends Element>(id: string) => document.querySelector(`[data-testid="${id}"]`) as T | null;
const settle = () => act(async () => new Promise((r) => setTimeout(r, 0)));
const withSetting = (confirmDestructiveActions: boolean) => useApp.setState({ settings: { ...DEFAULT_SETTINGS, ui: { confirmDestructiveActions } } });
const key = (el: Element, k: string, shiftKey = false) => act(() => void el.dispatchEvent(new KeyboardEvent('keydown', { key: k, shiftKey, bubbles: true, cancelable: true })));

beforeEach(() => {
  calls.length = 0;
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  useApp.setState({ backend, toasts: [], view: { name: 'overview' }, hosts: {} });
  useJobs.setState({ jobs: {}, deleteKey: undefined, bulkRequest: undefined, paletteOpen: false });
  withSetting(true);
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

const running = makeVm('h1', 1, { state: 'Running', name: 'web-20' });
const render = (vm = running) =>
  act(() =>
    root.render(
      <>
        <VmActions vm={vm} />
        <JobsOverlays />
      </>,
    ),
  );
const click = async (el: HTMLElement | null) => {
  expect(el).not.toBeNull();
  await act(async () => el!.click());
  await settle();
};

describe('which actions ask, declared once', () => {
  test('Turn off, Shut down, Restart and Save ask; Start, Pause and Resume do not; the setting turns all questions off', () => {
    const asking = VM_ACTIONS.filter((a) => vmActionQuestion(a, { name: 'x' }, true));
    expect(asking.sort()).toEqual(['restart', 'save', 'shutdown', 'turnoff']);
    expect(VM_ACTIONS.filter((a) => vmActionQuestion(a, { name: 'x' }, false))).toEqual([]);
    expect(vmActionQuestion('turnoff', { name: 'web-20', hostName: 'hv01' }, true)).toEqual({
      title: 'Turn off web-20?',
      target: 'web-20 on hv01',
      consequence: 'Turn off is like pulling the plug: the guest is not shut down, and unsaved data in it is lost.',
      confirmLabel: 'Turn off',
    });
    expect(bulkConsequence('restart', true)).toBe(VM_ACTION_DEFS.restart.ask!.consequence);
    expect(bulkConsequence('start', true)).toBeUndefined();
    expect(bulkConsequence('turnoff', false)).toBeUndefined();
  });

  test('labels of asking actions end in "…" on the VM page and in the palette while the setting is on', () => {
    render();
    const label = (a: VmAction) => q<HTMLButtonElement>(`vm-action-${a}`)!.textContent;
    expect(label('turnoff')).toBe('Turn off…');
    expect(label('pause')).toBe('Pause');
    const vms = new Map([[running.key, running]]);
    const on = paletteCommands({ view: { name: 'vm', key: running.key }, selectedKeys: [], vms, confirmDestructiveActions: true }).map((c) => c.label);
    expect(on).toContain('Turn off web-20…');
    expect(on).toContain('Pause web-20');
    const off = paletteCommands({ view: { name: 'vm', key: running.key }, selectedKeys: [], vms, confirmDestructiveActions: false }).map((c) => c.label);
    expect(off).toContain('Turn off web-20');
  });
});

describe('the question before a destructive action', () => {
  test.each(['turnoff', 'shutdown', 'restart', 'save'] as const)('%s: the dialog names the VM and the consequence; Cancel runs nothing, confirm runs it', async (action) => {
    render();
    await click(q(`vm-action-${action}`));
    expect(calls).toEqual([]);
    const dialog = q('confirm-dialog')!;
    expect(dialog).not.toBeNull();
    expect(document.querySelector('[role="dialog"]')!.getAttribute('aria-label')).toBe(`${VM_ACTION_DEFS[action].label} web-20?`);
    expect(q('confirm-target')!.textContent).toBe('web-20');
    expect(q('confirm-consequence')!.textContent).toBe(VM_ACTION_DEFS[action].ask!.consequence);

    await click(q('confirm-cancel'));
    expect(q('confirm-dialog')).toBeNull();
    expect(calls).toEqual([]);

    await click(q(`vm-action-${action}`));
    await click(q('confirm-ok'));
    expect(q('confirm-dialog')).toBeNull();
    expect(calls).toEqual([{ command: 'vm.action', request: { hostId: 'h1', vmId: running.vmId, action } }]);
  });

  test('keyboard: focus starts on the confirm button and stays in the dialog; Esc cancels; Enter confirms', async () => {
    render();
    await click(q('vm-action-turnoff'));
    const ok = q<HTMLButtonElement>('confirm-ok')!;
    const cancel = q<HTMLButtonElement>('confirm-cancel')!;
    expect(document.activeElement).toBe(ok);
    // Tab from the last control wraps to the first (the × in the head), Shift+Tab back to the last.
    cancel.focus();
    key(cancel, 'Tab');
    expect(document.activeElement).toBe(document.querySelector('[role="dialog"] button[aria-label="Close"]'));
    key(document.activeElement!, 'Tab', true);
    expect(document.activeElement).toBe(cancel);

    key(cancel, 'Escape');
    await settle();
    expect(q('confirm-dialog')).toBeNull();
    expect(calls).toEqual([]);

    await click(q('vm-action-turnoff'));
    // Enter on the dialog itself (not on a control) confirms too.
    const box = document.querySelector<HTMLElement>('[role="dialog"]')!;
    box.focus();
    key(box, 'Enter');
    await settle();
    expect(calls).toEqual([{ command: 'vm.action', request: { hostId: 'h1', vmId: running.vmId, action: 'turnoff' } }]);
  });

  test('the setting off: a destructive action runs on one click, no dialog', async () => {
    withSetting(false);
    render();
    await click(q('vm-action-restart'));
    expect(q('confirm-dialog')).toBeNull();
    expect(calls).toEqual([{ command: 'vm.action', request: { hostId: 'h1', vmId: running.vmId, action: 'restart' } }]);
  });

  test('Start does not ask', async () => {
    render(makeVm('h1', 2, { state: 'Off', name: 'db-1' }));
    await click(q('vm-action-start'));
    expect(q('confirm-dialog')).toBeNull();
    expect(calls).toHaveLength(1);
  });

  test('"no confirmation — turn off?" asks before turning off too', async () => {
    const pending = { action: 'restart', desiredState: 'Running', requestedAt: new Date().toISOString(), deadline: new Date().toISOString(), unconfirmed: true };
    render({ ...running, pending });
    await click(q('vm-pending-turnoff'));
    expect(q('confirm-consequence')!.textContent).toContain('pulling the plug');
    await click(q('confirm-ok'));
    expect(calls).toEqual([{ command: 'vm.action', request: { hostId: 'h1', vmId: running.vmId, action: 'turnoff' } }]);
  });
});
