/**
 * The query language's syntax tree and its fields. One tree serves the VM tables, search, saved
 * views and the CLI export: parse once (parse.ts), print back (print.ts), compile to closures
 * (evaluate.ts).
 *
 * The tree is canonical: parsing the printed form of any tree gives the same tree back, so saved
 * views can store either form.
 */

/** Text fields: `field:value`, `*` wildcards, case-insensitive. */
export const TEXT_FIELDS = ['name', 'state', 'host', 'cluster', 'os', 'ip', 'tag', 'heartbeat', 'notes'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

/** Number fields: `field>value` (also >=, <, <=, =, and `:` meaning =), with the field's units. */
export const NUMBER_FIELDS = ['mem', 'cpu', 'vcpu', 'uptime', 'age', 'checkpoints'] as const;
export type NumberField = (typeof NUMBER_FIELDS)[number];

export type QueryField = TextField | NumberField;
export type CompareOp = '>' | '>=' | '<' | '<=' | '=';

/** Units per number field, as the tree spells them, with their size in the field's base unit. */
export const FIELD_UNITS: Record<NumberField, { base: string; units: Record<string, number>; defaultUnit: string | null; example: string }> = {
  // Base: MB (InventoryVm.memoryAssignedMb); a bare number is GB, the unit people think in.
  mem: { base: 'MB', units: { MB: 1, GB: 1024, TB: 1024 * 1024 }, defaultUnit: 'GB', example: 'mem>8GB' },
  cpu: { base: '%', units: { '%': 1 }, defaultUnit: '%', example: 'cpu>50%' },
  vcpu: { base: '', units: {}, defaultUnit: null, example: 'vcpu>=4' },
  // Base: seconds. A bare number is refused: "uptime>3" could mean minutes, hours or days.
  uptime: { base: 's', units: { s: 1, m: 60, h: 3600, d: 86_400, w: 7 * 86_400 }, defaultUnit: null, example: 'uptime>30d' },
  age: { base: 's', units: { s: 1, m: 60, h: 3600, d: 86_400, w: 7 * 86_400 }, defaultUnit: null, example: 'age>90d' },
  checkpoints: { base: '', units: {}, defaultUnit: null, example: 'checkpoints>0' },
};

/** Number fields whose value needs a unit (a bare number is an error). */
export const UNIT_REQUIRED: ReadonlySet<NumberField> = new Set(['uptime', 'age']);

export type QueryNode =
  /** Every term must hold. The empty `and` (an empty query) matches every VM. */
  | { kind: 'and'; terms: QueryNode[] }
  /** At least one term holds (two or more terms). */
  | { kind: 'or'; terms: QueryNode[] }
  | { kind: 'not'; term: QueryNode }
  /** Free text: any part of the name, an IP, the GUID or the notes. */
  | { kind: 'text'; value: string }
  | { kind: 'match'; field: TextField; value: string }
  /** `amount` in `unit` (null: the field has no units, or the bare number means its default). */
  | { kind: 'compare'; field: NumberField; op: CompareOp; amount: number; unit: string | null };

export type Query = QueryNode;

export interface QueryError {
  message: string;
  /** Character range in the query text, `start` inclusive, `end` exclusive; start < end unless the text is empty there. */
  start: number;
  end: number;
}

export type ParseResult = { ok: true; query: Query } | { ok: false; error: QueryError };

export function isTextField(name: string): name is TextField {
  return (TEXT_FIELDS as readonly string[]).includes(name);
}
export function isNumberField(name: string): name is NumberField {
  return (NUMBER_FIELDS as readonly string[]).includes(name);
}
