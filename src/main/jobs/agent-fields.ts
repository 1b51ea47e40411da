import type { JobFieldValue, OsFamily } from '../../shared/contract';
import type { CompiledJobSchema } from './validation/compiled';

/**
 * The agent's vm.create fields from cleaned form values, by each field's schema `target`: a
 * top-level agent field, or a guest KVP key (KVP values are text). The OS family is the image's,
 * decided by the app (docs/agent.md), never guessed from a name.
 */
export function agentCreateFields(compiled: CompiledJobSchema, osFamily: OsFamily, values: Record<string, JobFieldValue>): Record<string, unknown> {
  const fields: Record<string, unknown> = { osFamily };
  const guest: Record<string, string> = {};
  for (const [id, value] of Object.entries(values)) {
    const field = compiled.fields.get(id);
    if (!field) continue;
    if ('field' in field.target) fields[field.target.field] = value;
    else guest[field.target.guest] = String(value);
  }
  if (Object.keys(guest).length) fields.guest = guest;
  return fields;
}

/** Values of the schema's `secret` fields (to register with the log and line maskers). */
export function secretValues(compiled: CompiledJobSchema, values: Record<string, JobFieldValue>): string[] {
  return Object.entries(values)
    .filter(([id, v]) => compiled.fields.get(id)?.type === 'secret' && typeof v === 'string' && v !== '')
    .map(([, v]) => String(v));
}
