// Jobs: schema-driven create-VM jobs, VM actions (single and bulk), VM edits, checkpoints and moves,
// the queue and its execution on the hosts, live masked output, persistence in jobs.db, and export (docs/jobs.md).
import { ContractError, ErrorCode, type JobValidateResponse, type OsFamily } from '../../shared/contract';
import type { ServiceModule, StartedService } from '../service-module';
import { JobSchemaInvalid, SchemaOutOfDate } from './errors';
import { checkSubmissionSafeguards, SubmissionRefused } from './safeguards';
import path from 'node:path';
import { defaultSchemaPath, fileSchemaCheckMemo, loadJobSchema } from './schema/load';
import { compileJobSchema, type CompiledJobSchema } from './validation/compiled';
import { maskSecrets, validateJobInput } from './validation/validate';
import { hostNetworksOf } from './validation/host-networks';
import { exportJobs } from './export';
import { JobsCore, type JobsServiceOptions } from './service';
import { VmActions } from './vm-actions';
import { VmOperations } from './vm-operations';
import { counted } from '../../shared/counted';

export { checkSubmissionSafeguards, estimateFreeMemoryGb, SubmissionRefused, type SubmissionView } from './safeguards';
export { JobSchemaInvalid, JobValidationFailed, SchemaOutOfDate } from './errors';
export { assertJobInput, validateJobInput } from './validation/validate';
export { compileJobSchema, type CompiledJobSchema } from './validation/compiled';
export { loadJobSchema, checkSchemaDocument, defaultSchemaPath, fileSchemaCheckMemo, type SchemaCheckMemo } from './schema/load';
export { JobsCore, DEFAULT_TIMEOUTS, type JobsServiceOptions, type JobTimeouts } from './service';
export { writeZip, crc32 } from './zip';
export { jobLogText } from './export';

/** What later parts of the jobs service (the queue) use: the one compiled schema and its checks. */
export interface JobsApi {
  compiled: CompiledJobSchema;
  /** Refuses a stale form version with SchemaOutOfDate. */
  checkVersion(formVersion: number): void;
  /** The running queue and store (tests, bench). */
  core: JobsCore;
}

