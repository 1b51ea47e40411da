import { KIND_FIELD, type JobField, type JobFieldError, type JobFieldValue } from '../../../shared/contract';
import type { CompiledJobSchema } from './compiled';
import { isMissing } from './coerce';

/**
 * The provisioning kind of a submission (blank, template, customised): the value of the schema's
 * KIND_FIELD, or its default when none was sent (what an older form meant). Undefined when the
 * schema has no such field or the value is not one of its choices: then no field is judged by kind
 * (the kind field itself carries the error).
 */
export function kindOf(compiled: CompiledJobSchema, raw: Record<string, unknown>): string | undefined {
  const field = compiled.fields.get(KIND_FIELD);
  if (!field || field.type !== 'string' || !field.choices) return undefined;
  const sent = Object.prototype.hasOwnProperty.call(raw, KIND_FIELD) ? raw[KIND_FIELD] : undefined;
  const value = isMissing(sent) ? field.default : typeof sent === 'string' ? sent.trim() : undefined;
  return field.choices.some((c) => c.value === value) ? value : undefined;
}

export function kindApplies(field: JobField, kind: string | undefined): boolean {
  return kind === undefined || !field.kinds || field.kinds.includes(kind);
}

/** The kind as the form names it ("Blank VM"), for messages. */
export function kindLabel(compiled: CompiledJobSchema, kind: string): string {
  const field = compiled.fields.get(KIND_FIELD);
  const choice = field?.type === 'string' ? field.choices?.find((c) => c.value === kind) : undefined;
  return choice ? `"${choice.label}"` : kind;
}

/**
 * A blank VM boots from an ISO on the host (its path is then required) or from the network. Network
 * boot is offered for generation 2 only: its network adapter can be the first UEFI boot device,
 * while generation 1 would need a legacy network adapter, which the agent does not add.
 */
export function checkBootSource(compiled: CompiledJobSchema, values: Record<string, JobFieldValue>): JobFieldError[] {
  if (!compiled.fields.has('bootSource') || values[KIND_FIELD] !== 'blank') return [];
  const errors: JobFieldError[] = [];
  if (values.bootSource === 'iso' && values.isoPath === undefined) {
    errors.push({ field: 'isoPath', rule: 'required', message: 'is required to boot from an ISO image (or choose network boot)' });
  }
  if (values.bootSource === 'network') {
    if (values.isoPath !== undefined) errors.push({ field: 'isoPath', rule: 'applicability', message: 'applies only to booting from an ISO image; clear it or choose the ISO boot source' });
    if (values.generation === 1) errors.push({ field: 'bootSource', rule: 'bootSource', message: 'network boot needs a generation 2 VM (generation 1 would need a legacy network adapter); choose generation 2 or boot from an ISO' });
  }
  return errors;
}
