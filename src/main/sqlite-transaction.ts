import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { isDiskFull } from './diagnostics/faults';

type DiskFullListener = (file: string, error: unknown) => void;
/** Who wants to hear that a write to a database under a directory failed for lack of space. */
const diskFullWatchers = new Map<DiskFullListener, string>();

/**
 * Calls `listener` whenever a transaction on a database file under `dir` fails because the disk
 * is full. The backend watches its data directory, so a full disk under inventory.db or jobs.db
 * becomes one notification and a Diagnostics fault whichever service was writing. Returns the
 * unsubscriber.
 */
export function watchDiskFull(dir: string, listener: DiskFullListener): () => void {
  diskFullWatchers.set(listener, path.resolve(dir) + path.sep);
  return () => diskFullWatchers.delete(listener);
}

function reportDiskFull(db: DatabaseSync, error: unknown): void {
  let file: string | null | undefined;
  try {
    file = db.location();
  } catch {
    return;
  }
  if (!file) return;
  for (const [listener, dir] of diskFullWatchers) {
    if (!file.startsWith(dir)) continue;
    try {
      listener(file, error);
    } catch {
      // A watcher's failure must not replace the write's own error.
    }
  }
}

/**
 * Runs `work` in one SQLite transaction: committed if it returns, rolled back if it throws.
 * IMMEDIATE takes the write lock up front, so a writer never fails half-way on SQLITE_BUSY.
 * The error `work` threw is the one rethrown: SQLite rolls some failures back by itself (a full
 * disk, SQLITE_FULL, does), and a ROLLBACK then fails with "no transaction is active", which must
 * not hide why the write failed.
 */
export function inTransaction<T>(db: DatabaseSync, work: () => T, mode: 'DEFERRED' | 'IMMEDIATE' = 'IMMEDIATE'): T {
  db.exec(`BEGIN ${mode}`);
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) {
      try {
        db.exec('ROLLBACK');
      } catch {
        // The original error says what went wrong; this one would only hide it.
      }
    }
    if (isDiskFull(error)) reportDiskFull(db, error);
    throw error;
  }
}
