import { compileQuery, parseQuery, type QueryError, type VmPredicate } from '../../../shared/query';

/** What a query box's text means now: a predicate to apply (none: show everything), or an error to show. */
export type QueryInput = { kind: 'empty' } | { kind: 'ok'; predicate: VmPredicate } | { kind: 'error'; error: QueryError };

/** Parses and compiles once per edit; rows are then tested with closures only. */
export function readQueryInput(text: string): QueryInput {
  if (text.trim() === '') return { kind: 'empty' };
  const parsed = parseQuery(text);
  if (!parsed.ok) return { kind: 'error', error: parsed.error };
  return { kind: 'ok', predicate: compileQuery(parsed.query) };
}

/** An example for placeholders and hints. */
export const QUERY_EXAMPLE = 'state:running host:hv0* mem>8GB';
