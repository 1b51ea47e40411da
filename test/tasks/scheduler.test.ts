import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_SCHEDULER_CONFIG,
  InvalidSchedulerConfig,
  InvalidTaskOptions,
  RemoteTaskScheduler,
  SchedulerClosed,
  TaskCancelled,
  TaskTimeout,
  type SchedulerOptions,
  type TaskEvent,
} from '../../src/main/tasks';
import { deferred, FixedProbe, hang, sleep, until } from './helpers';

const open: RemoteTaskScheduler[] = [];
function scheduler(options: SchedulerOptions = {}): RemoteTaskScheduler {
  const s = new RemoteTaskScheduler({
    loopDelayProbe: new FixedProbe(),
    adaptive: { enabled: false },
    ...options,
  });
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** Rejections we expect later must not surface as unhandled while the test is still running. */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

describe('RemoteTaskScheduler basics', () => {
  it('runs a task with a live AbortSignal and resolves with its result', async () => {
    const s = scheduler();
    let seen: AbortSignal | undefined;
    const result = await s.run({ lane: 'CONTROL', hostId: 'hv01', label: 'start vm' }, async (signal) => {
      seen = signal;
      return 42;
    });
    expect(result).toBe(42);
    expect(seen?.aborted).toBe(false);
    expect(s.metrics().lanes.CONTROL.done).toBe(1);
  });

  it('passes the task’s own failure through and counts it as failed', async () => {
    const s = scheduler();
    const boom = new Error('access denied');
    await expect(
      s.run({ lane: 'JOB', hostId: 'hv01', label: 'x' }, async () => Promise.reject(boom)),
    ).rejects.toBe(boom);
    await expect(
      s.run({ lane: 'JOB', hostId: 'hv01', label: 'sync throw' }, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(s.metrics().lanes.JOB).toMatchObject({ submitted: 2, failed: 2, running: 0 });
  });

  it('rejects invalid options with a typed error and never runs the task', async () => {
    const s = scheduler();
    const task = vi.fn(async () => 1);
    const bad = s.run({ lane: 'NOPE' as 'JOB', hostId: 'hv01', label: 'x' }, task);
    await expect(bad).rejects.toBeInstanceOf(InvalidTaskOptions);
    await expect(bad).rejects.toMatchObject({ code: 'TASK_OPTIONS_INVALID' });
    await expect(s.run({ lane: 'JOB', hostId: '', label: 'x' }, task)).rejects.toThrow(/hostId/);
    await expect(s.run({ lane: 'JOB', hostId: 'h', label: 'x', timeoutMs: 0 }, task)).rejects.toThrow(
      /timeoutMs/,
    );
    expect(task).not.toHaveBeenCalled();
    expect(s.metrics().totals.submitted).toBe(0);
  });

  it('rejects an impossible configuration with the setting it concerns', () => {
    expect(
      () => new RemoteTaskScheduler({ lanes: { JOB: { minConcurrency: 5, maxConcurrency: 3 } } }),
    ).toThrow(InvalidSchedulerConfig);
    try {
      new RemoteTaskScheduler({ hostConcurrency: 0 });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'SCHEDULER_CONFIG_INVALID', setting: 'hostConcurrency' });
    }
  });

  it('runs higher-priority waiting tasks of a host first', async () => {
    const s = scheduler({ lanes: { INVENTORY: { concurrency: 1, minConcurrency: 1 } } });
    const gate = deferred();
    const order: string[] = [];
    const first = s.run({ lane: 'INVENTORY', hostId: 'hv01', label: 'blocker' }, () => gate.promise);
    const tasks = [
      s.run(
        { lane: 'INVENTORY', hostId: 'hv01', label: 'background' },
        async () => void order.push('background'),
      ),
      s.run(
        { lane: 'INVENTORY', hostId: 'hv01', label: 'user refresh', priority: 10 },
        async () => void order.push('user'),
      ),
    ];
    gate.resolve();
    await Promise.all([first, ...tasks]);
    expect(order).toEqual(['user', 'background']);
  });
});

describe('metrics', () => {
  it('tracks wait and run time averages per lane and host', async () => {
    const s = scheduler({ lanes: { CONTROL: { concurrency: 1, minConcurrency: 1 } } });
    const first = s.run({ lane: 'CONTROL', hostId: 'hv01', label: 'slow' }, () => sleep(25));
    const second = s.run({ lane: 'CONTROL', hostId: 'hv02', label: 'fast' }, async () => undefined);
    await Promise.all([first, second]);
    const m = s.metrics();
    // Timers never fire early, so these lower bounds hold however loaded the machine is.
    expect(s.metrics().hosts.find((h) => h.hostId === 'hv01')?.ewmaDurationMs).toBeGreaterThanOrEqual(20);
    expect(m.hosts.find((h) => h.hostId === 'hv02')?.ewmaWaitMs).toBeGreaterThanOrEqual(20);
    expect(m.lanes.CONTROL.ewmaDurationMs).toBeGreaterThan(0);
    expect(m.lanes.CONTROL.ewmaWaitMs).toBeGreaterThan(0);
    expect(m.lanes.INVENTORY).toMatchObject({
      submitted: 0,
      ewmaDurationMs: 0,
      ewmaWaitMs: 0,
      concurrency: DEFAULT_SCHEDULER_CONFIG.lanes.INVENTORY.concurrency,
    });
  });
});

describe('isolation', () => {
  it('a hung task in one lane does not delay another lane', async () => {
    const s = scheduler({ lanes: { INVENTORY: { concurrency: 1, minConcurrency: 1, timeoutMs: 60_000 } } });
    const hung = quiet(s.run({ lane: 'INVENTORY', hostId: 'hv01', label: 'collect' }, hang));
    const behind = quiet(s.run({ lane: 'INVENTORY', hostId: 'hv02', label: 'collect' }, async () => 'late'));
    // Same host and another host: neither waits for the hung inventory call.
    await expect(
      s.run({ lane: 'CONTROL', hostId: 'hv01', label: 'stop vm' }, async () => 'stopped'),
    ).resolves.toBe('stopped');
    await expect(s.run({ lane: 'JOB', hostId: 'hv02', label: 'provision' }, async () => 'ok')).resolves.toBe(
      'ok',
    );
    const m = s.metrics();
    expect(m.lanes.INVENTORY).toMatchObject({ running: 1, queued: 1 });
    void hung;
    void behind;
  });

  it('a hung host does not delay other hosts in the same lane', async () => {
    const s = scheduler({
      hostConcurrency: 2,
      lanes: { INVENTORY: { concurrency: 4, hostLimit: 2, timeoutMs: 60_000 } },
    });
    for (let i = 0; i < 10; i++)
      quiet(s.run({ lane: 'INVENTORY', hostId: 'stuck', label: `collect ${i}` }, hang));
    await expect(
      s.run({ lane: 'INVENTORY', hostId: 'healthy', label: 'collect' }, async () => 'fresh'),
    ).resolves.toBe('fresh');
    const stuck = s.metrics().hosts.find((h) => h.hostId === 'stuck');
    // The backlog of the stuck host waits outside the lane's slots instead of occupying them.
    expect(stuck).toMatchObject({ running: 2, queued: 8 });
  });

  it('serves hosts round-robin inside a lane', async () => {
    const s = scheduler({ lanes: { INVENTORY: { concurrency: 1, minConcurrency: 1 } } });
    const order: string[] = [];
    const task = (name: string) => async () => {
      order.push(name);
      await sleep(1);
    };
    const all = [1, 2, 3].map((i) => s.run({ lane: 'INVENTORY', hostId: 'a', label: 'x' }, task(`a${i}`)));
    all.push(s.run({ lane: 'INVENTORY', hostId: 'b', label: 'x' }, task('b1')));
    await Promise.all(all);
    expect(order).toEqual(['a1', 'b1', 'a2', 'a3']);
  });

  it('holds the per-host cap and lane limits with 1,000 tasks queued across lanes', async () => {
    const hostConcurrency = 3;
    const s = scheduler({
      hostConcurrency,
      lanes: {
        INVENTORY: { concurrency: 6, hostLimit: 2 },
        DEPLOYMENT: { concurrency: 3, hostLimit: 1 },
        JOB: { concurrency: 5, hostLimit: 2 },
        CONTROL: { concurrency: 8, hostLimit: 2 },
      },
    });
    const lanes = ['INVENTORY', 'DEPLOYMENT', 'JOB', 'CONTROL'] as const;
    const hosts = ['hv01', 'hv02', 'hv03', 'hv04', 'hv05'];
    const runningByHost = new Map<string, number>();
    const maxByHost = new Map<string, number>();
    const runningByLane = new Map<string, number>();
    const maxByLane = new Map<string, number>();
    const runningByLaneHost = new Map<string, number>();
    let maxLaneHost = 0;
    const bump = (map: Map<string, number>, key: string, by: number): number => {
      const value = (map.get(key) ?? 0) + by;
      map.set(key, value);
      return value;
    };
    const tasks: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) {
      const lane = lanes[i % lanes.length];
      const hostId = hosts[(i * 7) % hosts.length];
      tasks.push(
        s.run({ lane, hostId, label: `t${i}` }, async () => {
          maxByHost.set(hostId, Math.max(maxByHost.get(hostId) ?? 0, bump(runningByHost, hostId, 1)));
          maxByLane.set(lane, Math.max(maxByLane.get(lane) ?? 0, bump(runningByLane, lane, 1)));
          maxLaneHost = Math.max(maxLaneHost, bump(runningByLaneHost, `${lane}/${hostId}`, 1));
          await sleep(i % 3);
          bump(runningByHost, hostId, -1);
          bump(runningByLane, lane, -1);
          bump(runningByLaneHost, `${lane}/${hostId}`, -1);
        }),
      );
    }
    expect(s.metrics().totals.queued).toBeGreaterThan(900);
    await Promise.all(tasks);
    for (const host of hosts) {
      expect(maxByHost.get(host)).toBeLessThanOrEqual(hostConcurrency);
      const reported = s.metrics().hosts.find((h) => h.hostId === host);
      expect(reported?.maxConcurrentSeen).toBe(maxByHost.get(host));
    }
    // The cap was actually reached, so the test would notice if it were not enforced.
    expect(Math.max(...maxByHost.values())).toBe(hostConcurrency);
    for (const lane of lanes)
      expect(maxByLane.get(lane)).toBeLessThanOrEqual(s.config.lanes[lane].concurrency);
    expect(maxLaneHost).toBeLessThanOrEqual(2);
    expect(s.metrics().totals).toMatchObject({ submitted: 1000, done: 1000, queued: 0, running: 0 });
  });
});

