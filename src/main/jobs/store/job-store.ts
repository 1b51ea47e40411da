import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { inTransaction } from '../../sqlite-transaction';
import type { JobFilter, JobLine, JobRecord, JobSort } from '../../../shared/contract';
import { openJobsDatabase } from './job-db';
import { jobSortValue } from '../../../shared/job-sort';
import { isDiskFull } from '../../diagnostics/faults';
import { DEFAULT_RETENTION, deleteJobs, jobsToPrune, reclaimSpace, truncatedLineText, type JobRetention } from './retention';

type Row = Record<string, string | number | null>;

const FLUSH_MS = 15;
const MAX_BATCH = 500;
/** A record upsert for a new line count is published at most this often per job. */
const LINE_COUNT_PUBLISH_MS = 1000;
/** Retention runs at open and then this often. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;
/** While the disk is full, writes are retried this often … */
const RETRY_MS = 5_000;
/** … holding at most this many unsaved lines in memory; later ones are dropped (and counted). */
const MAX_UNSAVED_LINES = 20_000;

export interface JobStoreEvents {
  /** Records changed (state, timings, counts); already persisted. */
  records(records: JobRecord[]): void;
  /** New output lines; already persisted (a client never sees a line the file does not have). */
  lines(lines: JobLine[]): void;
  /** Jobs removed by retention (already deleted from the file). */
  removed?(ids: string[]): void;
}

