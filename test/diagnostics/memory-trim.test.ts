import { afterEach, describe, expect, test, vi } from 'vitest';
import { MemoryTrimmer, v8Collector } from '../../src/main/diagnostics/memory-trim';
import type { Logger } from '../../src/main/log';

const logged: Array<{ message: string; fields?: Record<string, unknown> }> = [];
const log: Logger = {
  debug: () => undefined,
  info: (message, fields) => void logged.push({ message, fields }),
  warn: () => undefined,
  error: () => undefined,
  addSecret: () => undefined,
  forgetSecrets: () => undefined,
};

afterEach(() => {
  vi.useRealTimers();
  logged.length = 0;
});

describe('memory trimmer: one memory-reducing collection after a burst of work', () => {
  test('requests during a burst collapse into one collection once it has been quiet, with every reason', () => {
    vi.useFakeTimers();
    const collect = vi.fn();
    let rss = 300;
    const trimmer = new MemoryTrimmer(log, { quietMs: 2000, minIntervalMs: 60_000, collect: (o) => ((rss = 150), collect(o)), rssMb: () => rss });
    trimmer.request('inventory startup refresh');
    vi.advanceTimersByTime(1500);
    trimmer.request('inventory refresh of every host');
    vi.advanceTimersByTime(1999);
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(collect).toHaveBeenCalledExactlyOnceWith({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    const row = trimmer.metrics().rows[0]!;
    expect(row).toMatchObject({ available: true, trims: 1, lastRssBeforeMb: 300, lastRssAfterMb: 150, lastReason: 'inventory startup refresh, inventory refresh of every host' });
    expect(logged.map((l) => l.message)).toEqual(['memory trimmed']);
    trimmer.stop();
  });

  test('never more often than the minimum interval; stop() cancels a pending trim', () => {
    vi.useFakeTimers();
    const collect = vi.fn();
    const trimmer = new MemoryTrimmer(log, { quietMs: 1000, minIntervalMs: 60_000, collect, rssMb: () => 100 });
    trimmer.request('first');
    vi.advanceTimersByTime(1000);
    expect(collect).toHaveBeenCalledTimes(1);
    trimmer.request('second');
    vi.advanceTimersByTime(30_000);
    expect(collect).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(30_000);
    expect(collect).toHaveBeenCalledTimes(2);
    trimmer.request('third');
    trimmer.stop();
    vi.advanceTimersByTime(120_000);
    expect(collect).toHaveBeenCalledTimes(2);
  });

  test('without a collector it does nothing and says so in diagnostics', () => {
    const trimmer = new MemoryTrimmer(log, { collect: undefined });
    trimmer.request('burst');
    expect(trimmer.metrics().rows[0]).toMatchObject({ available: false, trims: 0 });
    trimmer.stop();
  });

  test("V8's collector is reachable at runtime and gives a burst's memory back to the OS", async () => {
    const collect = v8Collector();
    expect(collect).toBeTypeOf('function');
    const rss = () => process.memoryUsage().rss / 2 ** 20;
    // A burst: ~300 MB of short-lived objects, like parsing hundreds of hosts' inventories.
    let burst: unknown[][] | undefined = [];
    for (let round = 0; round < 12; round++) {
      const batch: unknown[] = [];
      for (let i = 0; i < 150_000; i++) batch.push({ i, text: `vm-${i}-${round}`, nested: { round } });
      burst.push(batch);
      if (burst.length > 6) burst.shift();
    }
    burst = undefined;
    const trimmer = new MemoryTrimmer(log, { quietMs: 0, collect });
    const before = rss();
    trimmer.request('test burst');
    await new Promise((r) => setTimeout(r, 50));
    const after = rss();
    expect(trimmer.metrics().rows[0]).toMatchObject({ trims: 1 });
    expect(before - after).toBeGreaterThan(50);
    trimmer.stop();
  });
});
