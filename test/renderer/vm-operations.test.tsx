// @vitest-environment jsdom
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { CommandName, InventoryVm, JobRecord, RequestOf, Result, VmCheckpoint, VmDetails } from '../../src/shared/contract';
import { DEFAULT_SETTINGS } from '../../src/shared/contract';
import { checkVmOperationState, VM_EDIT_OPERATIONS, VM_OPERATIONS_BY_GROUP, vmOperationDef } from '../../src/shared/contract/vm-operations';
import { checkpointAge, checkpointRows, subtreeIds } from '../../src/renderer/features/vm-ops/checkpoint-tree';
import { initialDraft, parseDraft } from '../../src/renderer/features/vm-ops/form-model';
import { moveTargets } from '../../src/renderer/features/vm-ops/move-model';
import { vmOperationButtons } from '../../src/renderer/features/vm-ops/operation-model';
import { operationQuestion } from '../../src/renderer/features/vm-ops/operate';
import { chooseOperation, useOperationDialog } from '../../src/renderer/features/vm-ops/operation-store';
import { operationJobsOf } from '../../src/renderer/features/vm-ops/OperationJobs';
import { JobsOverlays } from '../../src/renderer/features/jobs/JobsOverlays';
import { BulkActionBar } from '../../src/renderer/features/jobs/BulkActionBar';
import { useVmSelection } from '../../src/renderer/stores/selection-store';
import { CheckpointsTab } from '../../src/renderer/features/vm-ops/CheckpointsTab';
import { StateBadge } from '../../src/renderer/components/vm-table/StateBadge';
import { COLUMN_BY_ID } from '../../src/renderer/components/vm-table/columns';
import { paletteCommands } from '../../src/renderer/features/palette';
import { vmMenuItems } from '../../src/renderer/features/shell/context-menu-items';
import { useApp } from '../../src/renderer/stores/app-store';
import { useJobs } from '../../src/renderer/stores/jobs-store';
import { jobTitle } from '../../src/shared/job-words';
import { parameterRows } from '../../src/renderer/features/jobs/job-facts-model';
import { domPerTest, loadFleet, stubBackend } from './dom-harness';
import { makeHost, makeHostView, makeVm } from './fixtures';

const reasonOf = (state: string, op: Parameters<typeof checkVmOperationState>[1]) => {
  const check = checkVmOperationState(state, op);
  return check.allowed ? undefined : check.reason;
};
const cp = (id: string, parentId: string | null, createdAt: string, name = id): VmCheckpoint => ({ id, name, parentId, createdAt, type: 'Standard' });

describe('the checkpoint tree', () => {
  const list = [cp('b', 'a', '2026-01-02T00:00:00Z'), cp('a', null, '2026-01-01T00:00:00Z'), cp('c', 'a', '2026-01-03T00:00:00Z'), cp('d', 'c', '2026-01-04T00:00:00Z')];

  test('depth-first, each level oldest first, with "Now" under the current checkpoint', () => {
    const rows = checkpointRows(list, 'b');
    expect(rows.map((r) => (r.kind === 'now' ? `now@${r.depth}` : `${r.checkpoint.id}@${r.depth}`))).toEqual(['a@0', 'b@1', 'now@2', 'c@1', 'd@2']);
    const a = rows[0]!;
    expect(a.kind === 'checkpoint' && a.descendants).toBe(3);
    expect(rows.find((r) => r.kind === 'checkpoint' && r.current)).toMatchObject({ checkpoint: { id: 'b' } });
  });

  test('no current checkpoint: "Now" is a root after the others; an orphan is a root, a cycle does not hang', () => {
    expect(checkpointRows(list, null).at(-1)).toEqual({ kind: 'now', depth: 0 });
    const orphan = checkpointRows([cp('x', 'gone', '2026-01-01T00:00:00Z')], 'x');
    expect(orphan.map((r) => r.kind)).toEqual(['checkpoint', 'now']);
    expect(orphan[0]).toMatchObject({ depth: 0 });
    const cycle = checkpointRows([cp('p', 'q', '2026-01-01T00:00:00Z'), cp('q', 'p', '2026-01-02T00:00:00Z')], null);
    expect(cycle).toEqual([{ kind: 'now', depth: 0 }]);
  });

  test('a subtree is every checkpoint below; ages read in days, hours or minutes', () => {
    expect(subtreeIds(list, 'a').sort()).toEqual(['b', 'c', 'd']);
    expect(subtreeIds(list, 'd')).toEqual([]);
    const now = Date.parse('2026-01-13T06:00:00Z');
    expect(checkpointAge('2026-01-01T00:00:00Z', now)).toBe('12 d');
    expect(checkpointAge('2026-01-13T01:00:00Z', now)).toBe('5 h');
    expect(checkpointAge('2026-01-13T05:20:00Z', now)).toBe('40 min');
    expect(checkpointAge(null, now)).toBe('—');
  });
});