export interface JobStoreOptions {
  /** Read at every prune and line, so a settings change applies at once. */
  retention?: () => JobRetention;
  /** A write failed because the disk is full (reported once per episode); the store retries. */
  onDiskFull?: (error: unknown) => void;
  /** A prune failed for another reason; it is tried again at the next round. */
  onPruneFailed?: (error: unknown) => void;
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
const parse = <T>(v: string | number | null | undefined, fallback: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : fallback);

function fromRow(r: Row): JobRecord {
  return {
    id: String(r.id),
    type: r.type as JobRecord['type'],
    state: r.state as JobRecord['state'],
    hostId: (r.host_id as string | null) ?? null,
    hostName: (r.host_name as string | null) ?? null,
    vmId: (r.vm_id as string | null) ?? null,
    vmName: (r.vm_name as string | null) ?? null,
    action: (r.action as string | null) ?? null,
    parameters: parse(r.parameters, {}),
    createdAt: String(r.created_at),
    startedAt: (r.started_at as string | null) ?? null,
    finishedAt: (r.finished_at as string | null) ?? null,
    result: parse(r.result, null),
    error: parse(r.error, null),
    lineCount: Number(r.line_count),
    parentId: (r.parent_id as string | null) ?? null,
    warnings: parse(r.warnings, []),
    bulk: parse(r.bulk, null),
  };
}

/**
 * Job records (all kept in memory, newest last) and their output lines (only in SQLite). Lines are
 * buffered for a few milliseconds and written in one transaction, then published: what a client
 * sees is always on disk first, so a crash loses at most the last ~15 ms of output.
 */
export class JobStore {
  private readonly db: DatabaseSync;
  private readonly records = new Map<string, JobRecord>();
  private readonly order = new Map<string, number>();
  private ord = 0;
  private pending: JobLine[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly lastCountPublish = new Map<string, number>();
  private readonly st: Record<'upsert' | 'line' | 'count' | 'lines', StatementSync>;
  readonly recovered?: { movedTo: string; reason: string };
  /** Jobs found queued/running at open (the previous run stopped): now `interrupted`. */
  readonly interruptedAtOpen: string[] = [];
  /** Records changed in memory whose write failed (disk full); written with the next retry. */
  private readonly unsaved = new Set<string>();
  private diskFull = false;
  /** The retention settings as last read (each flush and prune re-reads them; appendLine is hot). */
  private limits: JobRetention = DEFAULT_RETENTION;
  private droppedWhileFull = 0;
  private readonly pruneTimer: NodeJS.Timeout;
  /** What the last prune did, for metrics and tests. */
  lastPrune: { at: string; removed: number; vacuumed: boolean } | undefined;
  /** The prune that runs when the store opens. */
  readonly openingPrune: Promise<void>;
  private pruning: Promise<{ removed: number; vacuumed: boolean }> | undefined;
  private closed = false;

  constructor(
    file: string,
    private readonly events: JobStoreEvents,
    private readonly now: () => Date = () => new Date(),
    private readonly options: JobStoreOptions = {},
  ) {
    const opened = openJobsDatabase(file);
    this.db = opened.db;
    if (opened.recovered) this.recovered = opened.recovered;
    this.st = {
      upsert: this.db.prepare(`INSERT OR REPLACE INTO jobs (id, ord, type, state, host_id, host_name, vm_id, vm_name, action, parameters, created_at, started_at, finished_at, result, error, line_count, parent_id, warnings, bulk)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      line: this.db.prepare('INSERT OR REPLACE INTO job_lines (job_id, seq, stream, level, text, step, at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      count: this.db.prepare('UPDATE jobs SET line_count = ? WHERE id = ?'),
      lines: this.db.prepare('SELECT job_id, seq, stream, level, text, step, at FROM job_lines WHERE job_id = ? AND seq >= ? ORDER BY seq LIMIT ?'),
    };
    for (const row of this.db.prepare('SELECT * FROM jobs ORDER BY ord').all() as Row[]) {
      const record = fromRow(row);
      this.records.set(record.id, record);
      this.order.set(record.id, Number(row.ord));
      this.ord = Math.max(this.ord, Number(row.ord));
    }
    this.interruptAll();
    this.openingPrune = this.safePrune(true);
    this.pruneTimer = setInterval(() => void this.safePrune(false), PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
  }

  private retention(): JobRetention {
    this.limits = this.options.retention?.() ?? DEFAULT_RETENTION;
    return this.limits;
  }

  /**
   * Removes finished jobs past the retention settings (never queued or running ones) and their
   * lines, then reclaims space. Runs at open and hourly, in chunks that leave the event loop free
   * in between; one prune at a time.
   */
  prune(atStart = false): Promise<{ removed: number; vacuumed: boolean }> {
    // One at a time: a request while one runs starts after it, with the settings of that moment.
    const run = (this.pruning ?? Promise.resolve()).catch(() => undefined).then(() => this.pruneNow(atStart));
    this.pruning = run;
    void run.catch(() => undefined).finally(() => {
      if (this.pruning === run) this.pruning = undefined;
    });
    return run;
  }

  private async pruneNow(atStart: boolean): Promise<{ removed: number; vacuumed: boolean }> {
    if (this.closed) return { removed: 0, vacuumed: false };
    this.flush();
    const ids = jobsToPrune(this.all(), this.retention(), this.now());
    const deleted = await deleteJobs(this.db, ids, (id) => this.records.get(id)?.lineCount ?? 0, () => this.closed);
    if (this.closed) return { removed: deleted.length, vacuumed: false };
    for (const id of deleted) {
      this.records.delete(id);
      this.order.delete(id);
      this.lastCountPublish.delete(id);
      this.unsaved.delete(id);
    }
    if (deleted.length) this.events.removed?.(deleted);
    const vacuumed = deleted.length || atStart ? reclaimSpace(this.db, atStart) : false;
    this.lastPrune = { at: this.now().toISOString(), removed: deleted.length, vacuumed };
    return { removed: deleted.length, vacuumed };
  }

  /**
   * Pruning needs a little space itself (the WAL): on a full disk it waits for the next round.
   * Any other failure goes to onPruneFailed, or else rejects, for the process's last-resort
   * handler to log and show in Diagnostics; the store keeps working either way.
   */
  private async safePrune(atStart: boolean): Promise<void> {
    try {
      await this.prune(atStart);
    } catch (error) {
      if (isDiskFull(error)) this.options.onDiskFull?.(error);
      else if (this.options.onPruneFailed) this.options.onPruneFailed(error);
      else throw error;
    }
  }

  /** Runs a write; a full disk is reported once and retried later instead of thrown. */
  private tryWrite(work: () => void): boolean {
    try {
      this.transaction(work);
      if (this.diskFull) {
        this.diskFull = false;
        this.droppedWhileFull = 0;
      }
      return true;
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      if (!this.diskFull) this.options.onDiskFull?.(error);
      this.diskFull = true;
      this.timer ??= setTimeout(() => this.flush(), RETRY_MS);
      return false;
    }
  }

  private interruptAll(): void {
    const at = this.now().toISOString();
    const changed: JobRecord[] = [];
    for (const r of this.records.values()) {
      if (r.state !== 'queued' && r.state !== 'running') continue;
      // Line counts may lag the lines table after a crash: count what is really there.
      const count = Number((this.db.prepare('SELECT COUNT(*) AS n FROM job_lines WHERE job_id = ?').get(r.id) as { n: number }).n);
      changed.push({
        ...r,
        state: 'interrupted',
        finishedAt: at,
        lineCount: count,
        error: r.type === 'bulk' ? null : { code: 'INTERRUPTED', message: `The app stopped while this job was ${r.state}; the host may have finished it — check the VM, then run it again if needed.` },
      });
      this.interruptedAtOpen.push(r.id);
    }
    if (changed.length) this.transaction(() => changed.forEach((r) => this.write(r)));
    changed.forEach((r) => this.records.set(r.id, r));
  }

  private transaction(work: () => void): void {
    inTransaction(this.db, work, 'DEFERRED');
  }

  private write(r: JobRecord): void {
    if (!this.order.has(r.id)) this.order.set(r.id, ++this.ord);
    this.st.upsert.run(
      r.id, this.order.get(r.id)!, r.type, r.state, r.hostId, r.hostName, r.vmId, r.vmName, r.action, JSON.stringify(r.parameters), r.createdAt,
      r.startedAt, r.finishedAt, json(r.result), json(r.error), r.lineCount, r.parentId, JSON.stringify(r.warnings), json(r.bulk),
    );
  }

  /** Writes records now (state changes are never batched) and publishes them. */
  put(...records: JobRecord[]): void {
    if (!records.length) return;
    for (const r of records) if (!this.order.has(r.id)) this.order.set(r.id, ++this.ord);
    // The state is real whether or not the disk takes it now: keep and publish it, write it later.
    // While the disk is full, a record waits for its held lines (one retry writes both), so the
    // file never says "completed, 250 lines" while holding 50.
    if (this.diskFull || !this.tryWrite(() => records.forEach((r) => this.write(r)))) records.forEach((r) => this.unsaved.add(r.id));
    records.forEach((r) => this.records.set(r.id, r));
    this.events.records(records);
  }

  get(id: string): JobRecord | undefined {
    return this.records.get(id);
  }

  all(): JobRecord[] {
    return [...this.records.values()];
  }

  /** Newest first. */
  recent(limit: number): JobRecord[] {
    const all = this.all();
    return all.slice(Math.max(0, all.length - limit)).reverse();
  }

  /** Appends a line (seq assigned here); persisted and published with the next batch. */
  appendLine(jobId: string, line: Omit<JobLine, 'jobId' | 'seq' | 'at'> & { at?: string }): void {
    const record = this.records.get(jobId);
    if (!record) return;
    const max = this.limits.maxOutputLinesPerJob;
    if (record.lineCount > max) return;
    if (this.pending.length >= MAX_UNSAVED_LINES) {
      this.droppedWhileFull++;
      return;
    }
    const at = line.at ?? this.now().toISOString();
    const full: JobLine =
      record.lineCount === max
        ? { jobId, seq: record.lineCount, at, stream: 'system', level: 'warn', text: truncatedLineText(max), step: line.step }
        : { jobId, seq: record.lineCount, at, stream: line.stream, level: line.level, text: line.text, step: line.step };
    record.lineCount++;
    this.pending.push(full);
    // While the disk is full only the retry timer writes: a failing write per line would stall the loop.
    if (this.pending.length >= MAX_BATCH && !this.diskFull) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.retention();
    if (!this.pending.length && !this.unsaved.size) return;
    const batch = this.pending;
    const jobs = new Set(batch.map((l) => l.jobId).filter((id) => this.records.has(id)));
    const unsaved = [...this.unsaved].map((id) => this.records.get(id)).filter((r): r is JobRecord => r !== undefined);
    const saved = this.tryWrite(() => {
      for (const r of unsaved) this.write(r);
      for (const l of batch) if (jobs.has(l.jobId)) this.st.line.run(l.jobId, l.seq, l.stream, l.level, l.text, l.step, l.at);
      for (const id of jobs) this.st.count.run(this.records.get(id)!.lineCount, id);
    });
    // Unsaved lines stay pending (bounded in appendLine) and are published once on disk.
    if (!saved) return;
    this.pending = [];
    this.unsaved.clear();
    if (!batch.length) return;
    this.events.lines(batch);
    const now = Date.now();
    const due: JobRecord[] = [];
    for (const id of jobs) {
      if (now - (this.lastCountPublish.get(id) ?? 0) < LINE_COUNT_PUBLISH_MS) continue;
      this.lastCountPublish.set(id, now);
      due.push({ ...this.records.get(id)! });
    }
    if (due.length) this.events.records(due);
  }

  lines(jobId: string, fromLine = 0, max = 100_000): JobLine[] {
    this.flush();
    return (this.st.lines.all(jobId, fromLine, max) as Row[]).map((r) => ({
      jobId: String(r.job_id),
      seq: Number(r.seq),
      stream: r.stream as JobLine['stream'],
      level: r.level as JobLine['level'],
      text: String(r.text),
      step: (r.step as string | null) ?? null,
      at: String(r.at),
    }));
  }

  list(filter: JobFilter = {}, sort: JobSort = { by: 'createdAt', dir: 'desc' }, limit = 1000): { jobs: JobRecord[]; total: number } {
    const name = filter.vmName?.toLowerCase();
    const matched = this.all().filter(
      (r) =>
        (!filter.state?.length || filter.state.includes(r.state)) &&
        (!filter.type?.length || filter.type.includes(r.type)) &&
        (!filter.hostId || r.hostId === filter.hostId) &&
        (filter.parentId === undefined || r.parentId === filter.parentId) &&
        (!name || (r.vmName ?? '').toLowerCase().includes(name)),
    );
    const sign = sort.dir === 'asc' ? 1 : -1;
    matched.sort((a, b) => sign * (jobSortValue(a, sort.by).localeCompare(jobSortValue(b, sort.by)) || this.order.get(a.id)! - this.order.get(b.id)!));
    return { jobs: matched.slice(0, limit), total: matched.length };
  }

  /** Lines not kept because the disk was full and the in-memory buffer was at its bound. */
  get linesDroppedWhileDiskFull(): number {
    return this.droppedWhileFull;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.pruneTimer);
    this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.db.close();
  }
}
