import type { DatabaseSync } from 'node:sqlite';
import { isDiskFull } from '../diagnostics/faults';
import { inTransaction } from '../sqlite-transaction';

/** One write of a batch: worked out and written at commit time, its result kept until COMMIT succeeded. */
export interface GroupItem<R> {
  /**
   * What the item touches that another item must not (its host, its cluster): every item of a
   * batch is worked out against the same in-memory state, so two items sharing a key never share
   * a batch; the second one commits the first's batch first.
   */
  keys: readonly string[];
  /** Reads the state and returns the SQL to run (`write`) and what to do once it is committed (`finish`). */
  plan(): { write(): void; finish(): R };
}

export interface GroupCommitOptions {
  /** The longest an item waits for others before its batch commits. */
  maxDelayMs: number;
  /** A batch this large commits at once. */
  maxItems: number;
}

/**
 * A fleet refresh's results arrive a few milliseconds apart. 16 hosts already save 15 of every 16
 * COMMITs, while one batch's synchronous work (a new host of 25 VMs takes a few ms) stays far below
 * the loop delay at which the scheduler's adaptive rule shrinks the lanes (150 ms).
 */
export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = { maxDelayMs: 20, maxItems: 16 };

interface Entry {
  item: GroupItem<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit: the writes of several items in one SQLite transaction, because a COMMIT (with its
 * WAL append and locking) costs more than a host's rows. Each item runs in its own SAVEPOINT, so a
 * bug in one rolls back only that one and rejects only its promise; a failure SQLite answers by
 * ending the transaction (a full disk) or a failed COMMIT fails the whole batch: every item in it
 * is rejected with that error and none is finished, so nothing uncommitted is ever applied in
 * memory or published. Items finish in the order they were added.
 */
export class GroupCommit {
  private queue: Entry[] = [];
  private readonly keys = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly db: DatabaseSync,
    private readonly options: GroupCommitOptions = DEFAULT_GROUP_COMMIT,
  ) {}

  add<R>(item: GroupItem<R>): Promise<R> {
    if (item.keys.some((k) => this.keys.has(k))) this.flush();
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve: resolve as (value: unknown) => void, reject });
      for (const k of item.keys) this.keys.add(k);
      if (this.queue.length >= this.options.maxItems) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxDelayMs);
    });
  }

  /** Commits what is queued now, in one transaction. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.keys.clear();
    const finishes = new Map<Entry, () => unknown>();
    const own = new Map<Entry, unknown>();
    try {
      inTransaction(this.db, () => {
        for (const entry of batch) {
          this.db.exec('SAVEPOINT group_item');
          try {
            const { write, finish } = entry.item.plan();
            write();
            this.db.exec('RELEASE group_item');
            finishes.set(entry, finish);
          } catch (error) {
            // SQLite ended the transaction itself (SQLITE_FULL can): what follows would run outside it.
            if (isDiskFull(error) || !this.db.isTransaction) throw error;
            this.db.exec('ROLLBACK TO group_item');
            this.db.exec('RELEASE group_item');
            own.set(entry, error);
          }
        }
      });
    } catch (error) {
      for (const entry of batch) entry.reject(own.has(entry) ? own.get(entry) : error);
      return;
    }
    for (const entry of batch) {
      const finish = finishes.get(entry);
      if (!finish) {
        entry.reject(own.get(entry));
        continue;
      }
      try {
        entry.resolve(finish());
      } catch (error) {
        entry.reject(error);
      }
    }
  }
}
