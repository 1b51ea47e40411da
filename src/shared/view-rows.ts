import type { InventoryVm } from './contract';
import { compileQuery, parseQuery, type QueryError } from './query';
import type { CellColumn, CellContext } from './vm-cells';
import { sortVms } from './vm-sort';

/** The rows a query selects, in a column's order: what `aether-v export` and a saved view's count use, as the table does. */
export function queryRows(
  vms: readonly InventoryVm[],
  queryText: string,
  sort: { column: CellColumn; dir: 'asc' | 'desc' },
  ctx: CellContext & { tags?(vm: InventoryVm): readonly string[] },
): { ok: true; vms: InventoryVm[] } | { ok: false; error: QueryError } {
  const parsed = parseQuery(queryText);
  if (!parsed.ok) return parsed;
  const matches = compileQuery(parsed.query);
  const qctx = { hostName: ctx.hostName, clusterOf: (h: string) => ctx.clusterOf(h) ?? null, tags: ctx.tags ?? ((vm: InventoryVm) => vm.tags), now: ctx.now };
  return { ok: true, vms: sortVms(vms.filter((vm) => matches(vm, qctx)), sort.column, sort.dir, ctx) };
}

/** The query under a caret line pointing at the part that is wrong, for a terminal. */
export function caretLines(queryText: string, error: QueryError): string {
  const width = Math.max(1, error.end - error.start);
  return `  ${queryText}\n  ${' '.repeat(error.start)}${'^'.repeat(width)}`;
}