describe('the Checkpoints tab', () => {
  test('draws the tree with "Now", each row with its type, and offers apply only where the table allows it', () => {
    const list = [cp('a', null, '2026-01-01T00:00:00Z', 'base'), cp('b', 'a', '2026-01-02T00:00:00Z', 'patched')];
    const details: VmDetails = { memoryMinMb: null, memoryMaxMb: null, configurationVersion: null, notes: null, disks: [], nics: [], checkpoints: list, currentCheckpointId: 'b' };
    const vm = makeVm('h1', 1, { state: 'Running', name: 'web-20' });
    domHolder.render(<CheckpointsTab vm={vm} details={details} />);
    const items = [...domHolder.container.querySelectorAll('[role="treeitem"]')].map((li) => `${li.getAttribute('aria-level')}:${li.querySelector('.cp-name, .cp-now')!.textContent}`);
    expect(items).toEqual(['1:base', '2:patched', '3:▸ Now']);
    expect(domHolder.container.querySelector('[data-id="b"]')!.textContent).toContain('Standard');
    const apply = domHolder.container.querySelector<HTMLButtonElement>('[data-id="a"] [data-testid="row-checkpoint.apply"]')!;
    expect(apply.disabled).toBe(true);
    expect(apply.title).toBe(reasonOf('Running', 'checkpoint.apply'));
    expect(domHolder.container.querySelector('[data-id="a"] [data-testid="row-checkpoint.delete"]')!.textContent).toBe('Delete… (1 below)');
  });
});

