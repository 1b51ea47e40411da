import {
  checkVmAction,
  VM_BULK_EDIT_OPERATIONS,
  isVmOperation,
  vmOperationDef,
  vmActionConfirmation,
  ContractError,
  ErrorCode,
  VM_ACTION_DEFS,
  VM_ACTION_DESIRED,
  type BulkPreviewItem,
  type BulkAnyRequest,
  type BulkPreviewResponse,
  type BulkRunResponse,
  type InventoryVm,
  type JobFieldValue,
  type JobRecord,
  type VmAction,
  type VmActionRequest,
  type VmBulkEditOperation,
  type VmDeleteRequest,
} from '../../shared/contract';
import { bootEvidence } from '../store';
import { refusal, type JobsCore } from './service';
import { vmReady, type Refused } from './vm-guards';
import type { VmOperations } from './vm-operations';

const ACTION_LABEL: Record<VmAction | 'delete', string> = {
  ...(Object.fromEntries(Object.entries(VM_ACTION_DEFS).map(([a, def]) => [a, def.verb])) as Record<VmAction, string>),
  delete: 'delete',
};

/** The verb of a bulk job's action: a power action or a bulk-allowed edit operation ("checkpoint"). */
const verbOf = (action: string | null): string => (isVmOperation(action) ? vmOperationDef(action).verb : (action ?? 'run'));

/** What a bulk preview decided, with how to queue each VM that will run. */
interface BulkPlan {
  preview: BulkPreviewResponse;
  queue: Map<string, (parentId: string) => JobRecord>;
}

/**
 * VM power actions and deletion, single and bulk. Every check runs before anything is queued:
 * host ready, VM known, the action matrix (contracts §7), no other action in flight on the VM.
 * Each action writes a pending operation (desired state + deadline); the inventory clears it when
 * the host confirms it (store/pending-confirmation.ts: the desired state, or for a restart a new
 * boot). Observed state is never written here.
 */
