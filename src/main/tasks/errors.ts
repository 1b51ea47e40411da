/**
 * Typed errors of the scheduler. Each has a stable `code` for the contract layer and a message a
 * person can act on; task errors also carry the lane, host and label they concern.
 */
import type { Lane } from './types';

export type TaskErrorCode = 'TASK_TIMEOUT' | 'TASK_CANCELLED' | 'SCHEDULER_CLOSED' | 'TASK_OPTIONS_INVALID';

export interface TaskIdentity {
  lane: Lane;
  hostId: string;
  label: string;
}

export abstract class RemoteTaskError extends Error {
  abstract readonly code: TaskErrorCode;
  readonly lane: Lane;
  readonly hostId: string;
  readonly label: string;

  constructor(task: TaskIdentity, message: string, options?: ErrorOptions) {
    super(message, options);
    this.lane = task.lane;
    this.hostId = task.hostId;
    this.label = task.label;
  }
}

function describe(task: TaskIdentity): string {
  return `${task.lane} task "${task.label}" on host ${task.hostId}`;
}

function formatDuration(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The task ran longer than its limit; its signal was aborted and its slot freed. */
export class TaskTimeout extends RemoteTaskError {
  readonly code = 'TASK_TIMEOUT' as const;
  override readonly name = 'TaskTimeout';
  readonly timeoutMs: number;

  constructor(task: TaskIdentity, timeoutMs: number) {
    super(
      task,
      `${describe(task)} timed out after ${formatDuration(timeoutMs)} and was stopped; ` +
        `the host may be overloaded or unreachable — check it, or raise lanes.${task.lane}.timeoutMs ` +
        `if this operation is expected to take longer`,
    );
    this.timeoutMs = timeoutMs;
  }
}

/** The caller aborted the task (before it started, it never ran). */
export class TaskCancelled extends RemoteTaskError {
  readonly code = 'TASK_CANCELLED' as const;
  override readonly name = 'TaskCancelled';
  /** Whether the task function had already been called when the cancellation arrived. */
  readonly started: boolean;

  constructor(task: TaskIdentity, started: boolean, cause?: unknown) {
    super(
      task,
      started
        ? `${describe(task)} was cancelled while running; the remote command was asked to stop`
        : `${describe(task)} was cancelled before it started; nothing was sent to the host`,
      cause === undefined ? undefined : { cause },
    );
    this.started = started;
  }
}

/** The scheduler was closed (application shutdown) while the task was queued or running. */
export class SchedulerClosed extends RemoteTaskError {
  readonly code = 'SCHEDULER_CLOSED' as const;
  override readonly name = 'SchedulerClosed';
  readonly started: boolean;

  constructor(task: TaskIdentity, started: boolean) {
    super(
      task,
      `${describe(task)} was ${started ? 'stopped' : 'not run'} because the task scheduler is shutting down; ` +
        `retry after the application restarts`,
    );
    this.started = started;
  }
}

/** The caller passed options the scheduler cannot honour; a programming error. */
export class InvalidTaskOptions extends RemoteTaskError {
  readonly code = 'TASK_OPTIONS_INVALID' as const;
  override readonly name = 'InvalidTaskOptions';

  constructor(task: TaskIdentity, problem: string) {
    super(task, `${describe(task)} was rejected: ${problem}`);
  }
}

/** A configuration value is out of range; the composition root shows this in diagnostic mode. */
export class InvalidSchedulerConfig extends Error {
  readonly code = 'SCHEDULER_CONFIG_INVALID' as const;
  override readonly name = 'InvalidSchedulerConfig';
  readonly setting: string;

  constructor(setting: string, problem: string) {
    super(`task scheduler setting ${setting} ${problem}`);
    this.setting = setting;
  }
}
