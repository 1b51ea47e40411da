import { existsSync, renameSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { migrate } from './migrations';

export interface OpenedDatabase {
  db: DatabaseSync;
  /** Set when the previous file was unreadable and moved aside (never deleted). */
  recovered?: { movedTo: string; reason: string };
  migrationsApplied: number[];
}

/** Raised when a fresh database cannot be created either (disk full, permissions). */
export class StoreUnavailable extends Error {
  override name = 'StoreUnavailable';
  readonly code = 'STORE_UNAVAILABLE';
}

function configure(db: DatabaseSync): void {
  // WAL: the renderer-facing reads never wait for the refresh writer; NORMAL is durable enough
  // for a cache that is rebuilt from the hosts anyway.
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA busy_timeout = 5000');
}

function integrityProblem(db: DatabaseSync): string | undefined {
  const rows = db.prepare('PRAGMA quick_check').all() as Array<Record<string, unknown>>;
  const messages = rows.map((r) => String(Object.values(r)[0]));
  return messages.length === 1 && messages[0] === 'ok' ? undefined : messages.slice(0, 3).join('; ');
}

function tryOpen(file: string): { db: DatabaseSync; migrationsApplied: number[] } {
  const db = new DatabaseSync(file);
  try {
    configure(db);
    const problem = integrityProblem(db);
    if (problem) throw new Error(`integrity check failed: ${problem}`);
    return { db, migrationsApplied: migrate(db) };
  } catch (error) {
    try {
      db.close();
    } catch {
      // already unusable; the caller moves the file aside
    }
    throw error;
  }
}

/**
 * Opens `{dataDir}/inventory.db`: WAL, foreign keys, integrity check, migrations. A file that
 * fails any of these is renamed to `inventory.db.corrupt-<timestamp>` (with its -wal/-shm) and a
 * new one is created; the inventory refills it from the hosts.
 */
export function openInventoryDatabase(file: string, now: () => Date = () => new Date()): OpenedDatabase {
  try {
    return tryOpen(file);
  } catch (error) {
    const reason = (error as Error).message;
    if (!existsSync(file)) throw new StoreUnavailable(`cannot create the inventory database ${file}: ${reason}`);
    const movedTo = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, movedTo);
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(file + suffix)) renameSync(file + suffix, movedTo + suffix);
    }
    try {
      return { ...tryOpen(file), recovered: { movedTo, reason } };
    } catch (second) {
      throw new StoreUnavailable(`cannot create a new inventory database at ${file} after moving the damaged one to ${movedTo}: ${(second as Error).message}`);
    }
  }
}
