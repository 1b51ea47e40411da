import type { DatabaseSync } from 'node:sqlite';

/**
 * Runs `work` in one SQLite transaction: committed if it returns, rolled back if it throws.
 * IMMEDIATE takes the write lock up front, so a writer never fails half-way on SQLITE_BUSY.
 */
export function inTransaction<T>(db: DatabaseSync, work: () => T, mode: 'DEFERRED' | 'IMMEDIATE' = 'IMMEDIATE'): T {
  db.exec(`BEGIN ${mode}`);
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
