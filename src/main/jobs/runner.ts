import type { AgentVmOperation, JobErrorBody, JobLine } from '../../shared/contract';
import { AgentNotDeployed, AgentOperationFailed, type AgentLogEntry } from '../agent';
import type { RemoteHosts } from '../hosts/remote-hosts';
import type { SecretMasker } from './redact';

export interface AgentJobSpec {
  jobId: string;
  hostId: string;
  lane: 'JOB' | 'CONTROL';
  label: string;
  operation: 'vm.create' | AgentVmOperation;
  fields: Record<string, unknown>;
  timeoutMs: number;
}

export type LineSink = (line: Pick<JobLine, 'stream' | 'level' | 'text' | 'step'>) => void;

/** How a job ended, from the error an agent call threw. */
export type JobFailure = { state: 'failed' | 'cancelled'; error: JobErrorBody };

const LEVELS: Record<string, JobLine['level']> = { debug: 'debug', info: 'info', warn: 'warn', warning: 'warn', error: 'error' };

/**
 * Runs one agent operation for a job (lane, timeout and cancellation through the scheduler;
 * envelope with correlation id = job id on stdin) and turns every log entry, plain stdout line
 * and decoded PowerShell error into a masked job line as it arrives.
 */
export async function runAgentJob(remote: RemoteHosts, spec: AgentJobSpec, signal: AbortSignal, masker: SecretMasker, sink: LineSink): Promise<Record<string, unknown>> {
  const data = await remote.agent(spec.hostId, {
    lane: spec.lane,
    label: spec.label,
    operation: spec.operation,
    fields: spec.fields,
    correlationId: spec.jobId,
    timeoutMs: spec.timeoutMs,
    signal,
    onLog: (entry: AgentLogEntry) => sink({ stream: 'log', level: LEVELS[entry.level] ?? 'info', text: masker.mask(String(entry.message ?? '')), step: entry.step ?? null }),
    onOutput: (line) => sink({ stream: 'stdout', level: /^WARNING:/i.test(line) ? 'warn' : 'info', text: masker.mask(line), step: null }),
    onError: (message) => {
      for (const text of message.split(/\r?\n/).filter((l) => l.trim())) sink({ stream: 'stderr', level: 'error', text: masker.mask(text), step: null });
    },
  });
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : { value: data ?? null };
}

/** Maps what an agent call threw to the job's end state and a stable error code. */
export function jobFailure(error: unknown, masker: SecretMasker, hostName: string): JobFailure {
  const e = error as { code?: unknown; message?: unknown; name?: string };
  const message = masker.mask(typeof e?.message === 'string' ? e.message : String(error));
  const code = typeof e?.code === 'string' ? e.code : 'INTERNAL';
  if (code === 'TASK_CANCELLED') return { state: 'cancelled', error: { code: 'CANCELLED', message: `The command on ${hostName} was stopped.` } };
  if (code === 'TASK_TIMEOUT') return { state: 'failed', error: { code: 'TIMEOUT', message } };
  if (error instanceof AgentOperationFailed) return { state: 'failed', error: { code: error.code, message } };
  if (error instanceof AgentNotDeployed) return { state: 'failed', error: { code: 'AGENT_NOT_DEPLOYED', message } };
  if (code === 'SCHEDULER_CLOSED') return { state: 'failed', error: { code: 'INTERRUPTED', message: 'The app stopped before the job finished.' } };
  return { state: 'failed', error: { code: /^[A-Z_]+$/.test(code) ? code : 'INTERNAL', message } };
}
