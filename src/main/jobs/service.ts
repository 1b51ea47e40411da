import { randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  ContractError,
  ErrorCode,
  FINISHED_JOB_STATES,
  type JobFieldValue,
  type JobRecord,
  type JobSubmitRequest,
  type JobSubmitResponse,
} from '../../shared/contract';
import type { DeploymentApi } from '../deployment/api';
import type { InventoryApi } from '../inventory';
import type { ServiceContext } from '../service-module';
import { agentCreateFields, secretValues } from './agent-fields';
import { JobValidationFailed, SchemaOutOfDate } from './errors';
import { JobQueue } from './queue';
import { SecretMasker } from './redact';
import { jobFailure, runAgentJob, type AgentJobSpec } from './runner';
import { checkSubmissionSafeguards, estimateFreeMemoryGb, SubmissionRefused, type SubmissionView } from './safeguards';
import { JobStore } from './store/job-store';
import type { CompiledJobSchema } from './validation/compiled';
import { assertJobInput, maskSecrets } from './validation/validate';
import { hostNetworksOf } from './validation/host-networks';

export interface JobTimeouts {
  create: number;
  delete: number;
  action: number;
  /** A hardware edit or checkpoint operation (vm.operate); deleting a checkpoint merges its disks. */
  edit: number;
  /** A move between cluster nodes: a live migration copies the VM's memory over the network. */
  move: number;
}

export interface JobsServiceOptions {
  timeouts?: Partial<JobTimeouts>;
  /** How long a pending action waits for the observed state before it shows as unconfirmed. */
  pendingDeadlineMs?: number;
}

const MINUTE = 60_000;
/** vm.create's worst case with the agent's default guest timeouts is ~37 min (docs/agent.md). */
export const DEFAULT_TIMEOUTS: JobTimeouts = { create: 45 * MINUTE, delete: 10 * MINUTE, action: 5 * MINUTE, edit: 30 * MINUTE, move: 60 * MINUTE };

/** A refusal with a stable code (nothing is queued); details name the field when there is one. */
export function refusal(code: string, message: string, field?: string): ContractError {
  return new ContractError(code as ErrorCode, message, field ? { fields: [{ field, message }] } : undefined);
}

/** What executing one job needs besides the record: the agent call and what to do after it. */
export interface JobPlan {
  spec: Omit<AgentJobSpec, 'jobId'>;
  after?(outcome: { ok: boolean; record: JobRecord }): Promise<void> | void;
}

/**
 * The jobs core: records and lines (JobStore), the queue, execution with live masked output,
 * create-VM submission with its placeholder. VM actions and bulk build on `enqueue` (vm-actions.ts).
 */
export class JobsCore {
  readonly store: JobStore;
  readonly queue: JobQueue;
  readonly masker = new SecretMasker();
  readonly timeouts: JobTimeouts;
  private readonly listeners = new Set<(record: JobRecord) => void>();
  private readonly awaitingStart = new Map<string, string>();
  private readonly offScheduler: () => void;