describe("the dialogs' drafts", () => {
  test('numbers must be whole numbers; the error is at the field', () => {
    expect(parseDraft('processors', { count: 'four' })).toEqual({ ok: false, errors: { count: 'the number of processors must be a whole number' } });
    expect(parseDraft('processors', { count: ' 8 ' })).toEqual({ ok: true, params: { count: 8 } });
    expect(parseDraft('disk.expand', { diskId: '', sizeGb: '' })).toEqual({ ok: false, errors: { diskId: 'choose a disk', sizeGb: 'enter the new size in GB' } });
  });

  test('memory sends limits only with dynamic memory; blank limits are left out', () => {
    expect(parseDraft('memory', { startupMb: '4096', dynamic: false, minimumMb: '512' })).toEqual({ ok: true, params: { startupMb: 4096, dynamic: false } });
    expect(parseDraft('memory', { startupMb: '4096', dynamic: true, minimumMb: '512', maximumMb: '8192', bufferPercent: '' })).toEqual({
      ok: true,
      params: { startupMb: 4096, dynamic: true, minimumMb: 512, maximumMb: 8192 },
    });
  });

  test('a new disk or an existing file; an adapter with a dynamic or a static MAC, untagged when the VLAN is blank', () => {
    expect(parseDraft('disk.add', { mode: 'new', sizeGb: '20', folder: '' })).toEqual({ ok: true, params: { mode: 'new', sizeGb: 20 } });
    expect(parseDraft('disk.add', { mode: 'existing', path: '' })).toEqual({ ok: false, errors: { path: 'choose the path of an existing virtual disk' } });
    expect(parseDraft('nic.add', { switchName: 'LAN', vlan: '', macMode: 'dynamic', macAddress: 'ignored' })).toEqual({ ok: true, params: { switchName: 'LAN', vlan: null, macAddress: null } });
    expect(parseDraft('nic.add', { switchName: 'LAN', vlan: '12', macMode: 'static', macAddress: '00155D010203' })).toEqual({ ok: true, params: { switchName: 'LAN', vlan: 12, macAddress: '00155D010203' } });
    expect(parseDraft('nic.add', { switchName: '', vlan: 'x', macMode: 'static', macAddress: '' })).toMatchObject({ ok: false, errors: { switchName: expect.any(String), vlan: expect.any(String), macAddress: expect.any(String) } });
  });

  test("a dialog starts from the VM's current values", () => {
    const vm = makeVm('h1', 1, { processorCount: 4, memoryStartupMb: 2048, dynamicMemory: true });
    const details = { memoryMinMb: 512, memoryMaxMb: 8192, configurationVersion: '11.0', notes: 'n', disks: [{ id: 'd1', name: 'os', path: 'C:\\os.vhdx', type: 'Dynamic', capacityGb: 60, fileSizeGb: 10 }], nics: [], checkpoints: [], currentCheckpointId: null } satisfies VmDetails;
    expect(initialDraft('processors', vm, details)).toEqual({ count: '4' });
    expect(initialDraft('memory', vm, details)).toMatchObject({ startupMb: '2048', dynamic: true, minimumMb: '512', maximumMb: '8192' });
    expect(initialDraft('disk.expand', vm, details, 'd1')).toEqual({ diskId: 'd1', sizeGb: '60' });
    expect(initialDraft('move', { ...vm, state: 'Off' }, details).migrationType).toBe('quick');
  });
});

