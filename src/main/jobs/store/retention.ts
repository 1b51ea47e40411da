import type { DatabaseSync } from 'node:sqlite';
import type { JobRecord } from '../../../shared/contract';
import { inTransaction } from '../../sqlite-transaction';

/** The jobs part of the settings that bounds jobs.db (see README, Configuration and data). */
export interface JobRetention {
  /** Finished jobs older than this many days are removed; 0 keeps them (until maxJobs). */
  retentionDays: number;
  /** At most this many finished top-level jobs are kept (a bulk job counts once, with its children). */
  maxJobs: number;
  /** Lines kept per job; the line after the last kept one says the output was truncated. */
  maxOutputLinesPerJob: number;
}

export const DEFAULT_RETENTION: JobRetention = { retentionDays: 90, maxJobs: 10_000, maxOutputLinesPerJob: 50_000 };

const DAY_MS = 86_400_000;
/** Ids deleted per transaction: short write locks, so live output keeps flowing while pruning. */
const DELETE_CHUNK = 200;
/** … and about this many output lines (a few milliseconds of work per chunk). */
const DELETE_CHUNK_LINES = 5_000;
/** VACUUM at start only when at least this share of the file, and this many bytes, are free pages. */
const VACUUM_FREE_SHARE = 0.25;
const VACUUM_FREE_BYTES = 8 * 1024 * 1024;

const isActive = (r: JobRecord) => r.state === 'queued' || r.state === 'running';

/**
 * Which jobs to remove: finished top-level jobs older than the retention, then the oldest beyond
 * maxJobs; a bulk job goes with its children, and nothing queued or running (nor a family with an
 * active member) is ever chosen. `records` are oldest first.
 */
export function jobsToPrune(records: readonly JobRecord[], retention: JobRetention, now: Date): string[] {
  const byId = new Map(records.map((r) => [r.id, r]));
  const families = new Map<string, JobRecord[]>();
  for (const r of records) {
    const top = r.parentId && byId.has(r.parentId) ? r.parentId : r.id;
    const family = families.get(top) ?? [];
    family.push(r);
    families.set(top, family);
  }
  const cutoff = retention.retentionDays > 0 ? now.getTime() - retention.retentionDays * DAY_MS : -Infinity;
  const finished: Array<{ id: string; ended: number }> = [];
  for (const [top, family] of families) {
    if (family.some(isActive)) continue;
    const head = byId.get(top)!;
    const ended = Date.parse(head.finishedAt ?? head.createdAt);
    finished.push({ id: top, ended: Number.isNaN(ended) ? 0 : ended });
  }
  // `records` (and so `finished`) are in creation order: the first ones are the oldest.
  const old = new Set(finished.filter((f) => f.ended < cutoff).map((f) => f.id));
  const kept = finished.filter((f) => !old.has(f.id));
  for (const f of kept.slice(0, Math.max(0, kept.length - retention.maxJobs))) old.add(f.id);
  return [...old].flatMap((top) => families.get(top)!.map((r) => r.id));
}

/**
 * Deletes the jobs and their lines, a chunk per transaction, yielding to the event loop between
 * chunks: removing 10,000 jobs with half a million lines takes seconds, and the main thread must
 * keep serving the UI and live job output meanwhile. `lineCount` sizes the chunks; `stop` is asked
 * before each chunk (the store closing). Returns the ids actually deleted.
 */
export async function deleteJobs(db: DatabaseSync, ids: readonly string[], lineCount: (id: string) => number, stop: () => boolean = () => false): Promise<string[]> {
  const lines = db.prepare('DELETE FROM job_lines WHERE job_id = ?');
  const job = db.prepare('DELETE FROM jobs WHERE id = ?');
  const deleted: string[] = [];
  let i = 0;
  while (i < ids.length) {
    if (stop()) break;
    const chunk: string[] = [];
    let weight = 0;
    while (i < ids.length && chunk.length < DELETE_CHUNK && weight < DELETE_CHUNK_LINES) {
      chunk.push(ids[i]!);
      weight += lineCount(ids[i]!);
      i++;
    }
    inTransaction(db, () => {
      for (const id of chunk) {
        lines.run(id);
        job.run(id);
      }
    });
    deleted.push(...chunk);
    if (i < ids.length) await new Promise((resolve) => setImmediate(resolve));
  }
  return deleted;
}

/**
 * Gives freed space back. SQLite reuses free pages for new rows by itself, so a periodic prune only
 * trims the WAL; at start (nothing else is writing yet) a file that is mostly free pages is
 * rewritten with VACUUM. Returns whether it vacuumed.
 */
export function reclaimSpace(db: DatabaseSync, atStart: boolean): boolean {
  const pragma = (name: string) => Number(Object.values(db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown>)[0]);
  const free = pragma('freelist_count');
  const pages = pragma('page_count');
  const pageSize = pragma('page_size');
  const vacuum = atStart && pages > 0 && free / pages >= VACUUM_FREE_SHARE && free * pageSize >= VACUUM_FREE_BYTES;
  if (vacuum) db.exec('VACUUM');
  db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
  return vacuum;
}

/** The line stored in place of everything past the cap. */
export function truncatedLineText(max: number): string {
  return `Output truncated: this job printed more than ${max.toLocaleString('en-US')} lines; later lines were not kept (setting jobs.maxOutputLinesPerJob).`;
}
