/**
 * The query language of the VM tables, search, saved views and `aether-v export --query`:
 * `state:running host:hv0* mem>8GB`, `-state:off os:windows heartbeat:lost`,
 * `name:"web 01" OR name:db*`, `cluster:CLU-A vcpu>=4 uptime>30d`.
 *
 * parseQuery(text) → { ok: true, query } | { ok: false, error: { message, start, end } }
 * printQuery(query) → text that parses back to the same query
 * compileQuery(query) → (vm, ctx) => boolean
 */
export { parseQuery } from './parse';
export { printQuery } from './print';
export { compileQuery, type QueryContext, type VmPredicate } from './evaluate';
export {
  FIELD_UNITS,
  NUMBER_FIELDS,
  TEXT_FIELDS,
  type CompareOp,
  type NumberField,
  type ParseResult,
  type Query,
  type QueryError,
  type QueryField,
  type QueryNode,
  type TextField,
} from './ast';
