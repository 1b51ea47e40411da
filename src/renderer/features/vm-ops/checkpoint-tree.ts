import { checkpointAge } from '../../../shared/vm-cells';
import type { VmCheckpoint } from '../../../shared/contract';

/**
 * A VM's checkpoints as the tab draws them: a tree (parentId), each level oldest first, flattened
 * depth-first into rows, with "Now" (where the VM runs from) under its current checkpoint. A
 * checkpoint whose parent is not in the list (deleted meanwhile) is shown as a root, never lost.
 */
export type CheckpointRow =
  | { kind: 'checkpoint'; checkpoint: VmCheckpoint; depth: number; descendants: number; current: boolean }
  | { kind: 'now'; depth: number };

export function checkpointRows(
  checkpoints: readonly VmCheckpoint[],
  currentId: string | null,
): CheckpointRow[] {
  const ids = new Set(checkpoints.map((c) => c.id));
  const children = new Map<string | null, VmCheckpoint[]>();
  for (const c of checkpoints) {
    const parent = c.parentId !== null && ids.has(c.parentId) && c.parentId !== c.id ? c.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(c);
    children.set(parent, list);
  }
  for (const list of children.values())
    list.sort(
      (a, b) =>
        (Date.parse(a.createdAt) || 0) - (Date.parse(b.createdAt) || 0) || a.name.localeCompare(b.name),
    );
  const now = currentId !== null && ids.has(currentId) ? currentId : null;
  const rows: CheckpointRow[] = [];
  const seen = new Set<string>();
  const count = (id: string): number => (children.get(id) ?? []).reduce((n, c) => n + 1 + count(c.id), 0);
  const walk = (parent: string | null, depth: number) => {
    for (const c of children.get(parent) ?? []) {
      if (seen.has(c.id)) continue; // a cycle in damaged data must not hang the page
      seen.add(c.id);
      rows.push({
        kind: 'checkpoint',
        checkpoint: c,
        depth,
        descendants: count(c.id),
        current: c.id === now,
      });
      walk(c.id, depth + 1);
    }
    if (parent === now) rows.push({ kind: 'now', depth });
  };
  walk(null, 0);
  return rows;
}

/** Every checkpoint below `id` (what "delete with its subtree" removes besides it). */
export function subtreeIds(checkpoints: readonly VmCheckpoint[], id: string): string[] {
  const out: string[] = [];
  const stack = [id];
  while (stack.length) {
    const parent = stack.pop()!;
    for (const c of checkpoints) {
      if (c.parentId !== parent || out.includes(c.id) || c.id === id) continue;
      out.push(c.id);
      stack.push(c.id);
    }
  }
  return out;
}

/** How old a checkpoint is, short, for a column: "12 d", "5 h", "40 min"; "—" without one (views: shared with the table's cells and exports). */
export { checkpointAge };

/** "3 checkpoints, oldest 12 d" or "No checkpoints", for the VM page's summary. */
export function checkpointSummary(count: number, oldestAt: string | null, now = Date.now()): string {
  if (count === 0) return 'No checkpoints';
  return `${count} checkpoint${count === 1 ? '' : 's'}, oldest ${checkpointAge(oldestAt, now)}`;
}