describe('timeouts and cancellation', () => {
  it('a task ignoring its signal still frees its slot on timeout', async () => {
    const s = scheduler({ lanes: { CONTROL: { concurrency: 1, minConcurrency: 1 } } });
    let signal: AbortSignal | undefined;
    const timedOut = s.run(
      { lane: 'CONTROL', hostId: 'hv01', label: 'stop vm web01', timeoutMs: 20 },
      (sig) => {
        signal = sig;
        return hang();
      },
    );
    const next = s.run({ lane: 'CONTROL', hostId: 'hv01', label: 'start vm' }, async () => 'started');
    const error = await timedOut.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskTimeout);
    expect(error).toMatchObject({ code: 'TASK_TIMEOUT', lane: 'CONTROL', hostId: 'hv01', timeoutMs: 20 });
    expect((error as Error).message).toMatch(
      /CONTROL task "stop vm web01" on host hv01 timed out after 20 ms/,
    );
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(error);
    await expect(next).resolves.toBe('started');
    expect(s.metrics().lanes.CONTROL).toMatchObject({ timedOut: 1, done: 1, running: 0 });
  });

  it('a task that finishes after its timeout is counted once, as timed out', async () => {
    const s = scheduler();
    const settledLate = deferred();
    const late = s.run({ lane: 'JOB', hostId: 'hv01', label: 'slow', timeoutMs: 10 }, async (signal) => {
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      await sleep(5);
      settledLate.resolve();
      return 'too late';
    });
    await expect(late).rejects.toBeInstanceOf(TaskTimeout);
    await settledLate.promise;
    await sleep(1);
    expect(s.metrics().lanes.JOB).toMatchObject({
      submitted: 1,
      timedOut: 1,
      done: 0,
      failed: 0,
      running: 0,
    });
  });

  it('a queued task cancelled before it starts never runs', async () => {
    const s = scheduler({ lanes: { DEPLOYMENT: { concurrency: 1, minConcurrency: 1 } } });
    quiet(s.run({ lane: 'DEPLOYMENT', hostId: 'hv01', label: 'copy iso' }, hang));
    const controller = new AbortController();
    const task = vi.fn(async () => 'ran');
    const queued = s.run(
      { lane: 'DEPLOYMENT', hostId: 'hv02', label: 'copy iso', signal: controller.signal },
      task,
    );
    controller.abort(new Error('user closed the dialog'));
    const error = await queued.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskCancelled);
    expect(error).toMatchObject({ code: 'TASK_CANCELLED', started: false });
    await sleep(5);
    expect(task).not.toHaveBeenCalled();
    expect(s.metrics().lanes.DEPLOYMENT).toMatchObject({ cancelled: 1, queued: 0, running: 1 });
  });

  it('an already-aborted signal rejects at once without running', async () => {
    const s = scheduler();
    const task = vi.fn(async () => 'ran');
    await expect(
      s.run({ lane: 'CONTROL', hostId: 'hv01', label: 'x', signal: AbortSignal.abort() }, task),
    ).rejects.toBeInstanceOf(TaskCancelled);
    expect(task).not.toHaveBeenCalled();
  });

  it('cancelling a running task aborts its signal and frees its slot even if it ignores the signal', async () => {
    const s = scheduler({ lanes: { JOB: { concurrency: 1, minConcurrency: 1 } } });
    const controller = new AbortController();
    let signal: AbortSignal | undefined;
    const running = s.run(
      { lane: 'JOB', hostId: 'hv01', label: 'provision', signal: controller.signal },
      (sig) => {
        signal = sig;
        return hang();
      },
    );
    const next = s.run({ lane: 'JOB', hostId: 'hv01', label: 'next' }, async () => 'next ran');
    await until(() => signal !== undefined);
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'TASK_CANCELLED', started: true });
    expect(signal?.reason).toBeInstanceOf(TaskCancelled);
    await expect(next).resolves.toBe('next ran');
  });
});

