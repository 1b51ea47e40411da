/**
 * Shared shapes of the remote task scheduler: lanes, task options, configuration, metrics and
 * the events diagnostics can subscribe to. No behaviour lives here.
 */

/** The kind of work a task is; each kind gets its own queue, concurrency and default timeout. */
export type Lane = 'INVENTORY' | 'DEPLOYMENT' | 'JOB' | 'CONTROL';

/** Every lane, in a stable order (used for iteration and reports). */
export const LANES: readonly Lane[] = ['INVENTORY', 'DEPLOYMENT', 'JOB', 'CONTROL'];

export interface TaskOptions {
  lane: Lane;
  /** The host the task talks to; the per-host cap is counted on this key. */
  hostId: string;
  /** Short human text naming the operation ("collect inventory"); it appears in error messages. */
  label: string;
  /** Run-time limit once the task has started; defaults to the lane's timeout. Queue wait is not counted. */
  timeoutMs?: number;
  /** Caller cancellation: before start the task is dropped, after start its signal is aborted. */
  signal?: AbortSignal;
  /** Higher runs first among the same host's waiting tasks in this lane (default 0). */
  priority?: number;
}

/** The work itself. It must hand `signal` to whatever it awaits (the WinRM command). */
export type RemoteTask<T> = (signal: AbortSignal, slot: LaneSlot) => Promise<T>;

/**
 * A running task's lane slot. While the task only waits on its host (a WS-Man Receive
 * long-polling while the host runs the command), it costs the workstation nothing: `park()` gives
 * the lane slot to other work and `resume()` waits for a slot again (before any queued task) to
 * go on with the reply. The task keeps its host slot throughout, so per-host caps hold; the lane's
 * (adaptive) concurrency bounds the tasks doing work here, not the hosts waited on.
 */
export interface LaneSlot {
  park(): void;
  resume(): Promise<void>;
}

export interface LaneConfig {
  /** Starting concurrency of the lane; adaptive control moves it within [min, max]. */
  concurrency: number;
  minConcurrency: number;
  maxConcurrency: number;
  /** Default run-time limit of a task in this lane. */
  timeoutMs: number;
  /**
   * Most tasks of this lane that may run on one host at once. Kept below the host cap so one
   * lane's hung tasks cannot take every slot a host has.
   */
  hostLimit: number;
}

export interface AdaptiveConfig {
  enabled: boolean;
  /** How often the rule is evaluated and `metrics` is emitted. */
  intervalMs: number;
  /** p99 event-loop delay (ms, beyond the sampling resolution) under which the lane may grow. */
  healthyDelayMs: number;
  /** p99 event-loop delay (ms) above which every lane shrinks. */
  overloadedDelayMs: number;
}

export interface SchedulerConfig {
  lanes: Record<Lane, LaneConfig>;
  /** Most tasks running on one host at once, all lanes together. */
  hostConcurrency: number;
  adaptive: AdaptiveConfig;
}

/** What the constructor accepts: any part of the configuration, the rest from defaults. */
export interface SchedulerOptions {
  lanes?: Partial<Record<Lane, Partial<LaneConfig>>>;
  hostConcurrency?: number;
  adaptive?: Partial<AdaptiveConfig>;
  /** Replaces the perf_hooks probe (tests, or a host process that already measures the loop). */
  loopDelayProbe?: LoopDelayProbe;
}

/** Source of event-loop health for the adaptive rule. */
export interface LoopDelayProbe {
  /** p99 event-loop delay in ms since the previous call (the probe resets itself). */
  sample(): number;
  close(): void;
}

/** Counters that always add up: submitted = queued + running + done + failed + timedOut + cancelled. */
export interface TaskCounts {
  submitted: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  timedOut: number;
  cancelled: number;
}

export interface DurationStats {
  /** EWMA of run time of tasks that finished (done or failed), ms; 0 before the first. */
  ewmaDurationMs: number;
  /** EWMA of the wait between submission and start, ms; 0 before the first start. */
  ewmaWaitMs: number;
}

export interface LaneMetrics extends TaskCounts, DurationStats {
  lane: Lane;
  concurrency: number;
  minConcurrency: number;
  maxConcurrency: number;
}

export interface HostMetrics extends TaskCounts, DurationStats {
  hostId: string;
  /** Highest number of this host's tasks ever running at once (all lanes). */
  maxConcurrentSeen: number;
}

export interface SchedulerMetrics {
  /** Epoch ms when the snapshot was taken. */
  at: number;
  closed: boolean;
  /** Last p99 event-loop delay the adaptive rule saw, ms. */
  eventLoopDelayMs: number;
  hostConcurrency: number;
  totals: TaskCounts;
  lanes: Record<Lane, LaneMetrics>;
  hosts: HostMetrics[];
}

export type TaskOutcome = 'done' | 'failed' | 'timedOut' | 'cancelled';

export interface TaskEvent {
  id: number;
  phase: 'queued' | 'started' | TaskOutcome;
  lane: Lane;
  hostId: string;
  label: string;
  /** Set from `started` on. */
  waitMs?: number;
  /** Set on outcomes of a task that had started. */
  durationMs?: number;
}

export interface ConcurrencyChange {
  lane: Lane;
  from: number;
  to: number;
  reason: 'backlog' | 'loop-delay' | 'relax';
  eventLoopDelayMs: number;
}

export interface SchedulerEvents {
  metrics: SchedulerMetrics;
  task: TaskEvent;
  concurrency: ConcurrencyChange;
}
