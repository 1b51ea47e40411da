import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { validationError } from '../../shared/contract';
import { applyTagChange, tagKey, tagProblem, TAGS_PER_VM } from '../../shared/tag-rules';

/**
 * The user's tags, keyed by Hyper-V VM GUID alone (table vm_tags, migration 7). A full refresh
 * never touches them, and a live migration keeps the GUID, so they survive both. Two VMs that
 * share a GUID on two hosts (a copied VM imported without a new ID) share their tags too: the
 * store cannot tell them apart any better than Hyper-V's own ID does.
 *
 * The store is the single writer: callers run `write` inside the store's transaction.
 */
export class VmTags {
  private readonly byVm = new Map<string, readonly string[]>();
  private readonly insert: StatementSync;
  private readonly remove: StatementSync;

  constructor(private readonly db: DatabaseSync) {
    this.insert = db.prepare('INSERT OR REPLACE INTO vm_tags (vm_id, tag_key, tag, added_at) VALUES (?, ?, ?, ?)');
    this.remove = db.prepare('DELETE FROM vm_tags WHERE vm_id = ? AND tag_key = ?');
    const rows = db.prepare('SELECT vm_id, tag FROM vm_tags ORDER BY vm_id, added_at, rowid').all() as Array<{ vm_id: string; tag: string }>;
    for (const row of rows) this.byVm.set(row.vm_id, [...(this.byVm.get(row.vm_id) ?? []), row.tag]);
  }

  /** The VM's tags in the order they were added; the same array until they change. */
  of(vmId: string): readonly string[] | undefined {
    return this.byVm.get(vmId.toLowerCase());
  }

  /**
   * Checks a bulk change before anything is written: every tag valid, no VM past the limit.
   * Throws a ContractError naming the tag (or the VM) at fault.
   */
  static check(add: readonly string[], remove: readonly string[]): void {
    for (const tag of [...add, ...remove]) {
      const problem = tagProblem(tag);
      if (problem) throw validationError([{ field: add.includes(tag) ? 'add' : 'remove', message: problem }]);
    }
  }

  /** The VM's tags after the change, or undefined when nothing would change. Throws past the per-VM limit. */
  plan(vmId: string, vmName: string, add: readonly string[], remove: readonly string[]): string[] | undefined {
    const before = this.of(vmId) ?? [];
    const after = applyTagChange(before, add, remove);
    if (after.length === before.length && after.every((t, i) => t === before[i])) return undefined;
    if (after.length > TAGS_PER_VM) {
      throw validationError([{ field: 'add', message: `VM ${vmName} would have ${after.length} tags; a VM has at most ${TAGS_PER_VM}. Remove some first. Nothing was changed.` }]);
    }
    return after;
  }

  /** Writes a planned change (inside the caller's transaction) and keeps it in memory. */
  write(vmId: string, after: string[], at: string): void {
    const id = vmId.toLowerCase();
    const before = this.byVm.get(id) ?? [];
    const keep = new Set(after.map(tagKey));
    for (const tag of before) if (!keep.has(tagKey(tag))) this.remove.run(id, tagKey(tag));
    const had = new Set(before.map(tagKey));
    for (const tag of after) if (!had.has(tagKey(tag))) this.insert.run(id, tagKey(tag), tag, at);
    if (after.length) this.byVm.set(id, Object.freeze(after));
    else this.byVm.delete(id);
  }

  /** Drops the tags of GUIDs with neither a row nor a tombstone (deleted longer ago than tombstones are kept). */
  prune(): void {
    const gone = this.db
      .prepare('SELECT DISTINCT vm_id FROM vm_tags WHERE vm_id NOT IN (SELECT lower(vm_id) FROM vms) AND vm_id NOT IN (SELECT lower(vm_id) FROM tombstones)')
      .all() as Array<{ vm_id: string }>;
    if (!gone.length) return;
    const drop = this.db.prepare('DELETE FROM vm_tags WHERE vm_id = ?');
    for (const { vm_id } of gone) {
      drop.run(vm_id);
      this.byVm.delete(vm_id);
    }
  }
}