  constructor(
    readonly ctx: ServiceContext,
    readonly compiled: CompiledJobSchema,
    readonly options: JobsServiceOptions,
  ) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.store = new JobStore(path.join(ctx.dataDir, 'jobs.db'), {
      records: (records) => {
        ctx.hub.publishTopicDelta('jobs', { upsert: records.map((r) => ({ ...r })), remove: [] });
        for (const r of records) for (const l of this.listeners) l(r);
      },
      lines: (lines) => ctx.hub.publishTopicDelta('jobOutput', { lines }),
      removed: (ids) => ctx.hub.publishTopicDelta('jobs', { upsert: [], remove: ids }),
    }, undefined, { retention: () => ctx.settings.getSettings().jobs });
    this.queue = new JobQueue(() => ctx.settings.getSettings().jobs.workers);
    ctx.hub.registerSource('jobs', () => this.store.recent(500).map((r) => ({ ...r })));
    // A job is 'running' from the moment the scheduler starts its host task, not when it is handed over.
    this.offScheduler = ctx.scheduler.on('task', (event) => {
      if (event.phase !== 'started') return;
      const jobId = this.awaitingStart.get(event.label);
      if (!jobId) return;
      this.awaitingStart.delete(event.label);
      const record = this.store.get(jobId);
      if (record?.state === 'queued') this.update(jobId, { state: 'running', startedAt: new Date().toISOString() });
    });
    ctx.hub.registerSource('jobOutput', () => ({ note: 'job lines are fetched with jobs.get; this topic only carries new lines' }));
  }

  get inventory(): InventoryApi | undefined {
    const api = this.ctx.started.get('inventory')?.api as Partial<InventoryApi> | undefined;
    return api && typeof api.snapshot === 'function' && typeof api.addPlaceholder === 'function' ? (api as InventoryApi) : undefined;
  }

  get deployment(): DeploymentApi | undefined {
    const api = this.ctx.started.get('deployment')?.api as Partial<DeploymentApi> | undefined;
    return api && typeof api.readiness === 'function' ? (api as DeploymentApi) : undefined;
  }

  onRecord(listener: (record: JobRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  hostName(hostId: string): string {
    return this.ctx.hosts.list().find((h) => h.id === hostId)?.displayName ?? hostId;
  }

  /** What the safeguards see: host registry, deployment readiness, inventory, this queue. */
  view(): SubmissionView {
    return {
      host: (id) => this.ctx.hosts.list().find((h) => h.id === id),
      agentReadiness: (id) => this.deployment?.readiness(id),
      vmNamesOnHost: (id) => this.inventory?.snapshot().vms.filter((v) => v.hostId === id && !v.placeholder).map((v) => v.name),
      hostMemoryAvailableGb: (id) => {
        const snapshot = this.inventory?.snapshot();
        return snapshot ? estimateFreeMemoryGb(snapshot.hosts.find((h) => h.hostId === id), snapshot.vms) : undefined;
      },
      pendingVmNames: (id) =>
        this.store
          .all()
          .filter((r) => r.type === 'vm.create' && r.hostId === id && (r.state === 'queued' || r.state === 'running'))
          .map((r) => r.vmName ?? ''),
    };
  }

  /** Applies a patch to the current record (keeping its live line count) and persists it. */
  update(id: string, patch: Partial<JobRecord>): JobRecord {
    const current = this.store.get(id)!;
    const next: JobRecord = { ...current, ...patch, lineCount: current.lineCount };
    this.store.put(next);
    return next;
  }

  newRecord(init: Pick<JobRecord, 'type' | 'hostId' | 'vmId' | 'vmName' | 'action' | 'parameters'> & Partial<JobRecord>): JobRecord {
    return {
      id: randomUUID(),
      state: 'queued',
      hostName: init.hostId ? this.hostName(init.hostId) : null,
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      result: null,
      error: null,
      lineCount: 0,
      parentId: null,
      warnings: [],
      bulk: null,
      ...init,
    };
  }

  system(jobId: string, text: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    this.store.appendLine(jobId, { stream: 'system', level, text: this.masker.mask(text), step: null });
  }

  /** Persists a queued record and hands it to the queue. */
  enqueue(record: JobRecord, plan: JobPlan): JobRecord {
    this.store.put(record);
    this.system(record.id, `Queued: ${plan.spec.label} on ${record.hostName ?? record.hostId}.`);
    this.queue.submit({
      jobId: record.id,
      lane: plan.spec.lane,
      run: (signal) => this.execute(record.id, plan, signal),
      dropped: (reason) => {
        const ended = this.finish(record.id, reason === 'cancelled' ? 'cancelled' : 'interrupted', {
          error: reason === 'cancelled' ? { code: 'CANCELLED', message: 'Stopped before it started; nothing ran on the host.' } : { code: 'INTERRUPTED', message: 'The app stopped before the job started.' },
        });
        void plan.after?.({ ok: false, record: ended });
      },
    });
    return this.store.get(record.id)!;
  }

  private async execute(jobId: string, plan: JobPlan, signal: AbortSignal): Promise<void> {
    const started = this.store.get(jobId)!;
    const hostName = started.hostName ?? started.hostId ?? '';
    // The label names the job, so the scheduler's 'started' event marks exactly this job running.
    const label = `${plan.spec.label} [job ${jobId.slice(0, 8)}]`;
    this.awaitingStart.set(label, jobId);
    let record: JobRecord;
    try {
      const result = await runAgentJob(this.ctx.remote, { ...plan.spec, label, jobId }, signal, this.masker, (line) => this.store.appendLine(jobId, line));
      this.system(jobId, 'Finished: the host reported success.');
      record = this.finish(jobId, 'succeeded', { result });
    } catch (error) {
      this.awaitingStart.delete(label);
      const failure = jobFailure(error, this.masker, hostName);
      if (failure.error.code === 'AGENT_NOT_DEPLOYED' || failure.error.code === 'SCHEMA_VERSION_MISMATCH') this.deployment?.invalidate(started.hostId!, failure.error.message);
      // The app is stopping: the host may still finish, so the honest state is "interrupted".
      const stopping = this.stopping && failure.state === 'cancelled';
      // A cancel's code only repeats the state; a failure's code is what admins search for.
      this.system(jobId, stopping ? 'The app stopped while the job ran.' : failure.state === 'cancelled' ? `Cancelled: ${failure.error.message}` : `Failed: ${failure.error.code}: ${failure.error.message}`, 'error');
      record = stopping
        ? this.finish(jobId, 'interrupted', { error: { code: 'INTERRUPTED', message: 'The app stopped while this job ran; the host may have finished it.' } })
        : this.finish(jobId, failure.state, { error: failure.error });
    }
    try {
      if (!this.stopping) await plan.after?.({ ok: record.state === 'succeeded', record });
    } catch (error) {
      this.ctx.log.warn('job follow-up failed', { jobId, error: (error as Error).message });
    }
  }

  stopping = false;

  finish(jobId: string, state: JobRecord['state'], patch: Partial<JobRecord>): JobRecord {
    try {
      this.store.flush();
      return this.update(jobId, { state, finishedAt: new Date().toISOString(), ...patch });
    } finally {
      // The job has ended even if its record could not be written: its secrets go regardless.
      this.forgetSecrets(jobId);
    }
  }

  private forgetSecrets(jobId: string): void {
    this.masker.forget(jobId);
    this.ctx.log.forgetSecrets(`job:${jobId}`);
  }

  isFinished(record: JobRecord): boolean {
    return FINISHED_JOB_STATES.includes(record.state);
  }

  // --- create VM ---------------------------------------------------------------------------

  submitCreate(request: JobSubmitRequest): JobSubmitResponse {
    if (request.schemaVersion !== this.compiled.version) throw new SchemaOutOfDate(request.schemaVersion, this.compiled.version);
    let values: Record<string, JobFieldValue>;
    try {
      values = assertJobInput(this.compiled, {
        imageOsFamily: request.imageOsFamily,
        fields: request.fields,
        hostNetworks: hostNetworksOf(this.inventory, request.hostId, this.hostName(request.hostId)),
      });
    } catch (error) {
      if (error instanceof JobValidationFailed) throw new ContractError(ErrorCode.ValidationFailed, error.message, { fields: error.fields });
      throw error;
    }
    const vmName = String(values.vmName);
    let warnings: string[];
    try {
      warnings = checkSubmissionSafeguards({ hostId: request.hostId, vmName, memoryGB: Number(values.memoryGB ?? 0) }, this.view()).warnings;
    } catch (error) {
      if (error instanceof SubmissionRefused) throw refusal(error.code, error.message, error.field);
      throw error;
    }

    const secrets = secretValues(this.compiled, values);
    const record = this.newRecord({
      type: 'vm.create',
      hostId: request.hostId,
      vmId: null,
      vmName,
      action: null,
      parameters: { ...maskSecrets(this.compiled, values), imageOsFamily: request.imageOsFamily },
      warnings,
    });
    for (const s of secrets) this.ctx.log.addSecret(s, `job:${record.id}`);
    this.masker.add(record.id, secrets);
    let placeholder: { placeholderId: string } | undefined;
    try {
      placeholder = this.inventory?.addPlaceholder({ hostId: request.hostId, name: vmName, jobId: record.id });
      return { job: this.enqueueCreate(request, record, vmName, values, placeholder), warnings };
    } catch (error) {
      // Nothing was queued (enqueue hands the job over last): no job will ever end and forget the
      // secrets, or remove the "Creating" row, so both happen here.
      this.forgetSecrets(record.id);
      if (placeholder) {
        try {
          this.inventory?.removePlaceholder(placeholder.placeholderId);
        } catch (cleanup) {
          this.ctx.log.warn('placeholder of a refused job not removed', { jobId: record.id, error: (cleanup as Error).message });
        }
      }
      throw error;
    }
  }

  private enqueueCreate(request: JobSubmitRequest, record: JobRecord, vmName: string, values: Record<string, JobFieldValue>, placeholder: { placeholderId: string } | undefined): JobRecord {
    const hostName = this.hostName(request.hostId);
    return this.enqueue(record, {
      spec: {
        hostId: request.hostId,
        lane: 'JOB',
        label: `create VM ${vmName}`,
        operation: 'vm.create',
        fields: agentCreateFields(this.compiled, request.imageOsFamily, values),
        timeoutMs: this.timeouts.create,
      },
      after: async ({ ok, record: done }) => {
        const vmId = ok && typeof done.result?.vmId === 'string' ? done.result.vmId : null;
        if (vmId) this.update(done.id, { vmId });
        // The real VM replaces the placeholder through a targeted refresh of its host.
        if (ok) await this.inventory?.refresh(request.hostId).catch(() => undefined);
        if (placeholder) this.inventory?.removePlaceholder(placeholder.placeholderId);
        if (!ok && done.state !== 'cancelled') await this.inventory?.refresh(request.hostId).catch(() => undefined);
        this.ctx.notifications.notify(
          ok
            ? { level: 'success', title: `VM ${vmName} created`, message: `${vmName} was created on ${hostName}.`, hostId: request.hostId, jobId: done.id }
            : {
                level: done.state === 'cancelled' ? 'info' : 'error',
                title: `Creating ${vmName} ${done.state === 'cancelled' ? 'was cancelled' : 'failed'}`,
                message: done.state === 'cancelled' ? `${hostName}: ${done.error?.message ?? ''}`.trim() : `${hostName}: ${done.error?.code ?? ''} ${done.error?.message ?? ''}`.trim(),
                hostId: request.hostId,
                jobId: done.id,
              },
        );
      },
    });
  }

  /**
   * Removes "Creating" rows no live job stands behind: a crash or quit during a create left them
   * in inventory.db, and jobs never resume after a restart (they are marked interrupted at open),
   * so nothing else would ever remove them. The host's next refresh shows the VM if it was made.
   */
  dropOrphanPlaceholders(): number {
    const inventory = this.inventory;
    if (!inventory) return 0;
    const live = (jobId: string | null) => {
      const record = jobId ? this.store.get(jobId) : undefined;
      return record?.state === 'queued' || record?.state === 'running';
    };
    const orphans = inventory.listPlaceholders().filter((p) => !live(p.jobId));
    for (const p of orphans) inventory.removePlaceholder(p.placeholderId);
    if (orphans.length) this.ctx.log.info('removed "Creating" rows of jobs that did not survive the last run', { count: orphans.length, names: orphans.map((p) => p.name) });
    return orphans.length;
  }

  cancel(id: string): JobRecord {
    const record = this.store.get(id);
    if (!record) throw new ContractError(ErrorCode.NotFound, `No job with id ${id}; it may have been deleted. Reload the jobs list.`);
    if (record.type === 'bulk') {
      const items = this.store.all().filter((r) => r.parentId === id && !this.isFinished(r));
      for (const item of items) this.queue.cancel(item.id);
      return this.store.get(id)!;
    }
    if (this.isFinished(record)) throw new ContractError(ErrorCode.Conflict, `Job ${id} already ${record.state}; there is nothing to cancel.`);
    if (this.queue.cancel(id) === 'aborted') this.system(id, 'Cancel requested: stopping the command on the host.', 'warn');
    return this.store.get(id)!;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.offScheduler();
    await this.queue.stop();
    this.store.close();
  }
}
