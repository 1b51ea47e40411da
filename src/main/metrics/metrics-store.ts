import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { HostTrends, MetricsHistory } from '../../shared/contract';
import { inTransaction } from '../sqlite-transaction';
import { openMetricsDatabase, type OpenedMetricsDatabase } from './metrics-db';

/** Samples newer than this stay as read; older ones become 5-minute averages. */
export const RAW_WINDOW_MS = 2 * 3_600_000;
export const BUCKET_MS = 5 * 60_000;

export interface SeriesKey {
  kind: 'host' | 'vm';
  hostId: string;
  /** '' for a host. */
  vmId: string;
}

export interface Sample {
  cpuPercent: number | null;
  memoryAssignedMb: number | null;
  memoryDemandMb: number | null;
  memoryUsedMb: number | null;
}

export interface SampleBatch {
  /** When the sync observed these figures (ms since 1970). */
  at: number;
  samples: Array<SeriesKey & Sample>;
}

export interface MaintenanceResult {
  pruned: number;
  rolledUp: number;
}

type Row = { t: number; cpu: number | null; mem_assigned: number | null; mem_demand: number | null; mem_used: number | null };

const round1 = (v: number | null) => (v === null || !Number.isFinite(v) ? null : Math.round(v * 10) / 10);
const round0 = (v: number | null) => (v === null || !Number.isFinite(v) ? null : Math.round(v));

/**
 * The only reader and writer of metrics.db. A quick sync of one host is one transaction (its own
 * row and one per running VM); `maintain` drops what is older than the retention and folds samples
 * older than RAW_WINDOW_MS into 5-minute averages, so a long retention stays small and fast.
 */
export class MetricsStore {
  private readonly seriesIds = new Map<string, number>();
  private readonly insert: StatementSync;
  private readonly findSeries: StatementSync;
  private readonly addSeries: StatementSync;
  private readonly readRange: StatementSync;
  private readonly hostSeries: StatementSync;
  private samplesWritten = 0;
  /** Everything before this is already averaged: each pass reads only the newly aged samples. */
  private rolledBefore: number;

  static open(file: string, now: () => Date = () => new Date()): MetricsStore {
    return new MetricsStore(openMetricsDatabase(file, now));
  }

  constructor(private readonly opened: OpenedMetricsDatabase) {
    const db = this.db;
    this.insert = db.prepare('INSERT OR REPLACE INTO samples (series_id, t, cpu, mem_assigned, mem_demand, mem_used, rolled) VALUES (?, ?, ?, ?, ?, ?, 0)');
    this.findSeries = db.prepare('SELECT series_id FROM series WHERE kind = ? AND host_id = ? AND vm_id = ?');
    this.addSeries = db.prepare('INSERT INTO series (kind, host_id, vm_id) VALUES (?, ?, ?) RETURNING series_id');
    this.readRange = db.prepare('SELECT t, cpu, mem_assigned, mem_demand, mem_used FROM samples WHERE series_id = ? AND t >= ? ORDER BY t');
    this.hostSeries = db.prepare("SELECT series_id, host_id FROM series WHERE kind = 'host' ORDER BY host_id");
    const mark = db.prepare("SELECT value FROM meta WHERE key = 'rolledBefore'").get() as { value: string } | undefined;
    this.rolledBefore = mark ? Number(mark.value) : 0;
  }

  get db(): DatabaseSync {
    return this.opened.db;
  }

  get recovered(): OpenedMetricsDatabase['recovered'] {
    return this.opened.recovered;
  }

  /** Writes one sync's samples in one transaction. */
  write(batch: SampleBatch): void {
    if (batch.samples.length === 0) return;
    inTransaction(this.db, () => {
      for (const s of batch.samples) {
        this.insert.run(this.seriesId(s, true)!, batch.at, round1(s.cpuPercent), round0(s.memoryAssignedMb), round0(s.memoryDemandMb), round0(s.memoryUsedMb));
      }
    });
    this.samplesWritten += batch.samples.length;
  }

  /** One series from `sinceMs` on, oldest first; empty when nothing was recorded. */
  history(key: SeriesKey, sinceMs: number, retentionHours: number): MetricsHistory {
    const out: MetricsHistory = { t: [], cpuPercent: [], memoryAssignedMb: [], memoryDemandMb: [], memoryUsedMb: [], retentionHours };
    const id = this.seriesId(key, false);
    if (id === undefined) return out;
    for (const row of this.readRange.all(id, sinceMs) as Row[]) {
      out.t.push(row.t);
      out.cpuPercent.push(row.cpu);
      out.memoryAssignedMb.push(row.mem_assigned);
      out.memoryDemandMb.push(row.mem_demand);
      out.memoryUsedMb.push(row.mem_used);
    }
    return out;
  }

