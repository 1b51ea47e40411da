/**
 * LaneSlot: a running task that only waits on its host parks, giving its lane slot to other
 * hosts' tasks, and resumes before any queued task. Lane limits bound the tasks doing work (not
 * parked), per-host caps bound every task, parked or not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteTaskScheduler, TaskTimeout, type SchedulerOptions } from '../../src/main/tasks';
import { deferred, FixedProbe, sleep, until } from './helpers';

const open: RemoteTaskScheduler[] = [];
function scheduler(options: SchedulerOptions = {}): RemoteTaskScheduler {
  const s = new RemoteTaskScheduler({ loopDelayProbe: new FixedProbe(), adaptive: { enabled: false }, ...options });
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('parking a lane slot while the host works', () => {
  it('waits of 200 hosts overlap in a lane of 4, while at most 4 tasks work and each host runs at most its cap', async () => {
    const lane = 4;
    const hostLimit = 1;
    const s = scheduler({ hostConcurrency: 2, lanes: { INVENTORY: { concurrency: lane, minConcurrency: 1, hostLimit } } });
    let working = 0;
    let maxWorking = 0;
    let parked = 0;
    let maxParked = 0;
    const perHost = new Map<string, number>();
    let maxPerHost = 0;
    const work = async () => {
      maxWorking = Math.max(maxWorking, ++working);
      await sleep(1); // the workstation's share: send a request, parse a reply
      working--;
    };
    const started = performance.now();
    const tasks: Promise<unknown>[] = [];
    for (let i = 0; i < 400; i++) {
      const hostId = `hv${i % 200}`;
      tasks.push(
        s.run({ lane: 'INVENTORY', hostId, label: `t${i}` }, async (_signal, slot) => {
          const onHost = (perHost.get(hostId) ?? 0) + 1;
          perHost.set(hostId, onHost);
          maxPerHost = Math.max(maxPerHost, onHost);
          await work();
          slot.park();
          maxParked = Math.max(maxParked, ++parked);
          await sleep(100); // the host runs the command; a Receive long-polls
          parked--;
          await slot.resume();
          await work();
          perHost.set(hostId, perHost.get(hostId)! - 1);
        }),
      );
    }
    await Promise.all(tasks);
    const elapsed = performance.now() - started;
    expect(maxWorking).toBeLessThanOrEqual(lane);
    expect(maxPerHost).toBeLessThanOrEqual(hostLimit);
    // Without parking, 400 waits of 100 ms through 4 slots take ≥ 10 s; overlapped, two rounds.
    expect(maxParked).toBeGreaterThan(100);
    expect(elapsed).toBeLessThan(3000);
    expect(s.metrics().totals).toMatchObject({ submitted: 400, done: 400, running: 0 });
  });

  it('a resuming task gets the next free slot before queued tasks', async () => {
    const s = scheduler({ lanes: { INVENTORY: { concurrency: 1, minConcurrency: 1, hostLimit: 1 } } });
    const order: string[] = [];
    const hostAnswered = deferred();
    const holdB = deferred();
    const a = s.run({ lane: 'INVENTORY', hostId: 'a', label: 'a' }, async (_signal, slot) => {
      slot.park();
      await hostAnswered.promise;
      await slot.resume();
      order.push('a resumed');
    });
    const b = s.run({ lane: 'INVENTORY', hostId: 'b', label: 'b' }, async () => {
      order.push('b started');
      await holdB.promise;
    });
    const c = s.run({ lane: 'INVENTORY', hostId: 'c', label: 'c' }, async () => {
      order.push('c started');
    });
    await until(() => order.includes('b started'));
    hostAnswered.resolve();
    await sleep(20);
    // The single slot is b's: a waits for it, and c too.
    expect(order).toEqual(['b started']);
    holdB.resolve();
    await Promise.all([a, b, c]);
    expect(order).toEqual(['b started', 'a resumed', 'c started']);
  });

  it('a parked task that times out frees its host, and its resume returns at once', async () => {
    const s = scheduler({ lanes: { INVENTORY: { concurrency: 1, minConcurrency: 1, hostLimit: 1 } } });
    const holdOther = deferred();
    let resumed = false;
    const parkedTask = s.run({ lane: 'INVENTORY', hostId: 'a', label: 'a', timeoutMs: 50 }, async (_signal, slot) => {
      slot.park();
      await sleep(10);
      await slot.resume(); // the lane is full (b took the slot): this waits until the timeout ends the task
      resumed = true;
    });
    const other = s.run({ lane: 'INVENTORY', hostId: 'b', label: 'b' }, async () => holdOther.promise);
    await expect(parkedTask).rejects.toBeInstanceOf(TaskTimeout);
    await until(() => resumed);
    // Host a is free again: a new task on it runs once b leaves the lane.
    const next = s.run({ lane: 'INVENTORY', hostId: 'a', label: 'a2' }, async () => 'ran');
    holdOther.resolve();
    await other;
    await expect(next).resolves.toBe('ran');
  });
});
