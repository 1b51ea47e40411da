// Remote task scheduler: the one path by which any service runs work against a Hyper-V host.
// Lanes per kind of work, a per-host cap, real timeouts/cancellation, adaptive concurrency, metrics.
export { RemoteTaskScheduler } from './scheduler';
export { DEFAULT_SCHEDULER_CONFIG, resolveSchedulerConfig } from './config';
export { nextConcurrency, createLoopDelayProbe, type LaneLoad, type AdaptiveDecision } from './adaptive';
export {
  RemoteTaskError,
  TaskTimeout,
  TaskCancelled,
  SchedulerClosed,
  InvalidTaskOptions,
  InvalidSchedulerConfig,
  type TaskErrorCode,
  type TaskIdentity,
} from './errors';
export {
  LANES,
  type Lane,
  type TaskOptions,
  type RemoteTask,
  type LaneSlot,
  type LaneConfig,
  type AdaptiveConfig,
  type SchedulerConfig,
  type SchedulerOptions,
  type LoopDelayProbe,
  type TaskCounts,
  type DurationStats,
  type LaneMetrics,
  type HostMetrics,
  type SchedulerMetrics,
  type TaskOutcome,
  type TaskEvent,
  type ConcurrencyChange,
  type SchedulerEvents,
} from './types';
