/**
 * Timing rules of the refresh loops: per-host exponential backoff with jitter, deterministic
 * spacing of hosts across an interval, and a sleep that settings changes can cut short.
 */

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /** ± fraction applied at random, so hosts that failed together do not retry in lockstep. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 10_000, capMs: 300_000, jitter: 0.2 };

/** Delay before the next automatic attempt after `failures` consecutive failures (≥ 1). */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  const factor = 1 + policy.jitter * (2 * random() - 1);
  return Math.round(Math.min(policy.capMs, exponential * factor));
}

/** Offset of the i-th of n hosts in a cycle: evenly spaced, same order every cycle. */
export function slotOffsetMs(index: number, count: number, intervalMs: number): number {
  return count <= 0 ? 0 : Math.floor((index * intervalMs) / count);
}

/** Sleeps that end early when woken (settings changed, host added, stopping). */
export class WakeableSleep {
  private readonly wakers = new Set<() => void>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      timer.unref?.();
      this.wakers.add(done);
    });
  }

  wakeAll(): void {
    for (const wake of [...this.wakers]) wake();
  }

  /** Waits until `deadline()` (re-read after every wake) has passed, or `stopped()` is true. */
  async until(deadline: () => number, now: () => number, stopped: () => boolean): Promise<void> {
    for (;;) {
      if (stopped()) return;
      const remaining = deadline() - now();
      if (remaining <= 0) return;
      await this.sleep(Math.min(remaining, 60_000));
    }
  }
}
