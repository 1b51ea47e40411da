// Small utilities shared by the scheduler tests.
import type { LoopDelayProbe, TaskCounts } from '../../src/main/tasks';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A task that never settles and ignores its signal: the worst case a WinRM call can be. */
export const hang = (): Promise<never> => new Promise<never>(() => undefined);

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Waits (in small real steps) until `condition` holds; fails the test after `limitMs`. */
export async function until(condition: () => boolean, limitMs = 2000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(2);
  }
}

/** A probe the test controls, so the adaptive rule sees exactly the delay we choose. */
export class FixedProbe implements LoopDelayProbe {
  constructor(public delayMs = 0) {}
  sample(): number {
    return this.delayMs;
  }
  close(): void {}
}

export function sumOfStates(c: TaskCounts): number {
  return c.queued + c.running + c.done + c.failed + c.timedOut + c.cancelled;
}

export async function settleAll(promises: Promise<unknown>[]): Promise<PromiseSettledResult<unknown>[]> {
  return Promise.allSettled(promises);
}
