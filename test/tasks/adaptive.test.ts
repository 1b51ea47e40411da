import { describe, expect, it } from 'vitest';
import { createLoopDelayProbe, nextConcurrency, type LaneLoad } from '../../src/main/tasks';

const rule = { healthyDelayMs: 40, overloadedDelayMs: 150 };
const load = (over: Partial<LaneLoad>): LaneLoad => ({
  current: 4,
  initial: 4,
  min: 2,
  max: 8,
  waiting: 0,
  running: 0,
  ...over,
});

describe('adaptive concurrency rule', () => {
  it('grows by one when the lane is full, work waits and the loop is healthy', () => {
    expect(nextConcurrency(load({ running: 4, waiting: 2 }), 5, rule)).toEqual({
      concurrency: 5,
      reason: 'backlog',
    });
  });

  it('does not grow past max, nor when the backlog is small or the loop is only fair', () => {
    expect(nextConcurrency(load({ current: 8, running: 8, waiting: 50 }), 5, rule)).toEqual({
      concurrency: 8,
    });
    expect(nextConcurrency(load({ running: 4, waiting: 1 }), 5, rule)).toEqual({ concurrency: 4 });
    expect(nextConcurrency(load({ running: 4, waiting: 10 }), 80, rule)).toEqual({ concurrency: 4 });
    expect(nextConcurrency(load({ running: 3, waiting: 10 }), 5, rule)).toEqual({ concurrency: 4 });
  });

  it('shrinks by a quarter when the loop is overloaded, never below min', () => {
    expect(nextConcurrency(load({ current: 8, running: 8, waiting: 20 }), 400, rule)).toEqual({
      concurrency: 6,
      reason: 'loop-delay',
    });
    expect(nextConcurrency(load({ current: 3, running: 3 }), 400, rule)).toEqual({
      concurrency: 2,
      reason: 'loop-delay',
    });
    expect(nextConcurrency(load({ current: 2, running: 2 }), 400, rule)).toEqual({ concurrency: 2 });
  });

  it('relaxes one step toward the starting value when nothing waits', () => {
    expect(nextConcurrency(load({ current: 7 }), 5, rule)).toEqual({ concurrency: 6, reason: 'relax' });
    expect(nextConcurrency(load({ current: 2 }), 80, rule)).toEqual({ concurrency: 3, reason: 'relax' });
  });

  it('the perf_hooks probe reports a blocked event loop', async () => {
    const probe = createLoopDelayProbe(10);
    try {
      await new Promise((resolve) => setTimeout(resolve, 30));
      probe.sample();
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          const until = Date.now() + 120;
          while (Date.now() < until) {
            /* block the loop on purpose */
          }
          resolve();
        }, 15),
      );
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(probe.sample()).toBeGreaterThan(60);
    } finally {
      probe.close();
    }
  });
});
