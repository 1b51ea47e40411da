import {
  checkVmOperationState,
  ErrorCode,
  isVmOperation,
  VM_OPERATION_PARAMS,
  vmOperationDef,
  type InventoryVm,
  type JobFieldValue,
  type JobRecord,
  type VmEditOperation,
  type VmOperationParams,
} from '../../shared/contract';
import { checkVmOperationParams, vmOperationHost, type VmOperationHost } from '../../shared/vm-operation-rules';
import type { TSchema } from '@sinclair/typebox';
import { compile, toFieldErrors } from '../validation/validator';
import { refusal, type JobsCore } from './service';
import { agentOperationFields } from './vm-operation-fields';
import { vmReady, type Refused } from './vm-guards';

/** Operations whose rules read other VMs' disk files or MAC addresses on the host. */
const OPERATIONS_READING_HOST_LISTS: ReadonlySet<VmEditOperation> = new Set(['disk.add', 'disk.remove', 'nic.add']);

type Checked = { ok: true; vm: InventoryVm; params: VmOperationParams[VmEditOperation]; targetNode?: string };

/** "Add a disk to web-20": the table's verb, capitalised, with the VM's name. */
export function operationLabel(op: VmEditOperation, vmName: string): string {
  const verb = vmOperationDef(op).verb;
  return `${verb.charAt(0).toUpperCase()}${verb.slice(1)} ${vmName}`;
}

/** The branch of a union schema a `mode` picks (disk.add), so errors name that branch's fields. */
function schemaFor(op: VmEditOperation, params: Record<string, unknown>): TSchema {
  const schema = VM_OPERATION_PARAMS[op] as TSchema;
  const branches = (schema as { anyOf?: TSchema[] }).anyOf;
  if (!branches) return schema;
  const chosen = branches.find((b) => (b as { properties?: { mode?: { const?: unknown } } }).properties?.mode?.const === params.mode);
  return chosen ?? schema;
}

/**
 * Hardware edits, checkpoint operations and moves of one VM (`vm.operate`, issue 15). Every check
 * runs before anything is queued, in the order an admin can act on: host ready, VM known, nothing
 * else in flight on it, the table's allowed states, the parameters' schema, then the host's facts
 * and the VM's stored details (src/shared/vm-operation-rules.ts, which the renderer shares). A job
 * writes a pending operation: an edit's is cleared when its job ended and the refresh after it ran
 * (confirmedBy `result`); a move's when the VM shows on the target host (`host`, in the store).
 */
