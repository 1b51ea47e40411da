/**
 * The adaptive concurrency rule (a pure function, so it is tested without clocks) and the default
 * event-loop probe it reads. The scheduler applies the rule to every lane on an unref'd interval.
 *
 * The rule, per lane, evaluated every `adaptive.intervalMs` (documented in docs/scheduler.md):
 *   1. p99 loop delay > overloadedDelayMs  → shrink by max(1, ⌊c/4⌋), not below min.
 *      Every reply is parsed (XML, CLIXML, NTLM unsealing) on this loop, so when the loop lags,
 *      more tasks in flight only make every task — and the UI — slower.
 *   2. p99 loop delay < healthyDelayMs, the lane is full (running ≥ c) and at least ⌈c/2⌉ tasks
 *      wait for a slot of this lane on hosts that still have room → grow by 1, not above max.
 *      Tasks waiting only for a saturated host are not counted: a bigger lane would not start them.
 *   3. nothing waits and the loop is not overloaded → step 1 back toward the configured start
 *      value, so a burst does not leave the lane wide open for the next one.
 *   Otherwise hold. Growth is additive and shrinking multiplicative (AIMD), so overload is shed
 *   quickly and capacity is regained carefully.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AdaptiveConfig, ConcurrencyChange, LoopDelayProbe } from './types';

export interface LaneLoad {
  current: number;
  initial: number;
  min: number;
  max: number;
  /** Tasks waiting for a slot of this lane whose host has room. */
  waiting: number;
  running: number;
}

export interface AdaptiveDecision {
  concurrency: number;
  /** Absent when the concurrency holds. */
  reason?: ConcurrencyChange['reason'];
}

export function nextConcurrency(
  load: LaneLoad,
  loopDelayMs: number,
  rule: Pick<AdaptiveConfig, 'healthyDelayMs' | 'overloadedDelayMs'>,
): AdaptiveDecision {
  const { current, initial, min, max, waiting, running } = load;
  const hold: AdaptiveDecision = { concurrency: current };
  if (loopDelayMs > rule.overloadedDelayMs) {
    const to = Math.max(min, current - Math.max(1, Math.floor(current / 4)));
    return to === current ? hold : { concurrency: to, reason: 'loop-delay' };
  }
  if (loopDelayMs < rule.healthyDelayMs && running >= current && waiting >= Math.ceil(current / 2)) {
    const to = Math.min(max, current + 1);
    return to === current ? hold : { concurrency: to, reason: 'backlog' };
  }
  if (waiting === 0 && current !== initial) {
    return { concurrency: current + (initial > current ? 1 : -1), reason: 'relax' };
  }
  return hold;
}

/**
 * perf_hooks-backed probe. The histogram's samples include the sampling resolution itself
 * (an idle loop reads ≈ resolution), so it is subtracted to report lag only.
 */
export function createLoopDelayProbe(resolutionMs = 20): LoopDelayProbe {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  return {
    sample(): number {
      const p99 = histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
      histogram.reset();
      return Math.max(0, p99 - resolutionMs);
    },
    close(): void {
      histogram.disable();
    },
  };
}
