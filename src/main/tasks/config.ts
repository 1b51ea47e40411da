/**
 * Default lane settings, the merge/validation of caller overrides, and the check of task options.
 * Config validation throws InvalidSchedulerConfig so a bad settings file becomes a diagnostic.
 */
import { InvalidSchedulerConfig } from './errors';
import {
  LANES,
  type Lane,
  type LaneConfig,
  type SchedulerConfig,
  type SchedulerOptions,
  type TaskOptions,
} from './types';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * Why these numbers: WinRM calls are I/O-bound for us but CPU-heavy on the host (each one starts
 * a PowerShell process), so the per-host cap is what protects hosts; lanes protect each other.
 * Inventory polls are frequent and cheap for the workstation (a socket and a few KB of JSON each),
 * so its lane is wide: a fleet of hundreds of hosts refreshes in seconds while the per-host cap
 * keeps each host at one or two polls. Deployments copy ISOs (long, one per host); jobs wait on
 * guests for many minutes; control actions are short and interactive, so they get slots to spare.
 */
export const DEFAULT_SCHEDULER_CONFIG: SchedulerConfig = {
  hostConcurrency: 4,
  lanes: {
    INVENTORY: { concurrency: 32, minConcurrency: 4, maxConcurrency: 96, timeoutMs: 2 * MINUTE, hostLimit: 2 },
    DEPLOYMENT: {
      concurrency: 2,
      minConcurrency: 1,
      maxConcurrency: 8,
      timeoutMs: 15 * MINUTE,
      hostLimit: 1,
    },
    JOB: { concurrency: 4, minConcurrency: 2, maxConcurrency: 12, timeoutMs: 60 * MINUTE, hostLimit: 2 },
    CONTROL: { concurrency: 6, minConcurrency: 2, maxConcurrency: 16, timeoutMs: 2 * MINUTE, hostLimit: 2 },
  },
  adaptive: { enabled: true, intervalMs: 2 * SECOND, healthyDelayMs: 40, overloadedDelayMs: 150 },
};

function positiveInteger(setting: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidSchedulerConfig(setting, `must be a whole number of at least 1 (got ${String(value)})`);
  }
  return value;
}

function positiveFinite(setting: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidSchedulerConfig(setting, `must be a positive number (got ${String(value)})`);
  }
  return value;
}

function resolveLane(lane: Lane, override: Partial<LaneConfig> | undefined): LaneConfig {
  const merged: LaneConfig = { ...DEFAULT_SCHEDULER_CONFIG.lanes[lane], ...override };
  const at = (key: keyof LaneConfig): string => `lanes.${lane}.${key}`;
  // A caller who only raises `concurrency` means "start here"; widen the band rather than reject.
  if (override?.concurrency !== undefined) {
    if (override.minConcurrency === undefined)
      merged.minConcurrency = Math.min(merged.minConcurrency, merged.concurrency);
    if (override.maxConcurrency === undefined)
      merged.maxConcurrency = Math.max(merged.maxConcurrency, merged.concurrency);
  }
  positiveInteger(at('concurrency'), merged.concurrency);
  positiveInteger(at('minConcurrency'), merged.minConcurrency);
  positiveInteger(at('maxConcurrency'), merged.maxConcurrency);
  positiveInteger(at('hostLimit'), merged.hostLimit);
  positiveFinite(at('timeoutMs'), merged.timeoutMs);
  if (merged.minConcurrency > merged.concurrency || merged.concurrency > merged.maxConcurrency) {
    throw new InvalidSchedulerConfig(
      at('concurrency'),
      `must lie within [minConcurrency, maxConcurrency] (got ${merged.minConcurrency} ≤ ${merged.concurrency} ≤ ${merged.maxConcurrency})`,
    );
  }
  return merged;
}

/** Merges overrides over the defaults and checks every value. */
export function resolveSchedulerConfig(options: SchedulerOptions = {}): SchedulerConfig {
  const lanes = {} as Record<Lane, LaneConfig>;
  for (const lane of LANES) lanes[lane] = resolveLane(lane, options.lanes?.[lane]);
  for (const key of Object.keys(options.lanes ?? {})) {
    if (!(LANES as readonly string[]).includes(key)) {
      throw new InvalidSchedulerConfig(`lanes.${key}`, `is not a lane (expected one of ${LANES.join(', ')})`);
    }
  }
  const adaptive = { ...DEFAULT_SCHEDULER_CONFIG.adaptive, ...options.adaptive };
  positiveFinite('adaptive.intervalMs', adaptive.intervalMs);
  positiveFinite('adaptive.overloadedDelayMs', adaptive.overloadedDelayMs);
  if (!(adaptive.healthyDelayMs >= 0 && adaptive.healthyDelayMs < adaptive.overloadedDelayMs)) {
    throw new InvalidSchedulerConfig(
      'adaptive.healthyDelayMs',
      `must be at least 0 and below adaptive.overloadedDelayMs (${adaptive.overloadedDelayMs})`,
    );
  }
  return {
    hostConcurrency: positiveInteger(
      'hostConcurrency',
      options.hostConcurrency ?? DEFAULT_SCHEDULER_CONFIG.hostConcurrency,
    ),
    lanes,
    adaptive,
  };
}

/** setTimeout silently fires at once above this, so longer limits are rejected up front. */
const MAX_TIMER_MS = 2_147_483_647;

/** What is wrong with a task submission, for InvalidTaskOptions; undefined when it is fine. */
export function describeInvalidTaskOptions(options: TaskOptions, task: unknown): string | undefined {
  if (!(LANES as readonly string[]).includes(options.lane)) return `lane must be one of ${LANES.join(', ')}`;
  if (typeof options.hostId !== 'string' || options.hostId.length === 0)
    return 'hostId must be a non-empty string';
  if (typeof options.label !== 'string') return 'label must be a string';
  if (typeof task !== 'function') return 'the task must be a function taking an AbortSignal';
  const { timeoutMs, priority } = options;
  if (
    timeoutMs !== undefined &&
    !(Number.isFinite(timeoutMs) && timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)
  ) {
    return `timeoutMs must be a positive number of milliseconds up to ${MAX_TIMER_MS} (got ${String(timeoutMs)})`;
  }
  if (priority !== undefined && !Number.isFinite(priority))
    return `priority must be a finite number (got ${String(priority)})`;
  return undefined;
}
