import type { ValidateFunction } from 'ajv';
import type { JobField, JobInputSchema, ParameterSet } from '../../../shared/contract';
import { setMembers } from '../schema/semantic-checks';
import { compileValueChecks } from './value-checks';

/** A loaded schema with its lookups and its ajv value checks, built once at start. */
export interface CompiledJobSchema {
  schema: JobInputSchema;
  version: number;
  fields: Map<string, JobField>;
  /** field id → the parameter set it belongs to */
  setOf: Map<string, ParameterSet>;
  valueChecks: ValidateFunction;
}

export function compileJobSchema(schema: JobInputSchema): CompiledJobSchema {
  const setOf = new Map<string, ParameterSet>();
  for (const set of schema.parameterSets) for (const id of setMembers(set)) setOf.set(id, set);
  return {
    schema,
    version: schema.version,
    fields: new Map(schema.fields.map((f) => [f.id, f])),
    setOf,
    valueChecks: compileValueChecks(schema),
  };
}
