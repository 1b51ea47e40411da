import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { TimelineEntry } from '../../shared/contract';
import { inTransaction } from '../sqlite-transaction';

/** What a caller records; the store adds the id. */
export type TimelineInput = Omit<TimelineEntry, 'id'>;

/** At most this many entries per VM (a VM flapping every quick sync must not fill the disk). */
export const ENTRIES_PER_VM = 2_000;
/** At most this many host events per host. */
export const ENTRIES_PER_HOST = 2_000;

interface Row {
  id: number;
  host_id: string;
  vm_id: string | null;
  vm_name: string | null;
  at: string;
  kind: string;
  field: string | null;
  old_value: string | null;
  new_value: string | null;
  sync_kind: string | null;
  detail: string | null;
}

/**
 * The timeline table in inventory.db (migration 7). `add` only runs a prepared insert: the
 * inventory store calls it inside the refresh's own transaction, so a refresh that saw 300 changes
 * commits them with its rows at once. VM entries are read by GUID, so a VM's history follows it
 * between cluster nodes.
 */
export class TimelineStore {
  private readonly insert: StatementSync;
  private readonly byVm: StatementSync;
  private readonly byVmBefore: StatementSync;
  private readonly byHost: StatementSync;
  private readonly byHostBefore: StatementSync;

  constructor(private readonly db: DatabaseSync) {
    this.insert = db.prepare('INSERT INTO timeline (host_id, vm_id, vm_name, at, kind, field, old_value, new_value, sync_kind, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.byVm = db.prepare('SELECT * FROM timeline WHERE vm_id = ? ORDER BY at DESC, id DESC LIMIT ?');
    this.byVmBefore = db.prepare('SELECT * FROM timeline WHERE vm_id = ? AND (at < (SELECT at FROM timeline WHERE id = ?) OR (at = (SELECT at FROM timeline WHERE id = ?) AND id < ?)) ORDER BY at DESC, id DESC LIMIT ?');
    this.byHost = db.prepare('SELECT * FROM timeline WHERE host_id = ? AND vm_id IS NULL ORDER BY at DESC, id DESC LIMIT ?');
    this.byHostBefore = db.prepare('SELECT * FROM timeline WHERE host_id = ? AND vm_id IS NULL AND (at < (SELECT at FROM timeline WHERE id = ?) OR (at = (SELECT at FROM timeline WHERE id = ?) AND id < ?)) ORDER BY at DESC, id DESC LIMIT ?');
  }

  /** Inserts one entry; the caller holds the transaction. */
  add(e: TimelineInput): void {
    this.insert.run(e.hostId, e.vmId === null ? null : e.vmId.toLowerCase(), e.vmName, e.at, e.kind, e.field, e.from, e.to, e.sync, e.detail);
  }

  /** Inserts entries from outside a refresh (jobs, host events) in one transaction. */
  addAll(entries: readonly TimelineInput[]): void {
    inTransaction(this.db, () => {
      for (const e of entries) this.add(e);
    });
  }

  /** A VM's entries, newest first; `more` says an older page exists. */
  vm(vmId: string, limit: number, before?: number): { entries: TimelineEntry[]; more: boolean } {
    const id = vmId.toLowerCase();
    const rows = (before === undefined ? this.byVm.all(id, limit + 1) : this.byVmBefore.all(id, before, before, before, limit + 1)) as unknown as Row[];
    return page(rows, limit);
  }

  /** A host's own events (not its VMs'), newest first. */
  host(hostId: string, limit: number, before?: number): { entries: TimelineEntry[]; more: boolean } {
    const rows = (before === undefined ? this.byHost.all(hostId, limit + 1) : this.byHostBefore.all(hostId, before, before, before, limit + 1)) as unknown as Row[];
    return page(rows, limit);
  }

  /** The agent version each host's timeline last recorded (so a restart does not record it again). */
  lastAgentVersions(): Map<string, string> {
    const rows = this.db.prepare("SELECT host_id, new_value FROM timeline WHERE kind = 'agent' AND vm_id IS NULL ORDER BY at, id").all() as Array<{ host_id: string; new_value: string | null }>;
    return new Map(rows.filter((r) => r.new_value !== null).map((r) => [r.host_id, r.new_value!]));
  }

  /**
   * Drops entries older than `cutoff` (ISO time), then all but the newest ENTRIES_PER_VM of each
   * VM and ENTRIES_PER_HOST of each host. Returns how many went.
   */
  prune(cutoff: string): number {
    let removed = Number(this.db.prepare('DELETE FROM timeline WHERE at < ?').run(cutoff).changes);
    removed += Number(
      this.db
        .prepare(
          `DELETE FROM timeline WHERE id IN (
             SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY vm_id ORDER BY at DESC, id DESC) AS n FROM timeline WHERE vm_id IS NOT NULL) WHERE n > ?
             UNION ALL
             SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY host_id ORDER BY at DESC, id DESC) AS n FROM timeline WHERE vm_id IS NULL) WHERE n > ?)`,
        )
        .run(ENTRIES_PER_VM, ENTRIES_PER_HOST).changes,
    );
    return removed;
  }
}

function page(rows: Row[], limit: number): { entries: TimelineEntry[]; more: boolean } {
  return { entries: rows.slice(0, limit).map(entryOf), more: rows.length > limit };
}

function entryOf(r: Row): TimelineEntry {
  return {
    id: Number(r.id),
    at: r.at,
    hostId: r.host_id,
    vmId: r.vm_id,
    vmName: r.vm_name,
    kind: r.kind,
    field: r.field,
    from: r.old_value,
    to: r.new_value,
    sync: r.sync_kind === 'full' || r.sync_kind === 'quick' ? r.sync_kind : null,
    detail: r.detail,
  };
}