describe('close()', () => {
  it('rejects queued tasks without running them and aborts running ones', async () => {
    const s = scheduler({ lanes: { INVENTORY: { concurrency: 1, minConcurrency: 1 } } });
    let signal: AbortSignal | undefined;
    const running = quiet(
      s.run({ lane: 'INVENTORY', hostId: 'hv01', label: 'collect' }, (sig) => {
        signal = sig;
        return hang();
      }),
    );
    const task = vi.fn(async () => 'ran');
    const queued = quiet(s.run({ lane: 'INVENTORY', hostId: 'hv01', label: 'collect again' }, task));
    await s.close();
    await expect(queued).rejects.toBeInstanceOf(SchedulerClosed);
    await expect(queued).rejects.toMatchObject({ code: 'SCHEDULER_CLOSED', started: false });
    await expect(running).rejects.toMatchObject({ code: 'SCHEDULER_CLOSED', started: true });
    expect(signal?.aborted).toBe(true);
    expect(task).not.toHaveBeenCalled();
    await expect(s.run({ lane: 'CONTROL', hostId: 'hv01', label: 'late' }, task)).rejects.toBeInstanceOf(
      SchedulerClosed,
    );
    const m = s.metrics();
    expect(m.closed).toBe(true);
    expect(m.totals).toMatchObject({ submitted: 2, cancelled: 2, queued: 0, running: 0 });
  });
});

