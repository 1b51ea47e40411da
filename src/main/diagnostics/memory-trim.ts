import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { MetricGroup } from '../../shared/contract';
import type { Logger } from '../log';

type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

export interface MemoryTrimOptions {
  /** Trim once nothing asked for a trim for this long (the burst is over). */
  quietMs?: number;
  /** Never trim more often than this. */
  minIntervalMs?: number;
  /** The collector to call; the default is V8's, reached at runtime (see `v8Collector`). */
  collect?: GcFunction;
  rssMb?: () => number;
}

/**
 * V8's garbage collector, reached without a command-line flag: `--expose-gc` set at runtime makes
 * `gc` available in contexts created afterwards. Undefined if this runtime refuses.
 */
export function v8Collector(): GcFunction | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as GcFunction) : undefined;
  } catch {
    return undefined;
  }
}

const rssNow = () => process.memoryUsage().rss / 2 ** 20;

/**
 * Gives the memory a burst of work left behind back to the operating system. A full inventory
 * refresh of hundreds of hosts allocates far more than it keeps; V8 returns freed heap pages only
 * on a memory-reducing collection, and under Node its memory reducer never starts by itself in an
 * idle process, so the main process would keep its peak size for good. Services call `request()`
 * when a burst ends; once things have been quiet for `quietMs` (and at most once per
 * `minIntervalMs`) one such collection runs. It pauses the main thread (tens of milliseconds for
 * this app's heap), so it is logged with its pause and the memory before and after.
 */
export class MemoryTrimmer {
  private readonly quietMs: number;
  private readonly minIntervalMs: number;
  private readonly collect: GcFunction | undefined;
  private readonly rssMb: () => number;
  private timer: NodeJS.Timeout | undefined;
  private lastTrimAt = -Infinity;
  private readonly reasons = new Set<string>();
  private trims = 0;
  private last: { at: string; pauseMs: number; rssBeforeMb: number; rssAfterMb: number; reason: string } | undefined;

  constructor(
    private readonly log: Logger,
    options: MemoryTrimOptions = {},
  ) {
    this.quietMs = options.quietMs ?? 2_000;
    this.minIntervalMs = options.minIntervalMs ?? 60_000;
    this.collect = 'collect' in options ? options.collect : v8Collector();
    this.rssMb = options.rssMb ?? rssNow;
  }

  /** A burst of work just ended (e.g. a full refresh cycle); trim once things are quiet. */
  request(reason: string): void {
    if (!this.collect) return;
    this.reasons.add(reason);
    clearTimeout(this.timer);
    const wait = Math.max(this.quietMs, this.lastTrimAt + this.minIntervalMs - performance.now());
    this.timer = setTimeout(() => this.trim(), wait);
    this.timer.unref();
  }

  metrics(): MetricGroup {
    return {
      name: 'Memory trim',
      rows: [
        {
          available: Boolean(this.collect),
          trims: this.trims,
          lastAt: this.last?.at ?? null,
          lastReason: this.last?.reason ?? null,
          lastPauseMs: this.last?.pauseMs ?? null,
          lastRssBeforeMb: this.last?.rssBeforeMb ?? null,
          lastRssAfterMb: this.last?.rssAfterMb ?? null,
        },
      ],
    };
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private trim(): void {
    this.timer = undefined;
    const reason = [...this.reasons].join(', ');
    this.reasons.clear();
    const rssBeforeMb = Math.round(this.rssMb());
    const started = performance.now();
    this.collect!({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    const pauseMs = Math.round(performance.now() - started);
    this.lastTrimAt = performance.now();
    this.trims++;
    this.last = { at: new Date().toISOString(), pauseMs, rssBeforeMb, rssAfterMb: Math.round(this.rssMb()), reason };
    this.log.info('memory trimmed', { ...this.last });
  }
}
