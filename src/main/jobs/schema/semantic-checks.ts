import { KIND_FIELD, type JobField, type JobInputSchema, type ParameterSet } from '../../../shared/contract';
import { coerce } from '../validation/coerce';
import { compilePattern, compileValueChecks, describeValueError } from '../validation/value-checks';

export function setMembers(set: ParameterSet): string[] {
  if (set.kind === 'allOrNone') return set.members;
  return [...new Set(set.variants.flatMap((v) => [...v.required, ...(v.optional ?? [])]))];
}

function duplicates(ids: string[]): string[] {
  return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
}

function sameFamilies(a: JobField, b: JobField): boolean {
  return [...(a.appliesTo ?? ['linux', 'windows'])].sort().join() === [...(b.appliesTo ?? ['linux', 'windows'])].sort().join();
}

/**
 * Rules the meta-schema cannot express: references resolve, ids are unique, bounds are ordered,
 * defaults pass their own field's checks, secrets have no default. Each problem names the field.
 */
export function semanticProblems(schema: JobInputSchema): string[] {
  const problems: string[] = [];
  const byId = new Map(schema.fields.map((f) => [f.id, f]));
  const sectionIds = new Set(schema.sections.map((s) => s.id));

  for (const id of duplicates(schema.fields.map((f) => f.id))) problems.push(`field id "${id}" is used more than once`);
  for (const id of duplicates(schema.parameterSets.map((s) => s.id))) problems.push(`parameter set id "${id}" is used more than once`);
  for (const id of duplicates(schema.sections.map((s) => s.id))) problems.push(`section id "${id}" is used more than once`);
  const targets = schema.fields.map((f) => ('field' in f.target ? `field:${f.target.field}` : `guest:${f.target.guest}`));
  for (const t of duplicates(targets)) problems.push(`target ${t} is used by more than one field`);

  const setOf = new Map<string, string>();
  for (const set of schema.parameterSets) {
    const members = setMembers(set);
    for (const id of members) {
      const field = byId.get(id);
      if (!field) {
        problems.push(`parameter set "${set.id}" names unknown field "${id}"`);
        continue;
      }
      const other = setOf.get(id);
      if (other && other !== set.id) problems.push(`field "${id}" is in two parameter sets ("${other}" and "${set.id}")`);
      setOf.set(id, set.id);
      if (field.required) problems.push(`field "${id}" is required but also in parameter set "${set.id}" (a set decides when its members are needed)`);
      if (field.section) problems.push(`field "${id}" is in parameter set "${set.id}" and also names section "${field.section}"; the set is its group`);
      const first = byId.get(members[0]!);
      if (first && !sameFamilies(first, field)) problems.push(`parameter set "${set.id}" mixes fields that apply to different OS families ("${first.id}", "${id}")`);
    }
    if (set.kind === 'variants') {
      for (const id of duplicates(set.variants.map((v) => v.id))) problems.push(`parameter set "${set.id}" has variant id "${id}" more than once`);
      for (const v of set.variants) {
        for (const id of v.optional ?? []) if (v.required.includes(id)) problems.push(`variant "${set.id}.${v.id}" lists "${id}" as both required and optional`);
      }
    }
  }

  const withDefaults: Array<{ field: JobField; value: unknown }> = [];
  for (const field of schema.fields) {
    const where = `field "${field.id}"`;
    if (!setOf.has(field.id)) {
      if (!field.section) problems.push(`${where} is in no parameter set and names no section`);
      else if (!sectionIds.has(field.section)) problems.push(`${where} names unknown section "${field.section}"`);
    }
    const b = field as { minimum?: number; maximum?: number; minLength?: number; maxLength?: number; pattern?: string; default?: unknown };
    if (b.minimum !== undefined && b.maximum !== undefined && b.minimum > b.maximum) problems.push(`${where}: minimum ${b.minimum} is above maximum ${b.maximum}`);
    if (b.minLength !== undefined && b.maxLength !== undefined && b.minLength > b.maxLength) problems.push(`${where}: minLength ${b.minLength} is above maxLength ${b.maxLength}`);
    if (b.pattern !== undefined) {
      try {
        compilePattern(b.pattern);
      } catch (error) {
        problems.push(`${where}: pattern is not a valid regular expression (${(error as Error).message})`);
        continue;
      }
    }
    if (field.type === 'secret' && 'default' in field) problems.push(`${where}: a secret field cannot have a default`);
    if (b.default !== undefined && field.type !== 'secret') withDefaults.push({ field, value: b.default });
  }
  problems.push(...defaultProblems(withDefaults));
  problems.push(...kindProblems(schema));
  return problems;
}

/**
 * A default must survive the same coercion and checks as a submitted value. The checks of every
 * field with a default are compiled once, together: compiling them field by field was most of
 * the schema's load time.
 */
function defaultProblems(defaults: Array<{ field: JobField; value: unknown }>): string[] {
  const problems: string[] = [];
  const checked: JobField[] = [];
  const values: Record<string, unknown> = {};
  for (const { field, value } of defaults) {
    const coerced = coerce(field, value);
    if (!coerced.ok) problems.push(`field "${field.id}": default ${coerced.message}`);
    else {
      checked.push(field);
      values[field.id] = coerced.value;
    }
  }
  if (checked.length === 0) return problems;
  const check = compileValueChecks({ id: 'x', version: 1, title: 'x', sections: [], parameterSets: [], fields: checked });
  if (check(values)) return problems;
  const byId = new Map(checked.map((f) => [f.id, f]));
  for (const error of check.errors ?? []) {
    const field = byId.get(error.instancePath.slice(1));
    if (field) problems.push(`field "${field.id}": default ${describeValueError(field, error).message}`);
  }
  return problems;
}

/** `kinds` name choices of the KIND_FIELD field, which must exist with choices when any is used. */
function kindProblems(schema: JobInputSchema): string[] {
  const kindField = schema.fields.find((f) => f.id === KIND_FIELD);
  const choices = kindField?.type === 'string' ? (kindField.choices ?? []).map((c) => c.value) : [];
  const problems: string[] = [];
  for (const field of schema.fields) {
    if (field.kinds && field.id === KIND_FIELD) problems.push(`field "${field.id}" is the kind field; it cannot itself name kinds`);
    for (const kind of field.kinds ?? []) {
      if (!choices.includes(kind)) problems.push(`field "${field.id}" names kind "${kind}", which is not a choice of field "${KIND_FIELD}"${choices.length ? ` (${choices.join(', ')})` : ' (there is no such field with choices)'}`);
    }
  }
  // A set decides when its members are needed: it cannot apply to one kind for some and another for others.
  const kindsOf = (id: string) => [...(schema.fields.find((f) => f.id === id)?.kinds ?? choices)].sort().join();
  for (const set of schema.parameterSets) {
    const members = setMembers(set).filter((id) => schema.fields.some((f) => f.id === id));
    const other = members.find((id) => kindsOf(id) !== kindsOf(members[0]!));
    if (other) problems.push(`parameter set "${set.id}" mixes fields that apply to different kinds of VM ("${members[0]}", "${other}")`);
  }
  return problems;
}