export class VmOperations {
  private readonly deadlineTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly core: JobsCore,
    private readonly pendingDeadlineMs: number,
  ) {}

  /**
   * The VM's host as the shared rules see it: built as the renderer builds it, plus, for the
   * operations that judge them, the other VMs' disk files and MACs from the store (a query each,
   * so a bulk checkpoint of thousands of VMs does not run them).
   */
  private hostFacts(hostId: string, op: VmEditOperation): VmOperationHost {
    const store = this.core.inventory?.store;
    const lists = OPERATIONS_READING_HOST_LISTS.has(op) ? { diskPaths: this.diskPathsSeenBy(hostId), macAddresses: store?.macAddressesOf(hostId) ?? [] } : {};
    return vmOperationHost(hostId, store?.hostList() ?? [], this.core.ctx.hosts.list(), {
      ...lists,
      agentReady: (id) => (this.core.deployment?.readiness(id).state ?? 'ready') === 'ready',
    });
  }

  /** Disk files of the host's VMs and, on a cluster node, of its peers' VMs (shared cluster storage). */
  private diskPathsSeenBy(hostId: string): NonNullable<VmOperationHost['diskPaths']> {
    const store = this.core.inventory?.store;
    if (!store) return [];
    const cluster = store.host(hostId)?.cluster;
    const peers = cluster ? store.hostIds().filter((id) => id !== hostId && store.host(id)?.cluster === cluster) : [];
    return [...store.hostLayout(hostId).diskPaths, ...peers.flatMap((id) => store.hostLayout(id).diskPaths.map((d) => ({ ...d, hostName: this.core.hostName(id) })))];
  }

  /** Every check of one operation on one VM; the bulk preview uses it per VM. */
  check(hostId: string, vmId: string, op: VmEditOperation, rawParams: Record<string, unknown>): Checked | Refused {
    const ready = vmReady(this.core, hostId, vmId);
    if (!ready.ok) return ready;
    const vm = ready.vm;
    const hostName = this.core.hostName(hostId);
    const state = checkVmOperationState(vm.state, op);
    if (!state.allowed) return { ok: false, vm, code: state.code, reason: `${vm.name} on ${hostName}: ${state.reason}.` };
    const invalid = this.paramErrors(op, rawParams);
    if (invalid) return { ok: false, vm, code: ErrorCode.ValidationFailed, field: invalid.field, reason: `${vm.name} on ${hostName}: ${invalid.field} ${invalid.message}.` };
    const hostRecord = this.core.inventory?.store.host(hostId);
    const reportedSwitches = hostRecord?.sync.lastSuccessAt != null ? hostRecord.switches : null;
    const params = withReportedSwitchName(rawParams, reportedSwitches) as VmOperationParams[VmEditOperation];
    const detail = this.core.inventory?.store.vmDetail(hostId, vmId);
    if (!detail) return { ok: false, vm, code: 'VM_NOT_FOUND', reason: `No VM ${vmId} on ${hostName} in the inventory; refresh the host.` };
    const verdict = checkVmOperationParams(vm, detail.details, this.hostFacts(hostId, op), op, params);
    if (!verdict.ok) return { ok: false, vm, code: verdict.code, field: verdict.field, reason: `${verdict.reason}.` };
    if (op !== 'move') return { ok: true, vm, params };
    const target = (params as VmOperationParams['move']).targetHostId;
    const targetNode = this.core.inventory?.store.host(target)?.computerName;
    if (!targetNode) {
      return { ok: false, vm, code: 'TARGET_HOST_INVALID', field: 'params.targetHostId', reason: `${vm.name} on ${hostName}: ${this.core.hostName(target)} has not reported its computer name yet; refresh it first.` };
    }
    return { ok: true, vm, params, targetNode };
  }

  /** The first schema error of the parameters, its field prefixed `params.` as the request names it. */
  paramErrors(op: VmEditOperation, params: Record<string, unknown>): { field: string; message: string } | undefined {
    const validate = compile(schemaFor(op, params));
    if (validate(params)) return undefined;
    const first = toFieldErrors(validate.errors)[0];
    const field = !first || first.field === '(request)' ? 'params' : `params.${first.field}`;
    return { field, message: first?.message ?? 'is invalid' };
  }

  /** The command as the boundary checked it: `params` is an object, checked here against its operation's schema. */
  operate(request: { hostId: string; vmId: string; operation: VmEditOperation; params: Record<string, unknown> }): JobRecord {
    const verdict = this.check(request.hostId, request.vmId, request.operation, request.params);
    if (!verdict.ok) throw refusal(verdict.code, verdict.reason, verdict.field ?? undefined);
    return this.enqueue(request.hostId, verdict, request.operation);
  }

  /** Queues a checked operation (a bulk item has its bulk job as parent). */
  enqueue(hostId: string, checked: Checked, op: VmEditOperation, parentId: string | null = null): JobRecord {
    const { vm, params } = checked;
    const def = vmOperationDef(op);
    const targetHostId = op === 'move' ? (params as VmOperationParams['move']).targetHostId : null;
    const label = targetHostId ? `${operationLabel(op, vm.name)} to ${this.core.hostName(targetHostId)}` : operationLabel(op, vm.name);
    const record = this.core.newRecord({
      type: 'vm.operation',
      hostId,
      vmId: vm.vmId,
      vmName: vm.name,
      action: op,
      parameters: { ...recordedParams(params as Record<string, JobFieldValue | null>), previousState: vm.state },
      parentId,
    });
    const state: { opId?: string } = {};
    const job = this.core.enqueue(record, {
      spec: {
        hostId,
        lane: def.lane,
        label,
        operation: def.agentOperation,
        fields: agentOperationFields(op, params, { vm, ...(checked.targetNode ? { targetNode: checked.targetNode } : {}) }),
        timeoutMs: op === 'move' ? this.core.timeouts.move : this.core.timeouts.edit,
      },
      after: async ({ ok, record: done }) => {
        // A bulk item's failure is told once, in the bulk's summary.
        if (!ok && done.state === 'failed' && !parentId) this.notifyFailed(done, vm, op);
        // Whatever the outcome, the host may have changed (a failed edit can be half done): a full
        // refresh shows what is there now. A job dropped before it started changed nothing.
        if (done.startedAt) {
          await this.core.inventory?.refresh(hostId).catch(() => undefined);
          if (targetHostId) await this.core.inventory?.refresh(targetHostId).catch(() => undefined);
        }
        const opId = state.opId;
        if (!opId) return;
        if (def.confirmedBy === 'result') this.clearPending(opId);
        // The move's job is done; the VM has until a fresh deadline to show on its target.
        else if (ok) this.renewDeadline(opId);
      },
    });
    state.opId = this.pending(job, op, def.desired, targetHostId);
    return job;
  }

  private pending(record: JobRecord, op: VmEditOperation, desiredState: string | null, targetHostId: string | null): string | undefined {
    const inventory = this.core.inventory;
    if (!inventory || !record.hostId || !record.vmId) return undefined;
    const requestedAt = new Date();
    // The job may run up to its timeout; "no confirmation" only after that and the usual wait.
    const timeoutMs = op === 'move' ? this.core.timeouts.move : this.core.timeouts.edit;
    const opInput = {
      hostId: record.hostId,
      vmId: record.vmId,
      action: op,
      desiredState,
      requestedAt: requestedAt.toISOString(),
      deadline: new Date(requestedAt.getTime() + timeoutMs + this.pendingDeadlineMs).toISOString(),
      jobId: record.id,
      ...(targetHostId ? { targetHostId } : {}),
    };
    const opId = inventory.addPending(opInput);
    this.scheduleDeadline(opId, Date.parse(opInput.deadline) - Date.now());
    const off = this.core.onRecord((r) => {
      if (r.id !== record.id || !this.core.isFinished(r)) return;
      off();
      // A job that failed or was cancelled did not do what was asked: its pending note goes at once.
      // One the app's stop interrupted goes too, unless it is a move: the cluster may still finish
      // it, and the note ends when the VM shows on the target (or says "no confirmation").
      if (r.state === 'failed' || r.state === 'cancelled' || (r.state === 'interrupted' && !targetHostId)) this.clearPending(opId);
    });
    return opId;
  }

  private current(opId: string) {
    return this.core.inventory?.listPending().find((p) => p.opId === opId);
  }

  private clearPending(opId: string): void {
    const timer = this.deadlineTimers.get(opId);
    if (timer) clearTimeout(timer);
    this.deadlineTimers.delete(opId);
    if (this.current(opId)) this.core.inventory?.clearPending(opId);
  }

  private renewDeadline(opId: string): void {
    const op = this.current(opId);
    if (!op) return; // the store confirmed it (the VM showed on the target)
    this.core.inventory?.addPending({ ...op, deadline: new Date(Date.now() + this.pendingDeadlineMs).toISOString() });
    this.scheduleDeadline(opId, this.pendingDeadlineMs);
  }

  /** Past the deadline the row must say "no confirmation": the same op rewritten recomputes its view. */
  private scheduleDeadline(opId: string, inMs: number): void {
    const previous = this.deadlineTimers.get(opId);
    if (previous) clearTimeout(previous);
    const timer = setTimeout(() => {
      this.deadlineTimers.delete(opId);
      const op = this.current(opId);
      if (op) this.core.inventory?.addPending(op);
    }, Math.max(0, inMs) + 50);
    timer.unref?.();
    this.deadlineTimers.set(opId, timer);
  }

  /**
   * An edit's pending note whose job did not survive the last run (the app stopped or crashed) has
   * nothing left to clear it: the next refresh shows what the host has. A move's stays: the VM may
   * still show on its target, and its deadline says "no confirmation" otherwise.
   */
  dropOrphanPending(): number {
    const inventory = this.core.inventory;
    if (!inventory) return 0;
    let dropped = 0;
    for (const op of inventory.listPending()) {
      if (op.targetHostId || !isResultConfirmed(op.action)) continue;
      const job = op.jobId ? this.core.store.get(op.jobId) : undefined;
      if (job && (job.state === 'queued' || job.state === 'running')) continue;
      inventory.clearPending(op.opId);
      dropped++;
    }
    return dropped;
  }

  /**
   * The pending note of a failed edit disappears: the admin must hear why, in the notification
   * centre (tray in Electron) and as a toast, not find the VM unchanged.
   */
  private notifyFailed(done: JobRecord, vm: InventoryVm, op: VmEditOperation): void {
    const hostName = this.core.hostName(done.hostId ?? vm.hostId);
    const reason = [done.error?.code, done.error?.message].filter(Boolean).join(': ') || 'the host reported a failure';
    this.core.ctx.notifications.notify({ level: 'error', title: `Could not ${vmOperationDef(op).verb} ${vm.name}`, message: `${hostName}: ${reason}`, hostId: vm.hostId, jobId: done.id });
  }

  stop(): void {
    for (const t of this.deadlineTimers.values()) clearTimeout(t);
    this.deadlineTimers.clear();
  }
}

/**
 * Parameters as the job record keeps them: its values are text, numbers and booleans, so a value
 * set to nothing on purpose (a NIC's VLAN null = untagged, its MAC null = dynamic) reads "none".
 */
function recordedParams(params: Record<string, JobFieldValue | null>): Record<string, JobFieldValue> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v === null ? 'none' : v]));
}

/**
 * A switch name as the host spells it: the rules match names without regard to case, as Hyper-V
 * does, and the agent is then given the host's own spelling.
 */
function withReportedSwitchName(params: Record<string, unknown>, switches: readonly string[] | null): Record<string, unknown> {
  if (typeof params.switchName !== 'string' || !switches) return params;
  const wanted = params.switchName.trim().toLowerCase();
  const reported = switches.find((s) => s.toLowerCase() === wanted);
  return reported ? { ...params, switchName: reported } : params;
}

function isResultConfirmed(action: string): boolean {
  return isVmOperation(action) && vmOperationDef(action).confirmedBy === 'result';
}
