import { create } from 'zustand';
import type { BulkAnyRequest, JobLine, JobOutputDelta, JobRecord } from '../../shared/contract';
import type { Backend } from '../backend/backend';
import { applyCollectionDelta, indexById, TopicSync } from './topic-sync';

/**
 * Job records (the 'jobs' topic: revisioned collection deltas) and the output lines of the jobs
 * the user is looking at ('jobOutput' line batches, appended strictly in seq order). Lines of a
 * job nobody watches are not kept: opening a job fetches them with jobs.get.
 */
export interface JobOutput {
  lines: JobLine[];
  /** The seq expected next (= lines.length when complete from 0). */
  next: number;
  /** A jobs.get is on its way (deltas arriving meanwhile are held by seq, not lost). */
  loading: boolean;
  error?: string;
}

export interface JobsState {
  jobs: Record<string, JobRecord>;
  loaded: boolean;
  unavailable?: string;
  output: Record<string, JobOutput>;
  /** A bulk action (or bulk-allowed edit, with its parameters) waiting for the user's confirmation in the preview dialog (bar or palette). */
  bulkRequest?: BulkAnyRequest;
  /** A VM whose delete dialog is open (detail page, bar or palette), by inventory key. */
  deleteKey?: string;
  paletteOpen: boolean;
}

export const useJobs = create<JobsState>(() => ({ jobs: {}, loaded: false, output: {}, paletteOpen: false }));

type Fetch = (id: string, fromLine: number) => Promise<{ ok: true; lines: JobLine[]; job?: JobRecord } | { ok: false; message: string }>;

/**
 * Keeps each watched job's lines gap-free. A batch line with seq == next is appended; seq < next
 * is a duplicate (already fetched); seq > next means lines were missed, so the missing range is
 * fetched with jobs.get {fromLine: next} and lines beyond it wait in `held` until it arrives.
 */
export class JobOutputFeed {
  private readonly watched = new Map<string, number>();
  private readonly held = new Map<string, Map<number, JobLine>>();
  private readonly inFlight = new Set<string>();

  constructor(private readonly fetch: Fetch) {}

  /** Starts keeping a job's lines (ref-counted: two views may show the same job). */
  watch(id: string): () => void {
    this.watched.set(id, (this.watched.get(id) ?? 0) + 1);
    if (!useJobs.getState().output[id]) setOutput(id, { lines: [], next: 0, loading: true });
    void this.refetch(id);
    return () => {
      const n = (this.watched.get(id) ?? 1) - 1;
      if (n > 0) {
        this.watched.set(id, n);
        return;
      }
      this.watched.delete(id);
      this.held.delete(id);
      useJobs.setState((s) => {
        const output = { ...s.output };
        delete output[id];
        return { output };
      });
    };
  }

  isWatched(id: string): boolean {
    return this.watched.has(id);
  }

  /** A jobOutput delta: lines of any job, in arrival order. */
  lines(delta: JobOutputDelta): void {
    const byJob = new Map<string, JobLine[]>();
    for (const line of delta.lines) {
      if (!this.watched.has(line.jobId)) continue;
      const list = byJob.get(line.jobId);
      if (list) list.push(line);
      else byJob.set(line.jobId, [line]);
    }
    for (const [id, lines] of byJob) this.accept(id, lines);
  }

  /** The jobOutput topic had a revision gap (or reconnected): every watched job catches up. */
  resyncAll(): void {
    for (const id of this.watched.keys()) void this.refetch(id);
  }

  private accept(id: string, incoming: JobLine[]): void {
    const current = useJobs.getState().output[id];
    if (!current) return;
    const held = this.held.get(id) ?? new Map<number, JobLine>();
    for (const line of incoming) if (line.seq >= current.next) held.set(line.seq, line);
    this.held.set(id, held);
    this.drain(id);
  }

  /** Appends held lines that continue the sequence; a hole left behind triggers a fetch. */
  private drain(id: string): void {
    const current = useJobs.getState().output[id];
    const held = this.held.get(id);
    if (!current || !held || held.size === 0) return;
    let next = current.next;
    const append: JobLine[] = [];
    for (let line = held.get(next); line; line = held.get(next)) {
      append.push(line);
      held.delete(next);
      next++;
    }
    for (const seq of held.keys()) if (seq < next) held.delete(seq);
    if (append.length) setOutput(id, { ...current, lines: current.lines.concat(append), next });
    if (held.size > 0 && !this.inFlight.has(id)) void this.refetch(id);
  }