describe('close() from a listener', () => {
  it('does not strand a task submitted while a listener closes the scheduler', async () => {
    const s = scheduler();
    s.on('task', (e) => {
      if (e.phase === 'queued') void s.close();
    });
    const task = vi.fn(async () => 'ran');
    await expect(s.run({ lane: 'JOB', hostId: 'hv01', label: 'x' }, task)).rejects.toBeInstanceOf(
      SchedulerClosed,
    );
    expect(task).not.toHaveBeenCalled();
    expect(s.metrics().totals).toMatchObject({ submitted: 1, cancelled: 1, queued: 0 });
  });
});

describe('events and adaptive concurrency', () => {
  it('reports task lifecycle events in order', async () => {
    const s = scheduler();
    const phases: TaskEvent['phase'][] = [];
    s.on('task', (e) => phases.push(e.phase));
    await s.run({ lane: 'CONTROL', hostId: 'hv01', label: 'x' }, async () => 1);
    expect(phases).toEqual(['queued', 'started', 'done']);
  });

  it('keeps working when a listener throws', async () => {
    const s = scheduler();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    s.on('task', () => {
      throw new Error('buggy listener');
    });
    await expect(s.run({ lane: 'CONTROL', hostId: 'hv01', label: 'x' }, async () => 'ok')).resolves.toBe(
      'ok',
    );
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it('emits metrics on the interval and unsubscribes', async () => {
    const s = scheduler({ adaptive: { enabled: false, intervalMs: 5 } });
    let count = 0;
    const off = s.on('metrics', (m) => {
      expect(m.lanes.CONTROL.concurrency).toBe(6);
      count++;
    });
    await until(() => count >= 2);
    off();
    const seen = count;
    await sleep(20);
    expect(count).toBe(seen);
  });

  it('grows a backlogged lane while the loop is healthy and shrinks it when the loop lags', async () => {
    const probe = new FixedProbe(0);
    const s = scheduler({
      loopDelayProbe: probe,
      hostConcurrency: 50,
      adaptive: { enabled: true, intervalMs: 5 },
      lanes: {
        INVENTORY: { concurrency: 2, minConcurrency: 1, maxConcurrency: 4, hostLimit: 50, timeoutMs: 60_000 },
      },
    });
    const changes: string[] = [];
    s.on('concurrency', (c) => c.lane === 'INVENTORY' && changes.push(`${c.from}->${c.to}:${c.reason}`));
    for (let i = 0; i < 20; i++)
      quiet(s.run({ lane: 'INVENTORY', hostId: `hv${i}`, label: 'collect' }, hang));
    await until(() => s.metrics().lanes.INVENTORY.concurrency === 4);
    // Grown slots are used at once.
    expect(s.metrics().lanes.INVENTORY.running).toBe(4);
    probe.delayMs = 500;
    await until(() => s.metrics().lanes.INVENTORY.concurrency === 1);
    expect(changes).toEqual([
      '2->3:backlog',
      '3->4:backlog',
      '4->3:loop-delay',
      '3->2:loop-delay',
      '2->1:loop-delay',
    ]);
    // Shrinking never kills running work; it only starts less.
    expect(s.metrics().lanes.INVENTORY.running).toBe(4);
    expect(s.metrics().eventLoopDelayMs).toBe(500);
  });
});

describe('resizing a lane at run time', () => {
  it('a wider lane starts waiting tasks at once; a narrower one starts fewer without stopping any', async () => {
    const s = new RemoteTaskScheduler({ lanes: { JOB: { concurrency: 1, minConcurrency: 1, maxConcurrency: 1 } }, hostConcurrency: 8, adaptive: { enabled: false } });
    try {
      const gates = Array.from({ length: 4 }, () => deferred<void>());
      let running = 0;
      let maxRunning = 0;
      const runs = gates.map((gate, i) =>
        s.run({ lane: 'JOB', hostId: `hv0${i}`, label: `job ${i}` }, async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          await gate.promise;
          running--;
        }),
      );
      await until(() => running === 1);
      s.setLaneSize('JOB', { concurrency: 3 });
      await until(() => running === 3);
      expect(s.metrics().lanes.JOB).toMatchObject({ concurrency: 3, maxConcurrency: 3 });
      s.setLaneSize('JOB', { concurrency: 1 });
      gates[0]!.resolve();
      gates[1]!.resolve();
      await until(() => running === 1);
      gates[2]!.resolve();
      gates[3]!.resolve();
      await Promise.all(runs);
      expect(maxRunning).toBe(3);
    } finally {
      await s.close();
    }
  });
});
