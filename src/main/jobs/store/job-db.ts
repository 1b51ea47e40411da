import { existsSync, renameSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';

/**
 * `{dataDir}/jobs.db`: its own file so the jobs service is its own single writer (the inventory
 * database has another). WAL, numbered migrations in PRAGMA user_version.
 */
const MIGRATIONS: Array<(db: DatabaseSync) => void> = [
  (db) => {
    db.exec(`
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        ord INTEGER NOT NULL,
        type TEXT NOT NULL,
        state TEXT NOT NULL,
        host_id TEXT,
        host_name TEXT,
        vm_id TEXT,
        vm_name TEXT,
        action TEXT,
        parameters TEXT NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        result TEXT,
        error TEXT,
        line_count INTEGER NOT NULL DEFAULT 0,
        parent_id TEXT,
        warnings TEXT NOT NULL DEFAULT '[]',
        bulk TEXT
      );
      CREATE INDEX jobs_parent ON jobs(parent_id);
      CREATE INDEX jobs_state ON jobs(state);
      CREATE TABLE job_lines (
        job_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        stream TEXT NOT NULL,
        level TEXT NOT NULL,
        text TEXT NOT NULL,
        step TEXT,
        at TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)
      ) WITHOUT ROWID;
    `);
  },
];

export function migrateJobs(db: DatabaseSync): number[] {
  const current = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  const applied: number[] = [];
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.exec('BEGIN');
    try {
      MIGRATIONS[v]!(db);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec('COMMIT');
      applied.push(v + 1);
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
  return applied;
}

function open(file: string): DatabaseSync {
  const db = new DatabaseSync(file);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA busy_timeout = 5000');
    const check = db.prepare('PRAGMA quick_check').get() as Record<string, unknown>;
    if (String(Object.values(check)[0]) !== 'ok') throw new Error(`integrity check failed: ${String(Object.values(check)[0])}`);
    migrateJobs(db);
    return db;
  } catch (error) {
    try {
      db.close();
    } catch {
      // unusable already
    }
    throw error;
  }
}

/** Opens (or creates) the jobs database; an unreadable file is moved aside, never deleted. */
export function openJobsDatabase(file: string): { db: DatabaseSync; recovered?: { movedTo: string; reason: string } } {
  try {
    return { db: open(file) };
  } catch (error) {
    if (!existsSync(file)) throw error;
    const movedTo = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, movedTo);
    for (const suffix of ['-wal', '-shm']) if (existsSync(file + suffix)) renameSync(file + suffix, movedTo + suffix);
    return { db: open(file), recovered: { movedTo, reason: (error as Error).message } };
  }
}