  private async refetch(id: string): Promise<void> {
    if (this.inFlight.has(id)) return;
    this.inFlight.add(id);
    let progressed = false;
    try {
      const from = useJobs.getState().output[id]?.next ?? 0;
      const result = await this.fetch(id, from);
      if (!this.watched.has(id)) return;
      const current = useJobs.getState().output[id] ?? { lines: [], next: 0, loading: false };
      if (!result.ok) {
        setOutput(id, { ...current, loading: false, error: result.message });
        return;
      }
      if (result.job) useJobs.setState((s) => ({ jobs: { ...s.jobs, [id]: result.job! } }));
      // Lines appended by deltas while the call was out are skipped by seq.
      let next = current.next;
      const append: JobLine[] = [];
      for (const line of [...result.lines].sort((a, b) => a.seq - b.seq)) {
        if (line.seq < next) continue;
        if (line.seq !== next) break;
        append.push(line);
        next++;
      }
      progressed = next > current.next;
      setOutput(id, { lines: append.length ? current.lines.concat(append) : current.lines, next, loading: false });
      const held = this.held.get(id);
      if (held) for (const seq of held.keys()) if (seq < next) held.delete(seq);
    } finally {
      this.inFlight.delete(id);
    }
    // Held lines may now continue the sequence; a fetch that brought nothing new is not repeated
    // at once (the next delta tries again), so a lagging backend cannot cause a request loop.
    if (progressed) this.drain(id);
    else this.drainWithoutFetch(id);
  }

  private drainWithoutFetch(id: string): void {
    this.inFlight.add(id);
    try {
      this.drain(id);
    } finally {
      this.inFlight.delete(id);
    }
  }
}

function setOutput(id: string, output: JobOutput): void {
  useJobs.setState((s) => ({ output: { ...s.output, [id]: output } }));
}

let activeFeed: JobOutputFeed | undefined;

/** Views call this to see a job's live output; returns the unwatch function. */
export function watchJobOutput(id: string): () => void {
  return activeFeed?.watch(id) ?? (() => undefined);
}

/** The TopicSyncs for 'jobs' and 'jobOutput', wired into the app store's connectStore. */
export function jobsSyncs(backend: Backend): { syncs: TopicSync[]; feed: JobOutputFeed } {
  const feed = new JobOutputFeed(async (id, fromLine) => {
    const result = await backend.invoke('jobs.get', { id, fromLine });
    return result.ok ? { ok: true, lines: result.data.lines, job: result.data.job } : { ok: false, message: result.error.message };
  });
  activeFeed = feed;
  const records = new TopicSync(backend, 'jobs', {
    // Merged, not replaced: records older than the snapshot's 500 (fetched by jobs.list) stay known.
    snapshot: (p) => useJobs.setState((s) => ({ jobs: { ...s.jobs, ...indexById(p as JobRecord[]) }, loaded: true, unavailable: undefined })),
    delta: (p) => useJobs.setState((s) => ({ jobs: applyCollectionDelta(s.jobs, p as { upsert: JobRecord[]; remove: string[] }) })),
    error: (message) => {
      if (!useJobs.getState().loaded) useJobs.setState({ unavailable: message });
    },
  });
  const output = new TopicSync(backend, 'jobOutput', {
    // The snapshot carries no lines: it means "you may have missed some", so watched jobs refetch.
    snapshot: () => feed.resyncAll(),
    delta: (p) => feed.lines(p as JobOutputDelta),
  });
  return { syncs: [records, output], feed };
}

/**
 * Adds records fetched outside the topic (jobs.list, command responses). A record the topic
 * already delivered is kept: it may be newer than a command's response (queued → running).
 */
export function rememberJobs(records: JobRecord[]): void {
  const known = useJobs.getState().jobs;
  const fresh = records.filter((r) => !known[r.id]);
  if (fresh.length) useJobs.setState((s) => ({ jobs: { ...s.jobs, ...indexById(fresh) } }));
}
