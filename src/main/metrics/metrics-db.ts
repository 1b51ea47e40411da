import { existsSync, renameSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';

/**
 * metrics.db: CPU and memory history, one row per series (a host or a VM on a host) per sample.
 * Series ids are small integers so a sample row is ~30 bytes instead of carrying two GUIDs; the
 * primary key (series, t) is the read path ("this VM since then") and keeps rows clustered.
 */
const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE series (
        series_id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('host', 'vm')),
        host_id TEXT NOT NULL,
        vm_id TEXT NOT NULL DEFAULT '',
        UNIQUE (kind, host_id, vm_id)
      );
      -- cpu: percent of the host's processors; memory in MB: assigned and demand (a host: the sums
      -- over its VMs), used (a host: physical memory in use; null for a VM). rolled = 1 marks a
      -- 5-minute average that replaced the raw samples of that bucket.
      CREATE TABLE samples (
        series_id INTEGER NOT NULL,
        t INTEGER NOT NULL,
        cpu REAL,
        mem_assigned REAL,
        mem_demand REAL,
        mem_used REAL,
        rolled INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (series_id, t)
      ) WITHOUT ROWID;
      CREATE INDEX samples_by_time ON samples (t);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
];

export interface OpenedMetricsDatabase {
  db: DatabaseSync;
  /** Set when the previous file was unreadable and moved aside (never deleted). */
  recovered?: { movedTo: string; reason: string };
}

function migrate(db: DatabaseSync): void {
  const current = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(m.sql);
      db.exec(`PRAGMA user_version = ${m.version}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}

function tryOpen(file: string): DatabaseSync {
  const db = new DatabaseSync(file);
  try {
    // WAL like inventory.db: the history reads of the pages never wait for a sync's batch write.
    // NORMAL: losing the last samples in a power cut is acceptable for a trend history.
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA busy_timeout = 5000');
    const rows = db.prepare('PRAGMA quick_check').all() as Array<Record<string, unknown>>;
    const messages = rows.map((r) => String(Object.values(r)[0]));
    if (!(messages.length === 1 && messages[0] === 'ok')) throw new Error(`integrity check failed: ${messages.slice(0, 3).join('; ')}`);
    migrate(db);
    return db;
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
 * Opens `{dataDir}/metrics.db`. A file that cannot be read is renamed to
 * `metrics.db.corrupt-<timestamp>` (with its -wal/-shm) and a new, empty history starts: charts
 * are a convenience, so the app never refuses to start over them.
 */
export function openMetricsDatabase(file: string, now: () => Date = () => new Date()): OpenedMetricsDatabase {
  try {
    return { db: tryOpen(file) };
  } catch (error) {
    const reason = (error as Error).message;
    if (!existsSync(file)) throw new Error(`cannot create the metrics database ${file}: ${reason}`);
    const movedTo = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, movedTo);
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(file + suffix)) renameSync(file + suffix, movedTo + suffix);
    }
    return { db: tryOpen(file), recovered: { movedTo, reason } };
  }
}
