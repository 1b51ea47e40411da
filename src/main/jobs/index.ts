// Jobs: schema-driven provisioning — the create-VM input schema, its validation and the
// submission safeguards. (Queue, execution, live output and VM actions arrive later in issue 6.)
import type { JobValidateResponse, OsFamily } from '../../shared/contract';
import type { DeploymentApi } from '../deployment/api';
import type { ServiceContext, ServiceModule, StartedService } from '../service-module';
import { JobSchemaInvalid, SchemaOutOfDate } from './errors';
import { checkSubmissionSafeguards, SubmissionRefused, type SubmissionView } from './safeguards';
import { defaultSchemaPath, loadJobSchema } from './schema/load';
import { compileJobSchema, type CompiledJobSchema } from './validation/compiled';
import { maskSecrets, validateJobInput } from './validation/validate';

export { checkSubmissionSafeguards, SubmissionRefused, type SubmissionView } from './safeguards';
export { JobSchemaInvalid, JobValidationFailed, SchemaOutOfDate } from './errors';
export { assertJobInput, validateJobInput } from './validation/validate';
export { compileJobSchema, type CompiledJobSchema } from './validation/compiled';
export { loadJobSchema, checkSchemaDocument, defaultSchemaPath } from './schema/load';

const NOT_BUILT = 'not built yet: job queue, execution, live output, persistence, VM actions';

/** What later parts of the jobs service (the queue) use: the one compiled schema and its checks. */
export interface JobsApi {
  compiled: CompiledJobSchema;
  /** Refuses a stale form version with SchemaOutOfDate. */
  checkVersion(formVersion: number): void;
}

/** The part of the world the safeguards can see before inventory and the queue exist. */
function contextView(ctx: ServiceContext): SubmissionView {
  const deployment = ctx.started.get('deployment')?.api as DeploymentApi | undefined;
  return {
    host: (id) => ctx.hosts.list().find((h) => h.id === id),
    agentReadiness: (id) => (deployment && typeof deployment.readiness === 'function' ? deployment.readiness(id) : undefined),
    vmNamesOnHost: () => undefined,
    hostMemoryAvailableGb: () => undefined,
    pendingVmNames: () => [],
  };
}

export function createJobsModule(options: { schemaPath?: string } = {}): ServiceModule {
  return {
    name: 'jobs',
    async start(ctx): Promise<StartedService> {
      const file = options.schemaPath ?? defaultSchemaPath();
      let compiled: CompiledJobSchema;
      try {
        compiled = compileJobSchema(loadJobSchema(file));
      } catch (error) {
        // A broken bundled schema must not crash the app: diagnostic mode names the file and the problem.
        const problems = error instanceof JobSchemaInvalid ? error.problems.map((p) => `Job input schema ${file}: ${p}`) : [`Job input schema ${file}: ${(error as Error).message}`];
        ctx.log.error('job input schema rejected', { file, problems });
        const detail = `schema rejected (${problems.length} problem${problems.length === 1 ? '' : 's'}); create-VM is unavailable`;
        return { name: 'jobs', problems, status: () => ({ name: 'jobs', state: 'failed', detail }), stop: async () => undefined };
      }
      const { schema } = compiled;
      ctx.log.info('job input schema loaded', { file, id: schema.id, version: schema.version, fields: schema.fields.length });

      const checkVersion = (formVersion: number) => {
        if (formVersion !== compiled.version) throw new SchemaOutOfDate(formVersion, compiled.version);
      };
      let validations = 0;
      let refusals = 0;

      const validate = (request: { schemaVersion: number; hostId?: string; imageOsFamily: OsFamily; fields: Record<string, unknown> }): JobValidateResponse => {
        checkVersion(request.schemaVersion);
        validations++;
        const result = validateJobInput(compiled, { imageOsFamily: request.imageOsFamily, fields: request.fields });
        const warnings: string[] = [];
        if (request.hostId) {
          // Until the queue exists a check cannot submit; it still says what a submission would meet.
          try {
            const memory = result.ok && typeof result.values.memoryGB === 'number' ? result.values.memoryGB : 0;
            const vmName = result.ok && typeof result.values.vmName === 'string' ? result.values.vmName : '';
            warnings.push(...checkSubmissionSafeguards({ hostId: request.hostId, vmName, memoryGB: memory }, contextView(ctx)).warnings);
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

      const api: JobsApi = { compiled, checkVersion };
      return {
        name: 'jobs',
        api,
        status: () => ({
          name: 'jobs',
          state: 'running',
          detail: `schema ${schema.id} v${schema.version} (${schema.fields.length} fields, ${schema.parameterSets.length} parameter sets) and validation are running; ${NOT_BUILT}`,
        }),
        handlers: {
          'jobs.schema': () => schema,
          'jobs.validate': (request) => validate(request),
        },
        metrics: () => [{ name: 'jobs', rows: [{ schema: `${schema.id} v${schema.version}`, validations, refused: refusals }] }],
        stop: async () => undefined,
      };
    },
  };
}

export const jobsModule = createJobsModule();
