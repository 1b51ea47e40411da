export interface EventBatcherOptions {
  /** Minimum spacing of two flushes while events keep coming: one batch per 60 Hz frame. */
  intervalMs?: number;
  /** A batch never holds more than this; reaching it flushes at once. */
  maxEvents?: number;
  /**
   * Called when `send` throws. That batch is dropped; later events still flow, and a client sees
   * the revision gap and fetches a snapshot. The owner may also close its client.
   */
  onError?(error: unknown): void;
}

export const BATCH_INTERVAL_MS = 16;
export const BATCH_MAX_EVENTS = 500;

/**
 * Collects one client's hub events and hands them to `send` as arrays, in publish order.
 *
 * Timing: the first event after a quiet spell goes out on the next turn of the event loop
 * (setImmediate), so a lone job-output line or host status change is not delayed, and everything
 * published in the same synchronous burst (a refresh's deltas) still shares one message. While
 * events keep coming, flushes are at least `intervalMs` apart: at 1,000 deltas a second the client
 * gets ~60 messages, one per frame, instead of 1,000 — each of which cost it a task, a parse and
 * an IPC hop. An event therefore waits at most `intervalMs`, and a batch holds at most `maxEvents`.
 *
 * Revisions are untouched: events are forwarded as published, so clients keep detecting gaps.
 */
export class EventBatcher<T> {
  private queue: T[] = [];
  private timer: { kind: 'immediate'; handle: NodeJS.Immediate } | { kind: 'timeout'; handle: NodeJS.Timeout } | undefined;
  private lastFlush = -Infinity;
  private closed = false;
  private readonly intervalMs: number;
  private readonly maxEvents: number;

  constructor(
    private readonly send: (events: T[]) => void,
    private readonly options: EventBatcherOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? BATCH_INTERVAL_MS;
    this.maxEvents = Math.max(1, options.maxEvents ?? BATCH_MAX_EVENTS);
  }

  push(event: T): void {
    if (this.closed) return;
    this.queue.push(event);
    if (this.queue.length >= this.maxEvents) return this.flush();
    if (this.timer) return;
    const wait = this.lastFlush + this.intervalMs - performance.now();
    const flush = () => {
      this.timer = undefined;
      this.flush();
    };
    this.timer = wait <= 0 ? { kind: 'immediate', handle: setImmediate(flush) } : { kind: 'timeout', handle: setTimeout(flush, wait) };
  }

  /**
   * Sends whatever is queued now. Transports call it before answering a command, so a client still
   * sees the events a command caused before its result, as it did before events were batched.
   */
  flush(): void {
    this.cancelTimer();
    if (this.queue.length === 0 || this.closed) return;
    const batch = this.queue;
    this.queue = [];
    this.lastFlush = performance.now();
    try {
      this.send(batch);
    } catch (error) {
      // Runs from a timer: a throw here would be an uncaught exception in the main process.
      this.options.onError?.(error);
    }
  }

  /** Drops queued events and stops for good (the client went away). */
  close(): void {
    this.closed = true;
    this.queue = [];
    this.cancelTimer();
  }

  pending(): number {
    return this.queue.length;
  }

  private cancelTimer(): void {
    if (!this.timer) return;
    if (this.timer.kind === 'immediate') clearImmediate(this.timer.handle);
    else clearTimeout(this.timer.handle);
    this.timer = undefined;
  }
}
