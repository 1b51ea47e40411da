import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { HygieneSnooze } from '../../shared/hygiene/rules';

/**
 * Snoozed findings, in the inventory file (table hygiene_snoozes, schema 8): they belong with the
 * inventory they judge, survive restarts, and the settings file stays a document of preferences.
 */
export class SnoozeStore {
  private readonly all: StatementSync;
  private readonly put: StatementSync;
  private readonly remove: StatementSync;
  private readonly prune: StatementSync;

  constructor(db: DatabaseSync) {
    this.all = db.prepare('SELECT finding_id, until, fingerprint FROM hygiene_snoozes');
    this.put = db.prepare('INSERT OR REPLACE INTO hygiene_snoozes (finding_id, until, fingerprint, snoozed_at) VALUES (?, ?, ?, ?)');
    this.remove = db.prepare('DELETE FROM hygiene_snoozes WHERE finding_id = ?');
    this.prune = db.prepare('DELETE FROM hygiene_snoozes WHERE until IS NOT NULL AND until < ?');
  }

  list(now: Date): Map<string, HygieneSnooze> {
    this.prune.run(now.toISOString());
    const out = new Map<string, HygieneSnooze>();
    for (const r of this.all.all() as Array<{ finding_id: string; until: string | null; fingerprint: string }>) {
      out.set(r.finding_id, { findingId: r.finding_id, until: r.until, fingerprint: r.fingerprint });
    }
    return out;
  }

  snooze(snooze: HygieneSnooze, now: Date): void {
    this.put.run(snooze.findingId, snooze.until, snooze.fingerprint, now.toISOString());
  }

  wake(findingId: string): void {
    this.remove.run(findingId);
  }
}
