import { createHash } from 'node:crypto';
import { readFileSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { AllOrNoneSet, fieldSchemasByType, fieldTypes, JobInputSchemaRoot, VariantsSet, type JobInputSchema } from '../../../shared/contract';
import { compile } from '../../validation/validator';
import { JobSchemaInvalid } from '../errors';
import { semanticProblems } from './semantic-checks';
import type { ErrorObject } from 'ajv';

/**
 * Finds schemas/job-inputs.yaml from the sources (tsx, tests) or the electron-vite bundle
 * (out/main): the folders differ in depth, so walk up to the first one that has it.
 */
export function defaultSchemaPath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'schemas', 'job-inputs.yaml');
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve('schemas', 'job-inputs.yaml');
}

function ajvProblems(where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const at = `${where}${e.instancePath.replace(/\//g, '.')}`;
    if (e.keyword === 'additionalProperties') return `${at}: unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    if (e.keyword === 'required') return `${at}: missing "${(e.params as { missingProperty: string }).missingProperty}"`;
    return `${at}: ${e.message ?? 'is invalid'}`;
  });
}

function label(item: unknown, index: number): string {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? `${index} (${id})` : String(index);
}

/**
 * Parses and checks a schema document: the root shape, each field against the meta-schema of its
 * own type (so errors say "fields[3] (cpuCount).maximum: must be integer" rather than ajv's union
 * noise), each parameter set, then the semantic rules. Returns the schema or every problem found.
 */
export function checkSchemaDocument(doc: unknown): { schema?: JobInputSchema; problems: string[] } {
  const root = compile(JobInputSchemaRoot);
  if (!root(doc)) return { problems: ajvProblems('schema', root.errors) };
  const problems: string[] = [];
  const { fields, parameterSets } = doc as { fields: unknown[]; parameterSets: unknown[] };
  fields.forEach((field, i) => {
    const type = (field as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !(fieldTypes as string[]).includes(type)) {
      problems.push(`fields[${label(field, i)}].type: must be one of ${fieldTypes.join(', ')}`);
      return;
    }
    const check = compile(fieldSchemasByType[type as keyof typeof fieldSchemasByType]);
    if (!check(field)) problems.push(...ajvProblems(`fields[${label(field, i)}]`, check.errors));
  });
  parameterSets.forEach((set, i) => {
    const kind = (set as { kind?: unknown } | null)?.kind;
    const setSchema = kind === 'variants' ? VariantsSet : kind === 'allOrNone' ? AllOrNoneSet : undefined;
    if (!setSchema) {
      problems.push(`parameterSets[${label(set, i)}].kind: must be "variants" or "allOrNone"`);
      return;
    }
    const check = compile(setSchema);
    if (!check(set)) problems.push(...ajvProblems(`parameterSets[${label(set, i)}]`, check.errors));
  });
  if (problems.length) return { problems };
  const schema = doc as JobInputSchema;
  const semantic = semanticProblems(schema);
  return semantic.length ? { problems: semantic } : { schema, problems: [] };
}

/**
 * Remembers the schema text that last passed the structural check, with the document it parsed
 * to, so a start does not pay for either again (ajv compiling the meta-schemas was ~120 ms and
 * the YAML parse ~15 ms, most of the jobs service's start). The digest covers the meta-schemas as
 * well as the text: a new app version that checks more checks again. The semantic rules always run.
 */
export interface SchemaCheckMemo {
  /** The parsed document of a text with this digest that passed, if remembered. */
  get(digest: string): unknown;
  add(digest: string, doc: unknown): void;
}

let metaSchemaText: string | undefined;
function schemaDigest(text: string): string {
  metaSchemaText ??= JSON.stringify([JobInputSchemaRoot, fieldSchemasByType, VariantsSet, AllOrNoneSet]);
  return createHash('sha256').update(metaSchemaText).update('\0').update(text).digest('hex');
}

/** A memo in one small file (the data directory's job-schema-checked.json); unreadable means "not checked". */
export function fileSchemaCheckMemo(file: string): SchemaCheckMemo {
  return {
    get: (digest) => {
      try {
        const memo = JSON.parse(readFileSync(file, 'utf8')) as { digest?: unknown; doc?: unknown };
        return memo.digest === digest ? memo.doc : undefined;
      } catch {
        return undefined;
      }
    },
    add: (digest, doc) => {
      // Written aside and renamed, so a crash never leaves half a file (which would only cost a re-check).
      writeFileSync(`${file}.tmp`, JSON.stringify({ digest, doc }) + '\n', { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    },
  };
}

/**
 * Reads, parses and checks the schema file; throws JobSchemaInvalid naming the file and every
 * problem. With a memo, the text that passed last time skips the parse and the structural check.
 */
export function loadJobSchema(file: string = defaultSchemaPath(), memo?: SchemaCheckMemo): JobInputSchema {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new JobSchemaInvalid(file, [`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
  }
  const digest = memo ? schemaDigest(text) : undefined;
  const remembered = digest ? memo!.get(digest) : undefined;
  if (remembered !== undefined) {
    const semantic = semanticProblems(remembered as JobInputSchema);
    if (semantic.length) throw new JobSchemaInvalid(file, semantic);
    return remembered as JobInputSchema;
  }
  let doc: unknown;
  try {
    doc = yaml.load(text, { filename: file, schema: yaml.CORE_SCHEMA });
  } catch (error) {
    throw new JobSchemaInvalid(file, [`is not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  const { schema, problems } = checkSchemaDocument(doc);
  if (!schema) throw new JobSchemaInvalid(file, problems);
  if (digest) {
    try {
      memo!.add(digest, doc);
    } catch {
      // Not remembering only means checking again next start.
    }
  }
  return schema;
}