describe('buttons, menu and palette derive from the one table', () => {
  test('each edit operation is enabled exactly when the table allows the state, else disabled with its reason', () => {
    for (const state of ['Running', 'Off', 'Saved', 'Paused']) {
      const vm = makeVm('h1', 1, { state: state as InventoryVm['state'] });
      for (const b of vmOperationButtons(vm, ['hardware', 'checkpoint'])) {
        const check = checkVmOperationState(state, b.operation);
        expect(b.label).toBe(vmOperationDef(b.operation).label);
        expect(b.enabled).toBe(check.allowed);
        if (!check.allowed) expect(b.reason).toBe(check.reason);
      }
    }
    const running = vmOperationButtons(makeVm('h1', 1, { state: 'Running' }), ['hardware']);
    expect(running.find((b) => b.operation === 'processors')).toMatchObject({ enabled: false, reason: 'Hyper-V cannot change the processors of a VM that is Running; it must be Off' });
  });

  test('a move needs a clustered VM and another node of its cluster', () => {
    const hosts = [makeHost('n1', { cluster: 'CL' }), makeHost('n2', { cluster: 'cl' }), makeHost('x', { cluster: null })];
    const move = (vm: InventoryVm) => vmOperationButtons(vm, ['move'], hosts)[0]!;
    expect(move(makeVm('n1', 1, { state: 'Running', clustered: false }))).toMatchObject({ enabled: false, reason: expect.stringContaining('not a cluster role') });
    expect(move(makeVm('n1', 1, { state: 'Running', clustered: true }))).toMatchObject({ enabled: true });
    expect(move(makeVm('x', 1, { state: 'Running', clustered: true }))).toMatchObject({ enabled: false, reason: expect.stringContaining('reports no cluster') });
  });

  test('the right-click menu lists every hardware and checkpoint operation, greyed with the reason', () => {
    loadFleet({ hosts: [makeHost('h1')], vms: [], views: [makeHostView('h1')] } as never);
    const vm = makeVm('h1', 1, { state: 'Running', name: 'web-20' });
    const items = vmMenuItems(vm);
    const ops = [...VM_OPERATIONS_BY_GROUP('hardware'), ...VM_OPERATIONS_BY_GROUP('checkpoint')];
    expect(items.filter((i) => (ops as string[]).includes(i.id)).map((i) => i.label)).toEqual(ops.map((op) => vmOperationDef(op).label));
    expect(items.find((i) => i.id === 'processors')!.disabled).toBe(reasonOf('Running', 'processors'));
    expect(items.find((i) => i.id === 'disk.add')!.disabled).toBeUndefined();
    expect(items.some((i) => i.id === 'move')).toBe(false); // not clustered: no move offered
  });

  test('the palette offers them for the VM on screen, disabled ones with the reason', () => {
    const vm = makeVm('h1', 1, { state: 'Off', name: 'db-1' });
    const commands = paletteCommands({ view: { name: 'vm', key: vm.key }, selectedKeys: [], vms: new Map([[vm.key, vm]]) });
    const ops = commands.filter((c) => c.kind === 'vm-operation');
    expect(ops).toHaveLength(VM_EDIT_OPERATIONS.filter((op) => vmOperationDef(op).group !== 'move').length);
    const processors = ops.find((c) => c.id.startsWith('op:processors:'))!;
    expect(processors.label).toBe('Processors… db-1');
    expect(processors.kind === 'vm-operation' && processors.disabled).toBeFalsy();
    const apply = ops.find((c) => c.id.startsWith('op:checkpoint.apply:'))!;
    expect(apply.kind === 'vm-operation' && apply.disabled).toBeFalsy();
    const running = { ...vm, state: 'Running' as const };
    const r = paletteCommands({ view: { name: 'vm', key: vm.key }, selectedKeys: [], vms: new Map([[vm.key, running]]) });
    expect(r.find((c) => c.id.startsWith('op:checkpoint.apply:'))).toMatchObject({ disabled: reasonOf('Running', 'checkpoint.apply') });
  });

  test("edit jobs are titled in the table's words", () => {
    const titled = (action: string, bulk: JobRecord['bulk'] = null) => jobTitle({ type: bulk ? 'bulk' : 'vm.operation', action, vmName: 'web-20', parameters: {}, bulk });
    expect(titled('disk.add')).toBe('Add a disk to web-20');
    expect(titled('processors')).toBe('Change the processors of web-20');
    expect(titled('move')).toBe('Move web-20');
    expect(titled('checkpoint.create', { total: 3, queued: 3, running: 0, succeeded: 0, failed: 0, cancelled: 0, interrupted: 0 })).toBe('Checkpoint 3 VMs');
    expect(titled('turnoff')).toBe('Turn off web-20');
  });

  test("an edit job's parameters read under labels on its page", () => {
    expect(parameterRows({ sizeGb: 20, mode: 'new', deleteFile: false, migrationType: 'live' }, undefined).map((r) => `${r.label}: ${r.value}`)).toEqual([
      'Size (GB): 20',
      'Disk: new',
      'Delete the file: no',
      'Migration: live',
    ]);
    expect(parameterRows({ targetHostId: 'id-2' }, undefined, (id) => (id === 'id-2' ? 'hv02' : undefined))).toEqual([{ key: 'targetHostId', label: 'Target node', value: 'hv02' }]);
  });

  test("the question is the table's consequence; operations without `ask` do not ask", () => {
    expect(operationQuestion('disk.remove', { name: 'web-20', hostName: 'HV01' }, 'disk C:\\d.vhdx')).toEqual({
      title: 'Remove a disk from web-20?',
      target: 'web-20 on HV01: disk C:\\d.vhdx',
      consequence: vmOperationDef('disk.remove').ask!.consequence,
      confirmLabel: 'Remove disk',
    });
    expect(operationQuestion('disk.add', { name: 'web-20' })).toBeUndefined();
  });

  test('a pending edit or move shows the table\'s progress text on the row; the Checkpoints columns read count and age', () => {
    const dom = domHolder;
    const pending = { action: 'move', desiredState: null, requestedAt: new Date().toISOString(), deadline: new Date().toISOString(), unconfirmed: false };
    dom.render(<StateBadge vm={makeVm('h1', 1, { state: 'Running', pending })} />);
    expect(dom.text('state-pending')!.trim()).toBe(vmOperationDef('move').progress);
    const vm = makeVm('h1', 1, { checkpointCount: 3, oldestCheckpointAt: new Date(Date.now() - 12 * 86_400_000 - 3600_000).toISOString() });
    const ctx = { vms: new Map(), hostName: () => '', clusterOf: () => undefined };
    expect(COLUMN_BY_ID.get('checkpoints')!.render(vm, ctx)).toBe('3');
    expect(COLUMN_BY_ID.get('checkpointAge')!.label).toBe('Oldest checkpoint');
    expect(COLUMN_BY_ID.get('checkpointAge')!.render(vm, ctx)).toBe('12 d');
  });
});

