import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { JobField, JobInputSchema } from '../../../shared/contract';

/**
 * The per-value rules of a schema (lengths, patterns, ranges, IPv4 and host name formats) as one
 * JSON schema, compiled by ajv once when the job schema loads. Values reach it already coerced.
 */
// validateSchema off: these schemas are built by valueSchema() below from a job schema that has
// already passed the structural check; compiling ajv's meta-schema to re-check them cost the
// start ~30 ms. A bad pattern still fails to compile (and semantic-checks names it first).
const ajv = new Ajv({ allErrors: true, strict: true, unicodeRegExp: true, validateSchema: false });
addFormats(ajv, ['ipv4']);
// RFC 1123 host/domain name without a trailing dot: labels 1–63, alphanumeric at both ends, ≤ 253.
ajv.addFormat('dns-name', /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/);

type JsonSchema = Record<string, unknown>;

function valueSchema(field: JobField): JsonSchema {
  switch (field.type) {
    case 'string':
    case 'secret':
    case 'multiline':
      return {
        type: 'string',
        ...(field.minLength !== undefined ? { minLength: field.minLength } : {}),
        ...(field.maxLength !== undefined ? { maxLength: field.maxLength } : {}),
        ...(field.pattern !== undefined ? { pattern: field.pattern } : {}),
        ...('choices' in field && field.choices ? { enum: field.choices.map((c) => c.value) } : {}),
      };
    case 'integer':
      return { type: 'integer', ...(field.minimum !== undefined ? { minimum: field.minimum } : {}), ...(field.maximum !== undefined ? { maximum: field.maximum } : {}) };
    case 'boolean':
      return { type: 'boolean' };
    case 'ipv4':
      return { type: 'string', format: 'ipv4' };
    case 'hostname':
      return { type: 'string', format: 'dns-name', ...(field.maxLength !== undefined ? { maxLength: field.maxLength } : {}) };
  }
}

export function compileValueChecks(schema: JobInputSchema): ValidateFunction {
  return ajv.compile({
    type: 'object',
    properties: Object.fromEntries(schema.fields.map((f) => [f.id, valueSchema(f)])),
    additionalProperties: false,
  });
}

/** Throws if a pattern is not a valid regular expression (the schema check reports it). */
export function compilePattern(pattern: string): RegExp {
  return new RegExp(pattern, 'u');
}

/**
 * Text more than twice its field's maxLength breaks the limit however characters are counted (ajv
 * counts code points, at least half the UTF-16 length). It is refused before the value checks, so
 * neither the length count nor a pattern ever scans more than twice the limit: a megabyte pasted
 * into a 63-character field costs nothing, and no pattern meets text longer than its field allows.
 */
export function farTooLong(field: JobField, value: unknown): boolean {
  const max = (field as { maxLength?: number }).maxLength;
  return typeof value === 'string' && max !== undefined && value.length > 2 * max;
}

export function tooLongError(field: JobField): { rule: string; message: string } {
  return describeValueError(field, { keyword: 'maxLength' } as ErrorObject);
}

const IPV4_MESSAGE = 'must be an IPv4 address such as 192.0.2.10 (four numbers 0–255, no leading zeros)';
const HOSTNAME_MESSAGE = 'must be a DNS name such as corp.example.com (letters, digits and inner hyphens; labels of 1–63 characters)';

/** A message for a person; never contains the value (it may be a secret). */
export function describeValueError(field: JobField, error: ErrorObject): { rule: string; message: string } {
  const bounds = field as { minimum?: number; maximum?: number; minLength?: number; maxLength?: number; patternHint?: string };
  switch (error.keyword) {
    case 'minLength':
      return { rule: 'minLength', message: `must be at least ${bounds.minLength} character${bounds.minLength === 1 ? '' : 's'}` };
    case 'maxLength':
      return { rule: 'maxLength', message: `must be at most ${bounds.maxLength} characters` };
    case 'minimum':
    case 'maximum': {
      const range =
        bounds.minimum !== undefined && bounds.maximum !== undefined
          ? `between ${bounds.minimum} and ${bounds.maximum}`
          : bounds.minimum !== undefined
            ? `at least ${bounds.minimum}`
            : `at most ${bounds.maximum}`;
      return { rule: error.keyword, message: `must be ${range}` };
    }
    case 'pattern':
      if (bounds.patternHint) return { rule: 'pattern', message: `must be ${bounds.patternHint}` };
      return { rule: 'pattern', message: `has an invalid format${field.hint && field.type !== 'secret' ? ` (example: ${field.hint})` : ''}` };
    case 'enum': {
      const choices = 'choices' in field && field.choices ? field.choices.map((c) => c.value) : [];
      return { rule: 'choice', message: `must be one of ${choices.join(', ')}` };
    }
    case 'format':
      return field.type === 'ipv4' ? { rule: 'ipv4', message: IPV4_MESSAGE } : { rule: 'hostname', message: HOSTNAME_MESSAGE };
    default:
      return { rule: 'type', message: 'has the wrong type' };
  }
}