export function createJobsModule(options: { schemaPath?: string } & JobsServiceOptions = {}): ServiceModule {
  return {
    name: 'jobs',
    async start(ctx): Promise<StartedService> {
      const file = options.schemaPath ?? defaultSchemaPath();
      let compiled: CompiledJobSchema;
      try {
        compiled = compileJobSchema(loadJobSchema(file, fileSchemaCheckMemo(path.join(ctx.dataDir, 'job-schema-checked.json'))));
      } catch (error) {
        // A broken bundled schema must not crash the app: diagnostic mode names the file and the problem.
        const problems = error instanceof JobSchemaInvalid ? error.problems.map((p) => `Job input schema ${file}: ${p}`) : [`Job input schema ${file}: ${(error as Error).message}`];
        ctx.log.error('job input schema rejected', { file, problems });
        const detail = `schema rejected (${counted(problems.length, 'problem')}); create-VM is unavailable`;
        return { name: 'jobs', problems, status: () => ({ name: 'jobs', state: 'failed', detail }), stop: async () => undefined };
      }
      const { schema } = compiled;
      ctx.log.info('job input schema loaded', { file, id: schema.id, version: schema.version, fields: schema.fields.length });

      const checkVersion = (formVersion: number) => {
        if (formVersion !== compiled.version) throw new SchemaOutOfDate(formVersion, compiled.version);
      };
      const core = new JobsCore(ctx, compiled, options);
      if (core.store.recovered) {
        ctx.log.warn('jobs database was damaged and moved aside', { ...core.store.recovered });
        // Said in the bell like the inventory file: otherwise the job history is silently empty.
        ctx.notifications.notify({
          level: 'warning',
          title: 'Job history database rebuilt',
          message: `The local jobs database could not be read (${core.store.recovered.reason}). It was kept as ${core.store.recovered.movedTo}; earlier jobs are not listed, and new jobs are recorded in a fresh file.`,
        });
      }
      if (core.store.interruptedAtOpen.length) {
        ctx.log.warn('jobs interrupted by the previous shutdown', { jobs: core.store.interruptedAtOpen.length });
        ctx.notifications.notify({
          level: 'warning',
          key: 'jobs-interrupted',
          title: `${core.store.interruptedAtOpen.length} job(s) interrupted`,
          message: 'The app stopped while these jobs ran; their output is kept. Check the VMs, then run the jobs again if needed.',
        });
      }
      ctx.hub.publishSnapshot('jobs');
      core.dropOrphanPlaceholders();
      const pendingDeadlineMs = options.pendingDeadlineMs ?? 3 * 60_000;
      const operations = new VmOperations(core, pendingDeadlineMs);
      const orphanOps = operations.dropOrphanPending();
      if (orphanOps) ctx.log.info('cleared pending edits whose jobs did not survive the last run', { count: orphanOps });
      const actions = new VmActions(core, pendingDeadlineMs, operations);
      let validations = 0;
      let refusals = 0;

      const validate = (request: { schemaVersion: number; hostId?: string; imageOsFamily: OsFamily; fields: Record<string, unknown> }): JobValidateResponse => {
        checkVersion(request.schemaVersion);
        validations++;
        const result = validateJobInput(compiled, {
          imageOsFamily: request.imageOsFamily,
          fields: request.fields,
          ...(request.hostId ? { hostNetworks: hostNetworksOf(core.inventory, request.hostId, core.hostName(request.hostId)) } : {}),
        });
        const warnings: string[] = [];
        if (request.hostId) {
          // A check never submits; it still says what a submission would meet.
          try {
            const memory = result.ok && typeof result.values.memoryGB === 'number' ? result.values.memoryGB : 0;
            const vmName = result.ok && typeof result.values.vmName === 'string' ? result.values.vmName : '';
            warnings.push(...checkSubmissionSafeguards({ hostId: request.hostId, vmName, memoryGB: memory }, core.view()).warnings);
          } catch (error) {
            if (!(error instanceof SubmissionRefused)) throw error;
            warnings.push(`A submission would be refused now: ${error.message}`);
          }
        }
        if (!result.ok) {
          refusals++;
          return { valid: false, schemaVersion: compiled.version, errors: result.errors, warnings };
        }
        return { valid: true, schemaVersion: compiled.version, values: maskSecrets(compiled, result.values), warnings };
      };

      const api: JobsApi = { compiled, checkVersion, core };
      return {
        name: 'jobs',
        api,
        status: () => ({
          name: 'jobs',
          state: 'running',
          detail: `schema ${schema.id} v${schema.version}; ${core.queue.counts().running} job(s) running, ${core.queue.counts().waiting} waiting; ${core.store.all().length} in history`,
        }),
        handlers: {
          'jobs.schema': () => schema,
          'jobs.validate': (request) => validate(request),
          'jobs.submit': (request) => core.submitCreate(request),
          'vm.action': (request) => actions.action(request),
          'vm.delete': (request) => actions.delete(request),
          'vm.operate': (request) => operations.operate(request),
          'jobs.list': ({ filter, sort, limit }) => core.store.list(filter, sort, limit),
          'jobs.get': ({ id, fromLine, maxLines }) => {
            const job = core.store.get(id);
            if (!job) throw new ContractError(ErrorCode.NotFound, `No job with id ${id}; reload the jobs list.`);
            const lines = core.store.lines(id, fromLine ?? 0, maxLines);
            return { job: { ...core.store.get(id)! }, lines, nextLine: lines.length ? lines[lines.length - 1]!.seq + 1 : (fromLine ?? 0) };
          },
          'jobs.cancel': ({ id }) => core.cancel(id),
          'vm.bulkPreview': (request) => actions.preview(request),
          'vm.bulkRun': (request) => actions.run(request),
          'jobs.retryFailed': ({ id }) => actions.retryFailed(id),
          'jobs.export': (request) => exportJobs(core.store, request),
        },
        metrics: () => [{ name: 'jobs', rows: [{ schema: `${schema.id} v${schema.version}`, validations, refused: refusals, ...core.queue.counts(), history: core.store.all().length }] }],
        stop: async () => {
          actions.stop();
          operations.stop();
          await core.stop();
        },
      };
    },
  };
}

export const jobsModule = createJobsModule();
