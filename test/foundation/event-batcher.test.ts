import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { BATCH_INTERVAL_MS, EventBatcher } from '../../src/main/events/event-batcher';
import { EventHub } from '../../src/main/events/event-hub';
import type { StateEvent } from '../../src/shared/contract';

// Fake clocks (timers, setImmediate and performance.now): the batcher's timing is asserted by
// advancing time, never by waiting for it.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

function recorder<T>() {
  const batches: T[][] = [];
  return { batches, send: (events: T[]) => void batches.push(events) };
}

describe('EventBatcher', () => {
  test('a burst goes out as one batch, in publish order, on the next turn of the event loop', () => {
    const r = recorder<number>();
    const batcher = new EventBatcher(r.send);
    for (let i = 1; i <= 5; i++) batcher.push(i);
    expect(r.batches).toEqual([]); // nothing is sent synchronously
    vi.advanceTimersToNextTimer(); // the setImmediate
    expect(r.batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  test('while events keep coming, flushes are one interval apart; none waits longer than that', () => {
    const r = recorder<number>();
    const batcher = new EventBatcher(r.send, { intervalMs: 16 });
    batcher.push(1);
    vi.advanceTimersByTime(0); // runs the setImmediate
    expect(r.batches).toEqual([[1]]);

    vi.advanceTimersByTime(5);
    batcher.push(2);
    vi.advanceTimersByTime(5);
    batcher.push(3);
    vi.advanceTimersByTime(5); // 15 ms after the first flush: still within the interval
    expect(r.batches).toEqual([[1]]);
    vi.advanceTimersByTime(1); // 16 ms
    expect(r.batches).toEqual([[1], [2, 3]]);

    // Quiet for longer than an interval: the next event goes out at once again.
    vi.advanceTimersByTime(100);
    batcher.push(4);
    vi.advanceTimersByTime(0);
    expect(r.batches).toEqual([[1], [2, 3], [4]]);
  });

  test('at 1,000 events a second a client gets about one message per interval, all events in order', () => {
    const r = recorder<number>();
    const batcher = new EventBatcher(r.send);
    let n = 0;
    for (let ms = 0; ms < 1000; ms++) {
      batcher.push(n++);
      vi.advanceTimersByTime(1);
    }
    vi.runAllTimers();
    expect(r.batches.flat()).toEqual([...Array(1000).keys()]);
    expect(r.batches.length).toBeGreaterThanOrEqual(1000 / BATCH_INTERVAL_MS - 2);
    expect(r.batches.length).toBeLessThanOrEqual(1000 / BATCH_INTERVAL_MS + 2);
  });

  test('a batch never exceeds maxEvents: reaching it flushes at once', () => {
    const r = recorder<number>();
    const batcher = new EventBatcher(r.send, { maxEvents: 3 });
    for (let i = 0; i < 7; i++) batcher.push(i);
    expect(r.batches).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    vi.runAllTimers();
    expect(r.batches).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  test('flush() sends what is queued now (before a command result) and cancels the pending timer', () => {
    const r = recorder<string>();
    const batcher = new EventBatcher(r.send);
    batcher.push('a');
    batcher.flush();
    expect(r.batches).toEqual([['a']]);
    batcher.flush(); // nothing queued: no empty batch
    vi.runAllTimers();
    expect(r.batches).toEqual([['a']]);
    expect(batcher.pending()).toBe(0);
  });

  test('close() drops queued events and ignores later ones', () => {
    const r = recorder<number>();
    const batcher = new EventBatcher(r.send);
    batcher.push(1);
    batcher.close();
    batcher.push(2);
    vi.runAllTimers();
    expect(r.batches).toEqual([]);
  });

  test('a send that throws drops that batch only, reports it, and never throws out of the timer', () => {
    const errors: unknown[] = [];
    const batches: number[][] = [];
    let fail = true;
    const batcher = new EventBatcher<number>(
      (events) => {
        if (fail) throw new Error('socket closed');
        batches.push(events);
      },
      { onError: (e) => errors.push(e) },
    );
    batcher.push(1);
    expect(() => vi.runAllTimers()).not.toThrow();
    expect(errors).toHaveLength(1);
    fail = false;
    batcher.push(2);
    vi.runAllTimers();
    expect(batches).toEqual([[2]]);
  });

  test('one client whose socket is closed does not stop delivery to the others', () => {
    const hub = new EventHub();
    hub.registerSource('hosts', () => []);
    const good = recorder<StateEvent>();
    const broken = new EventBatcher<StateEvent>(() => {
      throw new Error('closed');
    });
    const working = new EventBatcher<StateEvent>(good.send);
    hub.subscribe((e) => broken.push(e));
    hub.subscribe((e) => working.push(e));
    for (let i = 0; i < 3; i++) hub.publishDelta('hosts', { upsert: [], remove: [`h${i}`] });
    vi.runAllTimers();
    expect(good.batches.flat().map((e) => e.revision)).toEqual([1, 2, 3]);
  });
});
