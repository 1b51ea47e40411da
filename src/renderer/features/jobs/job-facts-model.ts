/**
 * A job's parameters and result in words for people: each parameter under its schema label
 * ("Prefix length", not `ipv4PrefixLength`), values spelled out, and what a delete did to the VM's
 * disk files (from the agent's result: disksDeleted, disksKept).
 */
import type { JobFieldValue, JobInputSchema, JobRecord } from '../../../shared/contract';
import { actionVerb } from '../../../shared/job-words';
import { VM_OPERATION_PARAM_LABELS } from '../vm-ops/param-labels';

/** Parameters the backend adds beside the schema's fields (src/main/jobs). */
const FIXED_LABELS: Record<string, string> = {
  action: 'Action',
  previousState: 'State before',
  deleteDisks: 'Delete disk files',
  force: 'Turn off first',
  imageOsFamily: 'Image OS family',
  targets: 'VMs',
  skipped: 'Skipped',
  // Edits, checkpoints and moves (vm.operate).
  ...VM_OPERATION_PARAM_LABELS,
};

const FAMILY: Record<string, string> = { windows: 'Windows', linux: 'Linux' };

export interface ParameterRow {
  key: string;
  label: string;
  value: string;
}

/** Rows in schema order (then the others), each with its label; an unknown key keeps its name. */
export function parameterRows(parameters: Record<string, JobFieldValue>, schema: Pick<JobInputSchema, 'fields'> | undefined, hostName: (id: string) => string | undefined = () => undefined): ParameterRow[] {
  const order = new Map((schema?.fields ?? []).map((f, i) => [f.id, i]));
  const labels = new Map((schema?.fields ?? []).map((f) => [f.id, f.label]));
  // A closed-list field shows its choice's label ("Blank VM"), not the stored value ("blank").
  const choiceLabels = new Map<string, Map<string, string>>();
  for (const field of schema?.fields ?? []) {
    if (field.type === 'string' && field.choices) choiceLabels.set(field.id, new Map(field.choices.map((c) => [c.value, c.label])));
  }
  return Object.entries(parameters)
    .sort(([a], [b]) => (order.get(a) ?? Number.MAX_SAFE_INTEGER) - (order.get(b) ?? Number.MAX_SAFE_INTEGER))
    .map(([key, value]) => ({
      key,
      label: labels.get(key) ?? FIXED_LABELS[key] ?? key,
      // A move's target is a configured host's id: shown by its name.
      value: (typeof value === 'string' ? (choiceLabels.get(key)?.get(value) ?? (key === 'targetHostId' ? hostName(value) : undefined)) : undefined) ?? parameterText(key, value),
    }));
}

function parameterText(key: string, value: JobFieldValue): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (key === 'action' && typeof value === 'string') return actionVerb(value);
  if (key === 'imageOsFamily' && typeof value === 'string') return FAMILY[value] ?? value;
  return String(value);
}

export interface DiskOutcome {
  deleted: string[];
  kept: Array<{ path: string; reason: string }>;
}

/** Reasons as the agent words them (agent/Remove-AetherVm.ps1), said for a person. */
function keptReason(reason: string): string {
  if (reason === 'deleteDisks was false') return 'not asked to delete disk files';
  return reason;
}

/** What a finished delete did to the disk files, or undefined when the result does not say. */
export function diskOutcome(job: Pick<JobRecord, 'type' | 'result'>): DiskOutcome | undefined {
  if (job.type !== 'vm.delete' || !job.result) return undefined;
  const { disksDeleted, disksKept } = job.result;
  if (!Array.isArray(disksDeleted) && !Array.isArray(disksKept)) return undefined;
  const deleted = (Array.isArray(disksDeleted) ? disksDeleted : []).filter((p): p is string => typeof p === 'string');
  const kept = (Array.isArray(disksKept) ? disksKept : []).flatMap((k: unknown) => {
    if (typeof k !== 'object' || k === null) return [];
    const { path, reason } = k as { path?: unknown; reason?: unknown };
    return typeof path === 'string' ? [{ path, reason: keptReason(typeof reason === 'string' ? reason : '') }] : [];
  });
  return { deleted, kept };
}
