/**
 * Counters and moving averages for one lane or one host. Tasks only move between states through
 * these methods, one step at a time, which is what keeps the counts adding up.
 */
import type { DurationStats, TaskCounts, TaskOutcome } from './types';

/** Weight of the newest sample: about the last ten tasks dominate the average. */
const EWMA_ALPHA = 0.2;

export function emptyCounts(): TaskCounts {
  return { submitted: 0, queued: 0, running: 0, done: 0, failed: 0, timedOut: 0, cancelled: 0 };
}

export function addCounts(into: TaskCounts, from: TaskCounts): TaskCounts {
  into.submitted += from.submitted;
  into.queued += from.queued;
  into.running += from.running;
  into.done += from.done;
  into.failed += from.failed;
  into.timedOut += from.timedOut;
  into.cancelled += from.cancelled;
  return into;
}

function ewma(previous: number, sample: number, first: boolean): number {
  return first ? sample : previous + EWMA_ALPHA * (sample - previous);
}

export class TaskStats {
  readonly counts: TaskCounts = emptyCounts();
  #ewmaDurationMs = 0;
  #ewmaWaitMs = 0;
  #durationSamples = 0;
  #waitSamples = 0;
  /** Highest `running` ever seen. */
  maxConcurrentSeen = 0;

  submitted(): void {
    this.counts.submitted++;
    this.counts.queued++;
  }

  started(waitMs: number): void {
    this.counts.queued--;
    this.counts.running++;
    if (this.counts.running > this.maxConcurrentSeen) this.maxConcurrentSeen = this.counts.running;
    this.#ewmaWaitMs = ewma(this.#ewmaWaitMs, waitMs, this.#waitSamples++ === 0);
  }

  /** A queued task left without running (cancelled or scheduler closed). */
  dropped(): void {
    this.counts.queued--;
    this.counts.cancelled++;
  }

  /** A running task reached its single outcome. Only done/failed feed the duration average:
   *  a timeout or cancellation measures the limit or the caller, not the host. */
  finished(outcome: TaskOutcome, durationMs: number): void {
    this.counts.running--;
    this.counts[outcome]++;
    if (outcome === 'done' || outcome === 'failed') {
      this.#ewmaDurationMs = ewma(this.#ewmaDurationMs, durationMs, this.#durationSamples++ === 0);
    }
  }

  durations(): DurationStats {
    return { ewmaDurationMs: this.#ewmaDurationMs, ewmaWaitMs: this.#ewmaWaitMs };
  }
}