  /** Every host's CPU and memory in use since `sinceMs`. */
  trends(sinceMs: number): HostTrends {
    // One primary-key range per host: a time-index scan would also walk every VM's samples.
    const hosts: HostTrends['hosts'] = [];
    for (const { series_id, host_id } of this.hostSeries.all() as Array<{ series_id: number; host_id: string }>) {
      const trend = { hostId: host_id, t: [] as number[], cpuPercent: [] as Array<number | null>, memoryUsedMb: [] as Array<number | null> };
      for (const row of this.readRange.all(series_id, sinceMs) as Row[]) {
        trend.t.push(row.t);
        trend.cpuPercent.push(row.cpu);
        trend.memoryUsedMb.push(row.mem_used);
      }
      if (trend.t.length) hosts.push(trend);
    }
    return { hosts };
  }

  /**
   * Drops samples older than the retention, then replaces raw samples older than RAW_WINDOW_MS
   * with one average per 5-minute bucket. The cut is on a bucket boundary, so a bucket is never
   * averaged twice from half its samples.
   */
  maintain(nowMs: number, retentionHours: number): MaintenanceResult {
    const keepFrom = nowMs - retentionHours * 3_600_000;
    const rollBefore = Math.floor((nowMs - RAW_WINDOW_MS) / BUCKET_MS) * BUCKET_MS;
    const from = Math.min(this.rolledBefore, rollBefore);
    const result = inTransaction(this.db, () => {
      const pruned = Number(this.db.prepare('DELETE FROM samples WHERE t < ?').run(keepFrom).changes);
      this.db.exec('CREATE TEMP TABLE IF NOT EXISTS rollup (series_id INTEGER, t INTEGER, cpu REAL, mem_assigned REAL, mem_demand REAL, mem_used REAL)');
      this.db.exec('DELETE FROM temp.rollup');
      this.db
        .prepare(
          `INSERT INTO temp.rollup SELECT series_id, (t / ${BUCKET_MS}) * ${BUCKET_MS}, avg(cpu), avg(mem_assigned), avg(mem_demand), avg(mem_used)
           FROM samples WHERE t >= ? AND t < ? AND rolled = 0 GROUP BY series_id, t / ${BUCKET_MS}`,
        )
        .run(from, rollBefore);
      const rolledUp = Number(this.db.prepare('DELETE FROM samples WHERE t >= ? AND t < ? AND rolled = 0').run(from, rollBefore).changes);
      this.db.exec(
        'INSERT OR REPLACE INTO samples (series_id, t, cpu, mem_assigned, mem_demand, mem_used, rolled) SELECT series_id, t, round(cpu, 1), round(mem_assigned), round(mem_demand), round(mem_used), 1 FROM temp.rollup',
      );
      this.db.exec('DELETE FROM temp.rollup');
      // A removed host or deleted VM leaves a series with no samples once its history ages out.
      this.db.exec('DELETE FROM series WHERE NOT EXISTS (SELECT 1 FROM samples WHERE samples.series_id = series.series_id)');
      this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('rolledBefore', ?)").run(String(rollBefore));
      this.seriesIds.clear();
      return { pruned, rolledUp };
    });
    this.rolledBefore = rollBefore;
    return result;
  }

  /** Figures for Diagnostics; counting every row is a full scan, so `countRows` is for maintenance and tests. */
  stats(countRows = false): { samplesWritten: number; samples?: number; series?: number } {
    if (!countRows) return { samplesWritten: this.samplesWritten };
    const series = Number((this.db.prepare('SELECT count(*) AS n FROM series').get() as { n: number }).n);
    const samples = Number((this.db.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n);
    return { series, samples, samplesWritten: this.samplesWritten };
  }

  close(): void {
    this.db.close();
  }

  private seriesId(key: SeriesKey, create: boolean): number | undefined {
    const cacheKey = `${key.kind}\u0000${key.hostId}\u0000${key.vmId}`;
    const cached = this.seriesIds.get(cacheKey);
    if (cached !== undefined) return cached;
    const found = this.findSeries.get(key.kind, key.hostId, key.vmId) as { series_id: number } | undefined;
    let id = found?.series_id;
    if (id === undefined && create) id = Number((this.addSeries.get(key.kind, key.hostId, key.vmId) as { series_id: number }).series_id);
    if (id !== undefined) this.seriesIds.set(cacheKey, Number(id));
    return id === undefined ? undefined : Number(id);
  }
}
