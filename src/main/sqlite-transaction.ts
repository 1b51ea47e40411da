import type { DatabaseSync } from 'node:sqlite';

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
    throw error;
  }
}