export class VmActions {
  private readonly deadlineTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly core: JobsCore,
    private readonly pendingDeadlineMs: number,
    /** Bulk-allowed edit operations (checkpoint.create) are checked and queued by VmOperations. */
    private readonly operations?: VmOperations,
  ) {}

  private vm(hostId: string, vmId: string): InventoryVm | undefined {
    return this.core.inventory?.store.vm(hostId, vmId);
  }

  /** The single check used by vm.action, vm.delete and the bulk preview. */
  private check(hostId: string, vmId: string, action: VmAction | 'delete', force = false): { ok: true; vm: InventoryVm } | Refused {
    const ready = vmReady(this.core, hostId, vmId);
    if (!ready.ok) return ready;
    const vm = ready.vm;
    const verdict = checkVmAction(vm.state, action, { force });
    if (!verdict.allowed) return { ok: false, vm, code: verdict.code, reason: `${vm.name} on ${this.core.hostName(hostId)}: ${verdict.reason}.` };
    return { ok: true, vm };
  }

  private pending(record: JobRecord, action: VmAction | 'delete', desiredState: string | null): string | undefined {
    const inventory = this.core.inventory;
    if (!inventory || !record.hostId || !record.vmId) return undefined;
    const requestedAt = new Date();
    const op = {
      hostId: record.hostId,
      vmId: record.vmId,
      action,
      desiredState,
      requestedAt: requestedAt.toISOString(),
      deadline: new Date(requestedAt.getTime() + this.pendingDeadlineMs).toISOString(),
      jobId: record.id,
    };
    const opId = inventory.addPending(op);
    // Past the deadline the row must say "no confirmation": rewrite the same op so its view is
    // recomputed (unconfirmed: true), unless the observed state confirmed it meanwhile.
    const timer = setTimeout(() => {
      this.deadlineTimers.delete(timer);
      if (inventory.listPending().some((p) => p.opId === opId)) inventory.addPending({ ...op, opId });
    }, this.pendingDeadlineMs + 50);
    timer.unref?.();
    this.deadlineTimers.add(timer);
    const off = this.core.onRecord((r) => {
      if (r.id !== record.id || !this.core.isFinished(r)) return;
      off();
      // A job that failed or was cancelled did not change the VM: drop its pending operation.
      if (r.state === 'failed' || r.state === 'cancelled') inventory.clearPending(opId);
    });
    return opId;
  }

  /**
   * After a succeeded action and the quick refresh that follows it. An action confirmed by a new
   * boot is confirmed by the inventory when the host's uptime shows one. When the host cannot
   * tell (it reports no uptime, or the VM had booted only seconds before the request, closer than
   * whole-second uptimes can place it), the job's result is the evidence: Hyper-V's Restart-VM
   * returns once the VM was reset, and the agent read its state after it. A host whose uptime
   * still shows the boot from before the request contradicts the job: the op stays pending, and
   * past its deadline says "no confirmation".
   */
  private confirmFromResult(opId: string | undefined, done: JobRecord, action: VmAction): void {
    const inventory = this.core.inventory;
    if (!inventory || !opId || vmActionConfirmation(action) !== 'boot') return;
    const op = inventory.listPending().find((p) => p.opId === opId);
    if (!op) return; // the host's evidence confirmed it already
    const vm = this.vm(op.hostId, op.vmId);
    const reported = typeof done.result?.state === 'string' ? done.result.state : null;
    if (!vm || vm.state !== VM_ACTION_DESIRED[action] || reported !== VM_ACTION_DESIRED[action]) return;
    const evidence = bootEvidence(op, { state: vm.state, uptimeS: vm.uptimeS, observedAt: vm.observedAt }, op.baselineBootMs ?? null);
    if (evidence !== 'old-boot') inventory.clearPending(opId);
  }

  private enqueueAction(hostId: string, vm: InventoryVm, action: VmAction, parentId: string | null = null): JobRecord {
    const record = this.core.newRecord({ type: 'vm.action', hostId, vmId: vm.vmId, vmName: vm.name, action, parameters: { action, previousState: vm.state }, parentId });
    const job = this.core.enqueue(record, {
      spec: { hostId, lane: 'CONTROL', label: `${ACTION_LABEL[action]} VM ${vm.name}`, operation: 'vm.action', fields: { vmId: vm.vmId, action }, timeoutMs: this.core.timeouts.action },
      after: async ({ ok, record: done }) => {
        // A bulk item's failure is told once, in the bulk's summary (trackBulk).
        if (!ok && done.state === 'failed' && !parentId) this.notifyActionFailed(done, vm, action);
        await this.core.inventory?.quickRefresh(hostId).catch(() => undefined);
        if (ok) this.confirmFromResult(opId, done, action);
      },
    });
    const opId = this.pending(job, action, VM_ACTION_DESIRED[action]);
    return job;
  }

  /**
   * The pending note of a failed action disappears (the VM did not change): the admin must hear
   * why, in the notification centre (tray in Electron) and as a toast, not find the row unchanged.
   */
  private notifyActionFailed(done: JobRecord, vm: InventoryVm, action: VmAction): void {
    const hostName = this.core.hostName(done.hostId ?? vm.hostId);
    const reason = [done.error?.code, done.error?.message].filter(Boolean).join(': ') || 'the host reported a failure';
    this.core.ctx.notifications.notify({
      level: 'error',
      title: `Could not ${ACTION_LABEL[action]} ${vm.name}`,
      message: `${hostName}: ${reason}`,
      hostId: vm.hostId,
      jobId: done.id,
    });
  }

  action(request: VmActionRequest): JobRecord {
    const verdict = this.check(request.hostId, request.vmId, request.action);
    if (!verdict.ok) throw refusal(verdict.code, verdict.reason);
    return this.enqueueAction(request.hostId, verdict.vm, request.action);
  }

  delete(request: VmDeleteRequest): JobRecord {
    const verdict = this.check(request.hostId, request.vmId, 'delete', request.force ?? false);
    if (!verdict.ok) throw refusal(verdict.code, verdict.reason);
    const vm = verdict.vm;
    if (request.confirmName !== vm.name) {
      throw refusal('CONFIRM_NAME_MISMATCH', `Type the VM's name exactly (${vm.name}, case-sensitive) to confirm deleting it.`, 'confirmName');
    }
    const hostName = this.core.hostName(request.hostId);
    const record = this.core.newRecord({
      type: 'vm.delete',
      hostId: request.hostId,
      vmId: vm.vmId,
      vmName: vm.name,
      action: 'delete',
      parameters: { deleteDisks: request.deleteDisks, force: request.force ?? false, previousState: vm.state },
    });
    const job = this.core.enqueue(record, {
      spec: {
        hostId: request.hostId,
        lane: 'JOB',
        label: `delete VM ${vm.name}`,
        operation: 'vm.delete',
        fields: { vmId: vm.vmId, deleteDisks: request.deleteDisks, force: request.force ?? false },
        timeoutMs: this.core.timeouts.delete,
      },
      after: async ({ ok, record: done }) => {
        await this.core.inventory?.refresh(request.hostId).catch(() => undefined);
        // Disks kept because the admin did not ask to delete them are not news; only those the agent
        // refused to delete when asked (shared with another VM, in use) are worth a warning.
        const kept = request.deleteDisks && Array.isArray(done.result?.disksKept) ? done.result.disksKept.length : 0;
        this.core.ctx.notifications.notify(
          ok
            ? { level: kept ? 'warning' : 'success', title: `VM ${vm.name} deleted`, message: `${vm.name} was deleted from ${hostName}${kept ? `; ${kept} shared or in-use disk(s) were kept` : ''}.`, hostId: request.hostId, jobId: done.id }
            : { level: 'error', title: `Deleting ${vm.name} failed`, message: `${hostName}: ${done.error?.code ?? ''} ${done.error?.message ?? ''}`.trim(), hostId: request.hostId, jobId: done.id },
        );
      },
    });
    this.pending(job, 'delete', null);
    return job;
  }

  // --- bulk --------------------------------------------------------------------------------

  preview(request: BulkAnyRequest): BulkPreviewResponse {
    return this.plan(request).preview;
  }

  /**
   * Checks every target once: a power action with the action matrix, a bulk edit operation with
   * the same checks as vm.operate (its parameters are checked once for all, before any VM).
   */
  private plan(request: BulkAnyRequest): BulkPlan {
    const edit = 'operation' in request ? request : undefined;
    const action = edit ? edit.operation : (request as { action: VmAction }).action;
    if (edit) {
      if (!this.operations) throw new ContractError(ErrorCode.Unavailable, `Bulk ${edit.operation} is not available in this build.`);
      const invalid = this.operations.paramErrors(edit.operation, edit.params);
      if (invalid) throw refusal(ErrorCode.ValidationFailed, `${invalid.field} ${invalid.message}; nothing was queued.`, invalid.field);
    }
    const seen = new Set<string>();
    const items: BulkPreviewItem[] = [];
    const queue = new Map<string, (parentId: string) => JobRecord>();
    for (const t of request.targets) {
      const key = `${t.hostId}:${t.vmId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const verdict = edit ? this.operations!.check(t.hostId, t.vmId, edit.operation, edit.params) : this.check(t.hostId, t.vmId, action as VmAction);
      const vm = verdict.vm;
      if (verdict.ok) {
        queue.set(key, edit ? (parentId) => this.operations!.enqueue(t.hostId, verdict as Parameters<VmOperations['enqueue']>[1], edit.operation, parentId) : (parentId) => this.enqueueAction(t.hostId, verdict.vm, action as VmAction, parentId));
      }
      items.push({
        hostId: t.hostId,
        hostName: this.core.hostName(t.hostId),
        vmId: t.vmId,
        vmName: vm?.name ?? null,
        state: vm?.state ?? null,
        willRun: verdict.ok,
        reason: verdict.ok ? null : verdict.reason,
        skipCode: verdict.ok ? null : skipCodeOf(verdict.code),
      });
    }
    const willRun = items.filter((i) => i.willRun);
    return { preview: { action, items, willRun: willRun.length, skipped: items.length - willRun.length, hosts: new Set(willRun.map((i) => i.hostId)).size }, queue };
  }

  run(request: BulkAnyRequest): BulkRunResponse {
    const { preview, queue } = this.plan(request);
    const verb = verbOf(preview.action);
    if (!preview.willRun) throw new ContractError(ErrorCode.Conflict, `None of the ${preview.items.length} selected VMs can ${verb} now (${preview.items[0]?.reason ?? 'nothing selected'}).`);
    const params = 'operation' in request ? (request.params as Record<string, JobFieldValue>) : {};
    const parent = this.core.newRecord({
      type: 'bulk',
      hostId: null,
      vmId: null,
      vmName: null,
      action: preview.action,
      parameters: { ...params, action: preview.action, targets: preview.items.length, skipped: preview.skipped },
      state: 'running',
      startedAt: new Date().toISOString(),
    });
    this.core.store.put({ ...parent, hostName: null, bulk: this.counts(parent.id, preview.willRun) });
    this.core.system(parent.id, `Bulk ${verb}: ${preview.willRun} VMs on ${preview.hosts} hosts; ${preview.skipped} skipped.`);
    for (const s of preview.items.filter((i) => !i.willRun)) this.core.system(parent.id, `Skipped ${s.vmName ?? s.vmId} on ${s.hostName}: ${s.reason}`, 'warn');
    const items = preview.items.filter((i) => i.willRun).map((i) => queue.get(`${i.hostId}:${i.vmId}`)!(parent.id));
    this.trackBulk(parent.id);
    return { job: this.core.store.get(parent.id)!, items, skipped: preview.items.filter((i) => !i.willRun) };
  }

  retryFailed(id: string): BulkRunResponse {
    const parent = this.core.store.get(id);
    if (!parent || parent.type !== 'bulk') throw new ContractError(ErrorCode.NotFound, `No bulk job with id ${id}; reload the jobs list.`);
    const items = this.core.store.all().filter((r) => r.parentId === id);
    // The latest attempt per VM decides whether it still needs a retry.
    const latest = new Map<string, JobRecord>();
    for (const r of items) latest.set(`${r.hostId}:${r.vmId}`, r);
    const again = [...latest.values()].filter((r) => r.state === 'failed' || r.state === 'cancelled' || r.state === 'interrupted');
    if (!again.length) throw new ContractError(ErrorCode.Conflict, `Bulk job ${id} has no failed, cancelled or interrupted items to retry.`);
    const targets = again.map((r) => ({ hostId: r.hostId!, vmId: r.vmId! }));
    // An edit operation's parameters are each item's own (the same for all), less what the app added.
    const editParams = () => {
      const { previousState: _p, ...params } = again[0]!.parameters;
      return params;
    };
    const request: BulkAnyRequest = isBulkEditOperation(parent.action) ? { operation: parent.action, params: editParams(), targets } : { action: parent.action as VmAction, targets };
    const { preview, queue } = this.plan(request);
    const queued = preview.items.filter((i) => i.willRun).map((i) => queue.get(`${i.hostId}:${i.vmId}`)!(id));
    for (const s of preview.items.filter((i) => !i.willRun)) this.core.system(id, `Retry skipped ${s.vmName ?? s.vmId} on ${s.hostName}: ${s.reason}`, 'warn');
    this.core.system(id, `Retry: ${queued.length} item(s) queued again.`);
    if (queued.length) this.core.update(id, { state: 'running', finishedAt: null, bulk: this.counts(id) });
    this.trackBulk(id);
    return { job: this.core.store.get(id)!, items: queued, skipped: preview.items.filter((i) => !i.willRun) };
  }

  /** Counts over the latest attempt of each VM of a bulk job. */
  private counts(parentId: string, extraQueued = 0): NonNullable<JobRecord['bulk']> {
    const latest = new Map<string, JobRecord>();
    for (const r of this.core.store.all()) if (r.parentId === parentId) latest.set(`${r.hostId}:${r.vmId}`, r);
    const c = { total: latest.size + extraQueued, queued: extraQueued, running: 0, succeeded: 0, failed: 0, cancelled: 0, interrupted: 0 };
    for (const r of latest.values()) c[r.state]++;
    return c;
  }

  private readonly tracked = new Set<string>();

  /** Keeps the bulk record's counts and state in step with its items. */
  private trackBulk(parentId: string): void {
    if (this.tracked.has(parentId)) {
      this.core.update(parentId, { bulk: this.counts(parentId) });
      return;
    }
    this.tracked.add(parentId);
    let scheduled = false;
    const sync = () => {
      scheduled = false;
      const bulk = this.counts(parentId);
      const open = bulk.queued + bulk.running;
      const parent = this.core.store.get(parentId)!;
      if (open > 0) {
        this.core.update(parentId, { bulk });
        return;
      }
      if (parent.state !== 'running') return;
      const state = bulk.failed || bulk.interrupted ? 'failed' : bulk.cancelled ? 'cancelled' : 'succeeded';
      const error = state === 'succeeded' ? null : { code: 'BULK_INCOMPLETE', message: `${bulk.succeeded} of ${bulk.total} succeeded; ${bulk.failed} failed, ${bulk.cancelled} cancelled.` };
      this.core.system(parentId, `Bulk finished: ${bulk.succeeded} succeeded, ${bulk.failed} failed, ${bulk.cancelled} cancelled.`, state === 'succeeded' ? 'info' : 'warn');
      this.core.finish(parentId, state, { bulk, error });
      if (bulk.failed) this.notifyBulkFailed(parent, bulk);
      off();
      this.tracked.delete(parentId);
    };
    const off = this.core.onRecord((r) => {
      if (r.parentId !== parentId || scheduled) return;
      // Many items change at once: one parent update per tick is enough.
      scheduled = true;
      queueMicrotask(sync);
    });
    this.core.update(parentId, { bulk: this.counts(parentId) });
  }

  private notifyBulkFailed(parent: JobRecord, bulk: NonNullable<JobRecord['bulk']>): void {
    const latest = new Map<string, JobRecord>();
    for (const r of this.core.store.all()) if (r.parentId === parent.id) latest.set(`${r.hostId}:${r.vmId}`, r);
    const failed = [...latest.values()].filter((r) => r.state === 'failed');
    const named = failed.slice(0, 3).map((r) => `${r.vmName ?? r.vmId} on ${r.hostName ?? r.hostId}: ${r.error?.message ?? r.error?.code ?? 'failed'}`);
    const more = failed.length > named.length ? `; and ${failed.length - named.length} more (see the job)` : '';
    this.core.ctx.notifications.notify({
      level: 'error',
      title: `Could not ${verbOf(parent.action)} ${bulk.failed} of ${bulk.total} VMs`,
      message: `${named.join('; ')}${more}.`,
      jobId: parent.id,
    });
  }

  stop(): void {
    for (const t of this.deadlineTimers) clearTimeout(t);
    this.deadlineTimers.clear();
  }
}

function isBulkEditOperation(action: string | null): action is VmBulkEditOperation {
  return (VM_BULK_EDIT_OPERATIONS as readonly string[]).includes(action ?? '');
}

/** The preview's skip code for a refusal: fact-based refusals of an edit count as "not allowed now". */
function skipCodeOf(code: string): BulkPreviewItem['skipCode'] {
  if (code === 'VM_NOT_FOUND' || code === 'ALREADY_IN_STATE' || code === 'INVALID_STATE' || code === 'ACTION_PENDING') return code;
  if (code === 'HOST_NOT_FOUND' || code === 'HOST_DISABLED' || code === 'AGENT_NOT_READY' || code === 'HOST_NOT_CONNECTED') return 'HOST_NOT_READY';
  return 'INVALID_STATE';
}