describe('the move node picker', () => {
  test("the other nodes of the VM's cluster, most free memory first, and whether the VM fits", () => {
    const hosts = [makeHost('n1', { cluster: 'CL' }), makeHost('n2', { cluster: 'CL', memoryAvailableGb: 2 }), makeHost('n3', { cluster: 'CL', memoryAvailableGb: 64 }), makeHost('s', { cluster: null })];
    const views = { n2: makeHostView('n2'), n3: makeHostView('n3', { status: 'unreachable' }) };
    const vm = makeVm('n1', 1, { state: 'Running', memoryAssignedMb: 4096 });
    expect(moveTargets(vm, hosts, views)).toEqual([
      { hostId: 'n3', name: 'N3', freeGb: 64, fits: true, unavailable: 'N3 is unreachable' },
      { hostId: 'n2', name: 'N2', freeGb: 2, fits: false },
    ]);
  });
});

const domHolder = domPerTest();
const calls: { command: string; request: unknown }[] = [];
let answer: (command: string, request: unknown) => Result<unknown> = () => ({ ok: true, data: null });
const job = (over: Partial<JobRecord> = {}): JobRecord =>
  ({ id: 'job-1', type: 'vm.operation', state: 'queued', hostId: 'h1', hostName: 'H1', vmId: null, vmName: null, action: null, parameters: {}, createdAt: new Date().toISOString(), startedAt: null, finishedAt: null, result: null, error: null, lineCount: 0, parentId: null, warnings: [], bulk: null, ...over }) as JobRecord;

