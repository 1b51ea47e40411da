import type { JobField, JobFieldError, ParameterSet } from '../../../shared/contract';

type Variant = Extract<ParameterSet, { kind: 'variants' }>['variants'][number];

/** Fields by their labels, as the form shows them (the error's `field` carries the id). */
function names(ids: string[], fields: Map<string, JobField>): string {
  const labels = ids.map((id) => fields.get(id)?.label ?? id);
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}

function describeVariants(set: Extract<ParameterSet, { kind: 'variants' }>): string {
  return set.variants.map((v) => v.label).join('; or ');
}

/**
 * Cross-field rules, evaluated on the present values (after defaults). Every error is attached
 * to a field: the member that is missing, or the one that does not belong with the others.
 */
export function checkParameterSet(set: ParameterSet, present: Set<string>, fields: Map<string, JobField>): JobFieldError[] {
  if (set.kind === 'allOrNone') {
    const given = set.members.filter((id) => present.has(id));
    if (given.length === 0 || given.length === set.members.length) return [];
    return set.members
      .filter((id) => !present.has(id))
      .map((id) => ({
        field: id,
        rule: 'allOrNone',
        message: `is required together with ${names(given, fields)}: ${set.label} needs all of its fields or none`,
      }));
  }

  const given = set.variants.flatMap((v) => [...v.required, ...(v.optional ?? [])]).filter((id, i, all) => all.indexOf(id) === i && present.has(id));
  if (given.length === 0) return [];
  const allowed = (v: Variant) => new Set([...v.required, ...(v.optional ?? [])]);
  const missing = (v: Variant) => v.required.filter((id) => !present.has(id));
  const stray = (v: Variant) => given.filter((id) => !allowed(v).has(id));
  if (set.variants.some((v) => missing(v).length === 0 && stray(v).length === 0)) return [];

  // Explain against the variant closest to what was given: fewest stray members, then fewest missing.
  const closest = [...set.variants].sort((a, b) => stray(a).length - stray(b).length || missing(a).length - missing(b).length)[0]!;
  const options = describeVariants(set);
  return [
    ...missing(closest).map((id) => ({
      field: id,
      rule: 'variants',
      message: `is required when ${names(given, fields)} ${given.length === 1 ? 'is' : 'are'} given (${set.label}: ${options})`,
    })),
    ...stray(closest).map((id) => ({
      field: id,
      rule: 'variants',
      message: `cannot be combined with the other ${set.label} fields given (${options})`,
    })),
  ];
}
