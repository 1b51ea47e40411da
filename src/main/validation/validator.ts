import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { TSchema } from '@sinclair/typebox';
import { validationError, type FieldError } from '../../shared/contract';

export const VALIDATOR_OPTIONS = { allErrors: true, strict: true, verbose: true, useDefaults: false, coerceTypes: false } as const;

/**
 * One ajv instance for every boundary. `hint` is our schema keyword: the words we show a person
 * when a field is wrong ("a TCP port, 1–65535"), so every error names the field and what to do.
 * `validateMetaSchema: true` gives an instance that also checks each schema against the JSON
 * Schema meta-schema (tests).
 */
export function createAjv(options: { validateMetaSchema?: boolean } = {}): Ajv {
  const ajv = new Ajv({ ...VALIDATOR_OPTIONS, validateSchema: options.validateMetaSchema ?? false });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'hint', schemaType: 'string' });
  return ajv;
}

// Every schema compiled here is our own (the contract's TypeBox schemas), so the app does not check
// each against the meta-schema at run time: compiling the meta-schema was most of the settings load
// at start. test/foundation/schemas.test.ts checks every one of them instead.

const ajv = createAjv();
const cache = new WeakMap<TSchema, ValidateFunction>();

export function compile(schema: TSchema): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  return fn;
}

/**
 * A property name as a person reads it in an error: names are request input too, so an empty one
 * is shown as "" (not as nothing), control characters are replaced, and a long one is cut short.
 */
function propertyName(name: string): string {
  if (name === '') return '""';
  const clean = name.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 64 ? `${clean.slice(0, 61)}...` : clean;
}

function fieldPath(error: ErrorObject): string {
  // instancePath is a JSON pointer: "/a/b", with "~1" for "/" and "~0" for "~" inside a name.
  const base = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => propertyName(part.replace(/~1/g, '/').replace(/~0/g, '~')))
    .join('.');
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return base ? `${base}.${missing}` : missing;
  }
  if (error.keyword === 'additionalProperties') {
    const extra = propertyName((error.params as { additionalProperty: string }).additionalProperty);
    return base ? `${base}.${extra}` : extra;
  }
  return base || '(request)';
}

function messageFor(error: ErrorObject): string {
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'additionalProperties') return 'is not a known field; remove it';
  const hint = (error.parentSchema as { hint?: string } | undefined)?.hint;
  if (hint) return `must be ${hint}`;
  return error.message ?? 'is invalid';
}

/**
 * ajv reports every branch of a union; keep the most useful error per field: a hint-bearing
 * message beats a generic "must match a schema in anyOf".
 */
export function toFieldErrors(errors: ErrorObject[] | null | undefined): FieldError[] {
  const byField = new Map<string, FieldError & { score: number }>();
  for (const error of errors ?? []) {
    const field = fieldPath(error);
    const hint = (error.parentSchema as { hint?: string } | undefined)?.hint;
    const score = error.keyword === 'anyOf' ? (hint ? 2 : 0) : hint ? 3 : 1;
    const current = byField.get(field);
    if (!current || score > current.score) byField.set(field, { field, message: messageFor(error), score });
  }
  return [...byField.values()].map(({ field, message }) => ({ field, message }));
}

/** Validates `value` and returns it typed, or throws a VALIDATION_FAILED ContractError naming each field. */
export function assertValid<T>(schema: TSchema, value: unknown): T {
  const validate = compile(schema);
  if (!validate(value)) throw validationError(toFieldErrors(validate.errors));
  return value as T;
}
