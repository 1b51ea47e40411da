import type { MetricGroup } from '../../shared/contract';
import type { RemoteTaskScheduler } from '../tasks';

export function schedulerSummary(scheduler: RemoteTaskScheduler): string {
  const t = scheduler.metrics().totals;
  return `${t.running} running, ${t.queued} queued, ${t.done} done, ${t.failed} failed, ${t.timedOut} timed out`;
}

/** Scheduler lanes and hosts as flat rows for the Diagnostics view. */
export function schedulerMetricGroups(scheduler: RemoteTaskScheduler): MetricGroup[] {
  const m = scheduler.metrics();
  return [
    {
      name: 'Scheduler lanes',
      rows: Object.values(m.lanes).map((l) => ({
        lane: l.lane,
        concurrency: `${l.concurrency} (${l.minConcurrency}–${l.maxConcurrency})`,
        queued: l.queued,
        running: l.running,
        done: l.done,
        failed: l.failed,
        timedOut: l.timedOut,
        cancelled: l.cancelled,
        ewmaRunMs: Math.round(l.ewmaDurationMs),
        ewmaWaitMs: Math.round(l.ewmaWaitMs),
      })),
    },
    {
      name: 'Scheduler hosts',
      rows: m.hosts.map((h) => ({
        host: h.hostId,
        running: h.running,
        queued: h.queued,
        done: h.done,
        failed: h.failed,
        timedOut: h.timedOut,
        maxConcurrentSeen: h.maxConcurrentSeen,
      })),
    },
  ];
}
