import type { InventoryVm } from '../../../shared/contract';
import type { GroupBy } from './view-model';
import { compareNatural } from '../../components/natural-compare';

/** A line of a grouped table: a group's header, or the VM at `index` of the grouped order. */
export type DisplayLine = { kind: 'head'; label: string; count: number } | { kind: 'row'; index: number };

export interface Grouped {
  /** The VM keys in the order shown: group by group, each in the table's sort order. */
  order: readonly string[];
  /** Headers and rows for the virtual list; undefined when not grouped (one line per VM). */
  lines?: readonly DisplayLine[];
  /** The line of the VM at `index` of `order` (keyboard navigation reveals lines). */
  lineOf(index: number): number;
}

const identity = (i: number) => i;

/**
 * Groups the sorted rows by host, cluster or state: groups in natural order of their labels, the
 * rows inside a group keeping the sort. Grouping only reorders and adds headers; the exports
 * write the rows in this order, without the headers.
 */
export function groupRows(sorted: readonly string[], groupBy: GroupBy, vmOf: (key: string) => InventoryVm | undefined, ctx: { hostName(id: string): string; clusterOf(id: string): string | undefined | null }): Grouped {
  if (groupBy === 'none') return { order: sorted, lineOf: identity };
  const groups = new Map<string, string[]>();
  for (const key of sorted) {
    const vm = vmOf(key);
    if (!vm) continue;
    const label = groupBy === 'host' ? ctx.hostName(vm.hostId) : groupBy === 'cluster' ? (ctx.clusterOf(vm.hostId) ?? 'No cluster') : vm.state;
    const list = groups.get(label);
    if (list) list.push(key);
    else groups.set(label, [key]);
  }
  const order: string[] = [];
  const lines: DisplayLine[] = [];
  const lineOfIndex: number[] = [];
  for (const label of [...groups.keys()].sort(compareNatural)) {
    const keys = groups.get(label)!;
    lines.push({ kind: 'head', label, count: keys.length });
    for (const key of keys) {
      lineOfIndex.push(lines.length);
      lines.push({ kind: 'row', index: order.length });
      order.push(key);
    }
  }
  return { order, lines, lineOf: (i) => lineOfIndex[i] ?? i };
}
