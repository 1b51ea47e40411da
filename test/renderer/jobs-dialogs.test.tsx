// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Backend } from '../../src/renderer/backend/backend';
import type { CommandName, JobRecord, RequestOf, Result } from '../../src/shared/contract';
import { DeleteVmDialog } from '../../src/renderer/features/jobs/DeleteVmDialog';
import { NotificationBell } from '../../src/renderer/features/notifications/NotificationBell';
import { useApp } from '../../src/renderer/stores/app-store';
import { InventoryModel } from '../../src/renderer/stores/inventory-model';
import { useInventory } from '../../src/renderer/stores/inventory-store';
import { useJobs } from '../../src/renderer/stores/jobs-store';
import { makeHost, makeVm } from './fixtures';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root;
let container: HTMLDivElement;
const calls: { command: string; request: unknown }[] = [];
const job = { id: 'job-7', type: 'vm.delete', state: 'queued' } as JobRecord;

const backend: Backend = {
  kind: 'browser',
  invoke: (async (command: CommandName, request: RequestOf<CommandName>) => {
    calls.push({ command, request });
    if (command === 'vm.delete') return { ok: true, data: job };
    return { ok: true, data: [] } as Result<never>;
  }) as Backend['invoke'],
  onEvent: () => () => undefined,
  onConnection: () => () => undefined,
};

const type = (el: HTMLInputElement, value: string) =>
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(el, value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
const q = <T extends Element>(id: string) => container.querySelector(`[data-testid="${id}"]`) as T;

beforeEach(() => {
  calls.length = 0;
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  useApp.setState({ backend, view: { name: 'overview' }, toasts: [], notifications: {} });
  useJobs.setState({ jobs: {}, deleteKey: undefined });
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

describe('delete dialog', () => {
  test('Delete stays disabled until the exact name is typed (and "turn off first" for a running VM); then vm.delete opens the job', async () => {
    const vm = makeVm('h1', 1, { state: 'Running', name: 'Web01' });
    const model = new InventoryModel();
    model.replace({ hosts: [makeHost('h1')], vms: [vm] });
    useInventory.setState({ model, version: model.version, membershipVersion: model.membershipVersion, loaded: true });
    useJobs.setState({ deleteKey: vm.key });
    act(() => root.render(<DeleteVmDialog />));
    const submit = q<HTMLButtonElement>('delete-submit');
    expect(submit.disabled).toBe(true);
    type(q<HTMLInputElement>('delete-confirm'), 'web01'); // wrong case
    expect(submit.disabled).toBe(true);
    type(q<HTMLInputElement>('delete-confirm'), 'Web01');
    expect(submit.disabled).toBe(true); // still Running: needs "turn off first"
    act(() => q<HTMLInputElement>('delete-force').click());
    act(() => q<HTMLInputElement>('delete-disks').click());
    expect(submit.disabled).toBe(false);
    await act(async () => {
      submit.click();
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(calls).toEqual([{ command: 'vm.delete', request: { hostId: 'h1', vmId: vm.vmId, deleteDisks: true, confirmName: 'Web01', force: true } }]);
    expect(useApp.getState().view).toEqual({ name: 'job', id: 'job-7' });
    expect(useJobs.getState().deleteKey).toBeUndefined();
  });
});

describe('notifications centre', () => {
  test('a notification about a job opens that job', () => {
    const now = new Date().toISOString();
    useApp.setState({
      notifications: {
        n1: { id: 'n1', level: 'error', title: 'Create VM web01 failed', message: 'IMAGE_NOT_FOUND', createdAt: now, updatedAt: now, read: false, jobId: 'job-42' },
        n2: { id: 'n2', level: 'info', title: 'Host hv01 ready', message: 'agent deployed', createdAt: now, updatedAt: now, read: false },
      },
    });
    act(() => root.render(<NotificationBell />));
    act(() => q<HTMLButtonElement>('bell').click());
    expect(container.querySelectorAll('[data-testid="notification-job"]')).toHaveLength(1);
    act(() => q<HTMLButtonElement>('notification-job').click());
    expect(useApp.getState().view).toEqual({ name: 'job', id: 'job-42' });
    expect(calls).toContainEqual({ command: 'notifications.markRead', request: { ids: ['n1'] } });
  });
});
