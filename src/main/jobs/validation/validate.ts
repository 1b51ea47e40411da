import type { JobFieldError, JobFieldValue, OsFamily } from '../../../shared/contract';
import { SECRET_MASK } from '../../../shared/contract';
import { JobValidationFailed } from '../errors';
import { coerce, isMissing } from './coerce';
import type { CompiledJobSchema } from './compiled';
import { checkParameterSet } from './parameter-sets';
import { describeValueError, farTooLong, tooLongError } from './value-checks';
import { checkStaticIpv4, checkSwitchName, type HostNetworks } from '../../../shared/network-rules';
import { checkBootSource, kindApplies, kindLabel, kindOf } from './kinds';

export interface JobInput {
  imageOsFamily: OsFamily;
  fields: Record<string, unknown>;
  /** The target host's switches as its inventory reported them; absent when no host is chosen. */
  hostNetworks?: HostNetworks;
}

export type JobValidation = { ok: true; values: Record<string, JobFieldValue> } | { ok: false; errors: JobFieldError[] };

const FAMILY_LABEL: Record<OsFamily, string> = { windows: 'Windows', linux: 'Linux' };

/** Key names are user input too: keep them short and printable in messages. */
function printableKey(key: string): string {
  if (key === '') return '""'; // an empty key still needs a name a person can see
  const clean = key.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 64 ? `${clean.slice(0, 61)}...` : clean;
}

/**
 * The submission algorithm (contracts §2.4, with our fixes): unknown keys refused; absent values
 * take their default; present values coerced, then checked by the schema's compiled ajv rules;
 * a value for a field that does not apply to the image's OS family, or to the provisioning kind
 * chosen (blank, template, customised), is refused (never silently dropped); then the parameter sets; then the network rules (subnet, gateway, the host's
 * switches). Every error is collected, so the form shows all at once.
 * No message ever contains a value typed into a field (network messages name the subnet and the
 * host's switches, never a secret).
 */
export function validateJobInput(compiled: CompiledJobSchema, input: JobInput): JobValidation {
  const errors: JobFieldError[] = [];
  const values: Record<string, JobFieldValue> = {};
  const raw = input.fields !== null && typeof input.fields === 'object' && !Array.isArray(input.fields) ? input.fields : {};

  for (const key of Object.keys(raw)) {
    if (!compiled.fields.has(key)) {
      errors.push({ field: printableKey(key), rule: 'unknown', message: `is not a field of the create-VM schema v${compiled.version}; remove it` });
    }
  }

  // The provisioning kind decides which fields apply; an unreadable kind is the kind field's own
  // error below, and then no field is refused for its kind (one clear error, not twenty).
  const kind = kindOf(compiled, raw);
  for (const field of compiled.schema.fields) {
    const applies = !field.appliesTo || field.appliesTo.includes(input.imageOsFamily);
    const forKind = kindApplies(field, kind);
    const value = Object.prototype.hasOwnProperty.call(raw, field.id) ? raw[field.id] : undefined;
    if (isMissing(value)) {
      if (!applies || !forKind) continue;
      const fallback = (field as { default?: JobFieldValue }).default;
      if (fallback !== undefined) values[field.id] = fallback;
      else if (field.required) errors.push({ field: field.id, rule: 'required', message: 'is required' });
      continue;
    }
    if (!applies) {
      const only = field.appliesTo!.map((f) => FAMILY_LABEL[f]).join(' or ');
      errors.push({
        field: field.id,
        rule: 'applicability',
        message: `applies only to ${only} images, and this image is ${FAMILY_LABEL[input.imageOsFamily]}; clear it or choose a ${only} image`,
      });
      continue;
    }
    if (!forKind) {
      errors.push({
        field: field.id,
        rule: 'applicability',
        message: `applies only to ${field.kinds!.map((k) => kindLabel(compiled, k)).join(' or ')}, and this is ${kindLabel(compiled, kind!)}; clear it or choose another kind of VM`,
      });
      continue;
    }
    const coerced = coerce(field, value);
    if (!coerced.ok) errors.push({ field: field.id, rule: coerced.rule, message: coerced.message });
    else if (farTooLong(field, coerced.value)) errors.push({ field: field.id, ...tooLongError(field) });
    else values[field.id] = coerced.value;
  }

  if (!compiled.valueChecks(values)) {
    const seen = new Set<string>();
    for (const error of compiled.valueChecks.errors ?? []) {
      const id = error.instancePath.replace(/^\//, '');
      const field = compiled.fields.get(id);
      if (!field || seen.has(id)) continue; // one error per field: the first rule it broke
      seen.add(id);
      errors.push({ field: id, ...describeValueError(field, error) });
      delete values[id];
    }
  }

  // Sets judge presence, so a value that failed its own checks still counts as given.
  const present = new Set(Object.keys(values));
  for (const e of errors) if (e.rule !== 'required' && e.rule !== 'unknown' && e.rule !== 'applicability') present.add(e.field);
  for (const set of compiled.schema.parameterSets) {
    for (const error of checkParameterSet(set, present, compiled.fields)) {
      if (!errors.some((e) => e.field === error.field)) errors.push(error);
    }
  }

  // Values that are each valid but cannot work together or on this host (one rule: shared/network-rules).
  for (const error of [...checkStaticIpv4(values), ...checkSwitchName(values, input.hostNetworks), ...checkBootSource(compiled, values)]) {
    if (!errors.some((e) => e.field === error.field)) errors.push(error);
  }

  return errors.length ? { ok: false, errors } : { ok: true, values };
}

/** As validateJobInput, but throws JobValidationFailed: the form a submission uses. */
export function assertJobInput(compiled: CompiledJobSchema, input: JobInput): Record<string, JobFieldValue> {
  const result = validateJobInput(compiled, input);
  if (!result.ok) throw new JobValidationFailed(result.errors);
  return result.values;
}

/** Cleaned values safe to send back or show: secret values replaced by a mask. */
export function maskSecrets(compiled: CompiledJobSchema, values: Record<string, JobFieldValue>): Record<string, JobFieldValue> {
  return Object.fromEntries(Object.entries(values).map(([id, v]) => [id, compiled.fields.get(id)?.type === 'secret' ? SECRET_MASK : v]));
}