describe('the operation dialogs', () => {
  const details: VmDetails = {
    memoryMinMb: 512,
    memoryMaxMb: 4096,
    configurationVersion: '11.0',
    notes: null,
    disks: [{ id: 'Microsoft:X\\D1', name: 'Hard Drive', path: 'D:\\VMs\\web-os.vhdx', type: 'Dynamic', capacityGb: 60, fileSizeGb: 12 }],
    nics: [],
    checkpoints: [],
    currentCheckpointId: null,
  };
  const vm = makeVm('h1', 1, { state: 'Off', name: 'web-20' });
  const q = <T extends Element>(id: string) => document.querySelector(`[data-testid="${id}"]`) as T | null;
  const settle = () => act(async () => new Promise((r) => setTimeout(r, 0)));
  const type = (id: string, value: string) =>
    act(() => {
      const input = q<HTMLInputElement>(id)!;
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
  const submit = async () => {
    await act(async () => q<HTMLButtonElement>('op-submit')!.click());
    await settle();
  };

  beforeEach(() => {
    calls.length = 0;
    answer = () => ({ ok: true, data: null });
    const backend = stubBackend((async (command: CommandName, request: RequestOf<CommandName>) => {
      calls.push({ command, request });
      if (command === 'inventory.vm') return { ok: true, data: { vm, details } };
      return answer(command, request);
    }) as never);
    loadFleet({ hosts: [makeHost('h1', { switches: ['LAN', 'DMZ'] })], vms: [vm], views: [makeHostView('h1')] } as never, backend);
    useApp.setState({ settings: { ...DEFAULT_SETTINGS, ui: { confirmDestructiveActions: true } } });
    useJobs.setState({ jobs: {} });
    useOperationDialog.setState({ request: undefined });
  });
  afterEach(() => useOperationDialog.setState({ request: undefined }));

  test("the backend's VALIDATION answer is shown at the field it names; a corrected submit queues the job and closes", async () => {
    domHolder.render(<JobsOverlays />);
    await act(async () => chooseOperation(vm, 'disk.add'));
    await settle();
    expect(q('op-form-disk.add')).not.toBeNull();
    type('op-sizeGb', '99999999');
    answer = () => ({ ok: false, error: { code: 'VALIDATION_FAILED', message: 'params.sizeGb: must be at most 65536', details: { fields: [{ field: 'params.sizeGb', message: 'must be at most 65536' }] } } });
    await submit();
    expect(q('op-error-sizeGb')!.textContent).toBe('must be at most 65536');
    expect(calls.filter((c) => c.command === 'vm.operate')).toEqual([{ command: 'vm.operate', request: { hostId: 'h1', vmId: vm.vmId, operation: 'disk.add', params: { mode: 'new', sizeGb: 99999999 } } }]);

    type('op-sizeGb', '20');
    expect(q('op-error-sizeGb')).toBeNull(); // editing the field clears its error
    answer = () => ({ ok: true, data: job({ vmId: vm.vmId, action: 'disk.add' }) });
    await submit();
    expect(q('op-form-disk.add')).toBeNull();
    expect(calls.filter((c) => c.command === 'vm.operate').at(-1)!.request).toMatchObject({ params: { mode: 'new', sizeGb: 20 } });
    expect(useJobs.getState().jobs['job-1']).toBeDefined();
  });

  test('a refusal is said in words in the dialog, and a field the form cannot parse is never sent', async () => {
    domHolder.render(<JobsOverlays />);
    await act(async () => chooseOperation(vm, 'processors'));
    await settle();
    type('op-count', 'many');
    await submit();
    expect(q('op-error-count')!.textContent).toBe('the number of processors must be a whole number');
    expect(calls.some((c) => c.command === 'vm.operate')).toBe(false);
    type('op-count', '4');
    answer = () => ({ ok: false, error: { code: 'INVALID_STATE', message: 'Hyper-V cannot change the processors of a VM that is Running; it must be Off' } });
    await submit();
    expect(q('op-refusal')!.textContent).toBe('Hyper-V cannot change the processors of a VM that is Running; it must be Off');
    expect(q('op-form-processors')).not.toBeNull();
  });

  test("removing a disk asks with the table's consequence, naming the disk; Cancel sends nothing", async () => {
    domHolder.render(<JobsOverlays />);
    await act(async () => chooseOperation(vm, 'disk.remove', 'Microsoft:X\\D1'));
    await settle();
    await act(async () => q<HTMLInputElement>('op-deleteFile')!.click());
    await submit();
    expect(q('confirm-consequence')!.textContent).toBe(vmOperationDef('disk.remove').ask!.consequence);
    expect(q('confirm-target')!.textContent).toContain('D:\\VMs\\web-os.vhdx (and its file)');
    await act(async () => q<HTMLButtonElement>('confirm-cancel')!.click());
    await settle();
    expect(calls.some((c) => c.command === 'vm.operate')).toBe(false);
    answer = () => ({ ok: true, data: job({ vmId: vm.vmId, action: 'disk.remove' }) });
    await submit();
    await act(async () => q<HTMLButtonElement>('confirm-ok')!.click());
    await settle();
    expect(calls.filter((c) => c.command === 'vm.operate')).toEqual([{ command: 'vm.operate', request: { hostId: 'h1', vmId: vm.vmId, operation: 'disk.remove', params: { diskId: 'Microsoft:X\\D1', deleteFile: true } } }]);
  });

  test("the backend's fact rules are judged before submitting: more processors than the host has is refused at the field, nothing sent", async () => {
    domHolder.render(<JobsOverlays />);
    await act(async () => chooseOperation(vm, 'processors'));
    await settle();
    type('op-count', '64'); // the host has 32 logical processors (makeHost)
    await submit();
    expect(q('op-error-count')!.textContent).toContain('more than');
    expect(q('op-error-count')!.textContent).toContain('32 logical processors');
    expect(calls.some((c) => c.command === 'vm.operate')).toBe(false);
  });

  test('a checkpoint of several selected VMs: its name once, then the bulk preview of the table-allowed VMs', async () => {
    const other = makeVm('h1', 2, { state: 'Running', name: 'web-21' });
    const backend = stubBackend((async (command: CommandName, request: RequestOf<CommandName>) => {
      calls.push({ command, request });
      return answer(command, request);
    }) as never);
    loadFleet({ hosts: [makeHost('h1')], vms: [vm, other], views: [makeHostView('h1')] } as never, backend);
    useVmSelection.setState({ scope: 's', selection: { keys: new Set([vm.key, other.key]) } });
    answer = (command) => (command === 'vm.bulkPreview' ? { ok: true, data: { willRun: 2, skipped: 0, hosts: 1, items: [] } } : { ok: true, data: null });
    domHolder.render(
      <>
        <BulkActionBar scope="s" />
        <JobsOverlays />
      </>,
    );
    expect(q('bulk-checkpoint.create')!.textContent).toBe(`${vmOperationDef('checkpoint.create').label} (2)`);
    await act(async () => q<HTMLButtonElement>('bulk-checkpoint.create')!.click());
    type('op-name', 'before-patch-tuesday');
    await act(async () => q<HTMLButtonElement>('bulk-op-next')!.click());
    await settle();
    const preview = calls.find((c) => c.command === 'vm.bulkPreview');
    expect(preview!.request).toEqual({ operation: 'checkpoint.create', params: { name: 'before-patch-tuesday', type: 'standard' }, targets: [{ hostId: 'h1', vmId: vm.vmId }, { hostId: 'h1', vmId: other.vmId }] });
    expect(q('bulk-run')!.textContent).toBe('Checkpoint 2 VMs');
  });

  test('choosing the disk to expand starts the size from its capacity', async () => {
    domHolder.render(<JobsOverlays />);
    await act(async () => chooseOperation(vm, 'disk.expand'));
    await settle();
    expect(q<HTMLInputElement>('op-sizeGb')!.value).toBe('');
    await act(async () => {
      const select = q<HTMLSelectElement>('op-diskId')!;
      select.value = 'Microsoft:X\\D1';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(q<HTMLInputElement>('op-sizeGb')!.value).toBe('60');
  });

  test("a new adapter's switch is picked from the host's reported switches", async () => {
    domHolder.render(<JobsOverlays />);
    await act(async () => chooseOperation(vm, 'nic.add'));
    await settle();
    const options = [...q<HTMLSelectElement>('op-switchName')!.options].map((o) => o.value);
    expect(options).toEqual(['', 'LAN', 'DMZ']);
  });

  test("the VM page's job note: running edits with their progress text; the latest failure with its reason", () => {
    const now = Date.now();
    const jobs = {
      a: job({ id: 'a', vmId: vm.vmId, action: 'processors', state: 'running' }),
      b: job({ id: 'b', vmId: vm.vmId, action: 'nic.add', state: 'failed', finishedAt: new Date(now - 60_000).toISOString(), error: { code: 'SWITCH_NOT_FOUND', message: 'no switch X' } }),
      c: job({ id: 'c', vmId: 'other', action: 'notes', state: 'running' }),
    };
    const seen = operationJobsOf(jobs, vm, now);
    expect(seen.active.map((j) => j.id)).toEqual(['a']);
    expect(seen.failed?.id).toBe('b');
    expect(operationJobsOf(jobs, vm, now + 60 * 60_000).failed).toBeUndefined();
    const pending = { action: 'processors', desiredState: null, requestedAt: new Date(now).toISOString(), deadline: new Date(now).toISOString(), jobId: 'a', unconfirmed: false };
    expect(operationJobsOf(jobs, { ...vm, pending }, now).active).toEqual([]); // the pending note shows it
  });
});
