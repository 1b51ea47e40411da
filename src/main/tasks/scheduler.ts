/**
 * RemoteTaskScheduler: every call to a Hyper-V host runs through here. Lanes (p-queue each) keep
 * kinds of work from delaying one another, a per-host cap protects hosts, and timeouts/cancellation
 * free a slot the moment they fire, whether or not the task function honours its signal.
 */
import PQueue from 'p-queue';
import { createLoopDelayProbe, nextConcurrency } from './adaptive';
import { describeInvalidTaskOptions, resolveSchedulerConfig } from './config';
import { TypedEmitter } from './emitter';
import {
  InvalidTaskOptions,
  SchedulerClosed,
  TaskCancelled,
  TaskTimeout,
  type RemoteTaskError,
} from './errors';
import { HostFairQueue } from './fair-queue';
import { addCounts, emptyCounts, TaskStats } from './stats';
import {
  LANES,
  type HostMetrics,
  type Lane,
  type LaneConfig,
  type LaneMetrics,
  type LaneSlot,
  type LoopDelayProbe,
  type RemoteTask,
  type SchedulerConfig,
  type SchedulerEvents,
  type SchedulerMetrics,
  type SchedulerOptions,
  type TaskOptions,
  type TaskOutcome,
} from './types';

interface Entry {
  id: number;
  lane: Lane;
  hostId: string;
  label: string;
  priority: number;
  timeoutMs: number;
  task: RemoteTask<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  state: 'queued' | 'running' | 'settled';
  submittedAt: number;
  startedAt: number;
  callerSignal?: AbortSignal;
  onCallerAbort?: () => void;
  controller?: AbortController;
  timer?: ReturnType<typeof setTimeout>;
  /** Resolves the p-queue job, which is what gives the lane slot back. */
  releaseSlot?: () => void;
  /** Parked: waiting on its host without a lane slot (LaneSlot.park). */
  parked?: boolean;
  /** Set while a parked task waits for a lane slot again (LaneSlot.resume). */
  onResume?: () => void;
}

interface LaneState {
  name: Lane;
  config: LaneConfig;
  /** Holds only started tasks: a task is handed over only when a slot and its host have room. */
  slots: PQueue;
  waiting: HostFairQueue<Entry>;
  /** Parked tasks asking for a slot back; served before `waiting`. */
  resuming: Entry[];
  running: Set<Entry>;
  stats: TaskStats;
}

interface HostState {
  stats: TaskStats;
  runningByLane: Record<Lane, number>;
}

export class RemoteTaskScheduler extends TypedEmitter<SchedulerEvents> {
  readonly config: SchedulerConfig;
  readonly #lanes: Record<Lane, LaneState>;
  readonly #hosts = new Map<string, HostState>();
  readonly #probe: LoopDelayProbe;
  readonly #ownsProbe: boolean;
  readonly #ticker: ReturnType<typeof setInterval>;
  #nextId = 1;
  #lastLoopDelayMs = 0;
  #closed = false;
  #closing?: Promise<void>;
  #pumping = false;
  #pumpAgain = false;
  /** Rotates which lane gets first pick of freed host slots, so no lane is always last. */
  #laneTurn = 0;

  constructor(options: SchedulerOptions = {}) {
    super();
    this.config = resolveSchedulerConfig(options);
    const lanes = {} as Record<Lane, LaneState>;
    for (const name of LANES) {
      const config = this.config.lanes[name];
      const slots = new PQueue({ concurrency: config.concurrency });
      // p-queue frees its count a few microtasks after our job resolves; refill then.
      slots.on('next', () => this.#pump());
      lanes[name] = {
        name,
        config,
        slots,
        waiting: new HostFairQueue<Entry>(),
        resuming: [],
        running: new Set(),
        stats: new TaskStats(),
      };
    }
    this.#lanes = lanes;
    this.#ownsProbe = options.loopDelayProbe === undefined;
    this.#probe = options.loopDelayProbe ?? createLoopDelayProbe();
    this.#ticker = setInterval(() => this.#tick(), this.config.adaptive.intervalMs);
    // Diagnostics must never keep the app (or a test run) alive.
    this.#ticker.unref();
  }

  /**
   * Queues `task` and settles with its result. Rejects with TaskTimeout, TaskCancelled,
   * SchedulerClosed, InvalidTaskOptions, or whatever the task itself rejected with.
   */
  run<T>(options: TaskOptions, task: RemoteTask<T>): Promise<T> {
    const identity = { lane: options.lane, hostId: options.hostId, label: options.label };
    const problem = describeInvalidTaskOptions(options, task);
    if (problem) return Promise.reject(new InvalidTaskOptions(identity, problem));
    if (this.#closed) return Promise.reject(new SchedulerClosed(identity, false));
    const lane = this.#lanes[options.lane];
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = {
        id: this.#nextId++,
        ...identity,
        priority: options.priority ?? 0,
        timeoutMs: options.timeoutMs ?? lane.config.timeoutMs,
        task,
        resolve: resolve as (value: unknown) => void,
        reject,
        state: 'queued',
        submittedAt: performance.now(),
        startedAt: 0,
      };
      lane.stats.submitted();
      this.#host(entry.hostId).stats.submitted();
      this.emit('task', { id: entry.id, phase: 'queued', ...identity });
      // A listener may have closed the scheduler; queueing now would leave the task stranded.
      if (this.#closed) {
        this.#drop(entry, new SchedulerClosed(identity, false));
        return;
      }
      const signal = options.signal;
      if (signal?.aborted) {
        this.#drop(entry, new TaskCancelled(identity, false, signal.reason));
        return;
      }
      if (signal) {
        entry.callerSignal = signal;
        entry.onCallerAbort = () => this.#cancel(entry, signal.reason);
        signal.addEventListener('abort', entry.onCallerAbort, { once: true });
      }
      lane.waiting.push(entry.hostId, entry, entry.priority);
      this.#pump();
    });
  }

  metrics(): SchedulerMetrics {
    const totals = emptyCounts();
    const lanes = {} as Record<Lane, LaneMetrics>;
    for (const name of LANES) {
      const lane = this.#lanes[name];
      addCounts(totals, lane.stats.counts);
      lanes[name] = {
        lane: name,
        ...lane.stats.counts,
        ...lane.stats.durations(),
        concurrency: lane.slots.concurrency,
        minConcurrency: lane.config.minConcurrency,
        maxConcurrency: lane.config.maxConcurrency,
      };
    }
    const hosts: HostMetrics[] = [...this.#hosts].map(([hostId, host]) => ({
      hostId,
      ...host.stats.counts,
      ...host.stats.durations(),
      maxConcurrentSeen: host.stats.maxConcurrentSeen,
    }));
    return {
      at: Date.now(),
      closed: this.#closed,
      eventLoopDelayMs: this.#lastLoopDelayMs,
      hostConcurrency: this.config.hostConcurrency,
      totals,
      lanes,
      hosts,
    };
  }

  /**
   * Stops the scheduler: queued tasks reject with SchedulerClosed without running, running tasks
   * have their signal aborted and reject with SchedulerClosed. Resolves once every lane is idle.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    clearInterval(this.#ticker);
    if (this.#ownsProbe) this.#probe.close();
    // Queued first, so that finishing running tasks cannot hand their slots to queued ones.
    for (const name of LANES) {
      for (const entry of this.#lanes[name].waiting.drain())
        this.#drop(entry, new SchedulerClosed(entry, false));
    }
    for (const name of LANES) {
      for (const entry of [...this.#lanes[name].running])
        this.#finish(entry, 'cancelled', new SchedulerClosed(entry, true));
    }
    this.#closing = Promise.all(LANES.map((name) => this.#lanes[name].slots.onIdle())).then(() => {
      this.emit('metrics', this.metrics());
      this.removeAllListeners();
    });
    return this.#closing;
  }

  #host(hostId: string): HostState {
    let host = this.#hosts.get(hostId);
    if (!host) {
      host = { stats: new TaskStats(), runningByLane: { INVENTORY: 0, DEPLOYMENT: 0, JOB: 0, CONTROL: 0 } };
      this.#hosts.set(hostId, host);
    }
    return host;
  }

  #hostHasRoom(hostId: string, lane: LaneState): boolean {
    const host = this.#host(hostId);
    return (
      host.stats.counts.running < this.config.hostConcurrency &&
      host.runningByLane[lane.name] < lane.config.hostLimit
    );
  }

  /**
   * Starts every task that can start now. Re-entrant calls (a task or listener submitting work
   * synchronously) only ask the running pass to go round once more.
   */
  #pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        const first = this.#laneTurn++ % LANES.length;
        for (let i = 0; i < LANES.length; i++) this.#fill(this.#lanes[LANES[(first + i) % LANES.length]]);
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
  }

  #fill(lane: LaneState): void {
    // A parked task whose host answered goes first: it holds a host slot and has a reply to use.
    while (!this.#closed && lane.resuming.length > 0 && lane.slots.pending + lane.slots.size < lane.slots.concurrency) {
      const entry = lane.resuming.shift()!;
      lane.slots
        .add(
          () =>
            new Promise<void>((releaseSlot) => {
              entry.releaseSlot = releaseSlot;
              entry.parked = false;
              const resume = entry.onResume;
              entry.onResume = undefined;
              resume?.();
            }),
        )
        .catch(() => undefined);
    }
    while (!this.#closed && lane.slots.pending + lane.slots.size < lane.slots.concurrency) {
      const next = lane.waiting.take((hostId) => this.#hostHasRoom(hostId, lane));
      if (!next) return;
      this.#start(lane, next.item);
    }
  }

  #start(lane: LaneState, entry: Entry): void {
    entry.state = 'running';
    entry.startedAt = performance.now();
    const waitMs = entry.startedAt - entry.submittedAt;
    const host = this.#host(entry.hostId);
    lane.stats.started(waitMs);
    host.stats.started(waitMs);
    host.runningByLane[lane.name]++;
    lane.running.add(entry);
    this.emit('task', {
      id: entry.id,
      phase: 'started',
      lane: entry.lane,
      hostId: entry.hostId,
      label: entry.label,
      waitMs,
    });
    // p-queue starts the job synchronously when it has a free slot, which #fill just checked.
    lane.slots.add(() => this.#execute(entry)).catch(() => undefined);
  }

  /** The p-queue job: resolves when the slot is given back, not necessarily when the task settles. */
  #execute(entry: Entry): Promise<void> {
    return new Promise<void>((releaseSlot) => {
      entry.releaseSlot = releaseSlot;
      const controller = new AbortController();
      entry.controller = controller;
      entry.timer = setTimeout(
        () => this.#finish(entry, 'timedOut', new TaskTimeout(entry, entry.timeoutMs)),
        entry.timeoutMs,
      );
      let result: Promise<unknown>;
      try {
        result = Promise.resolve(entry.task(controller.signal, this.#slotOf(entry)));
      } catch (error) {
        result = Promise.reject(error);
      }
      result.then(
        (value) => this.#finish(entry, 'done', value),
        (error: unknown) => this.#finish(entry, 'failed', error),
      );
    });
  }

  #slotOf(entry: Entry): LaneSlot {
    return {
      park: () => {
        if (entry.state !== 'running' || entry.parked) return;
        entry.parked = true;
        const release = entry.releaseSlot;
        entry.releaseSlot = undefined;
        // p-queue frees the count a few microtasks later and its 'next' refills the lane.
        release?.();
      },
      resume: () => {
        if (entry.state !== 'running' || !entry.parked || entry.onResume) return Promise.resolve();
        return new Promise<void>((resolve) => {
          entry.onResume = resolve;
          this.#lanes[entry.lane].resuming.push(entry);
          this.#pump();
        });
      },
    };
  }

  #cancel(entry: Entry, reason: unknown): void {
    if (entry.state === 'queued') {
      this.#lanes[entry.lane].waiting.remove(entry.hostId, entry);
      this.#drop(entry, new TaskCancelled(entry, false, reason));
    } else if (entry.state === 'running') {
      this.#finish(entry, 'cancelled', new TaskCancelled(entry, true, reason));
    }
  }

  /** A queued task leaves without ever running. */
  #drop(entry: Entry, error: RemoteTaskError): void {
    entry.state = 'settled';
    this.#detachCaller(entry);
    this.#lanes[entry.lane].stats.dropped();
    this.#host(entry.hostId).stats.dropped();
    entry.reject(error);
    this.emit('task', {
      id: entry.id,
      phase: 'cancelled',
      lane: entry.lane,
      hostId: entry.hostId,
      label: entry.label,
    });
  }

  /** The single exit of a running task: whichever of settle/timeout/abort/close comes first wins. */
  #finish(entry: Entry, outcome: TaskOutcome, valueOrError: unknown): void {
    if (entry.state !== 'running') return;
    entry.state = 'settled';
    clearTimeout(entry.timer);
    this.#detachCaller(entry);
    const durationMs = performance.now() - entry.startedAt;
    const lane = this.#lanes[entry.lane];
    const host = this.#host(entry.hostId);
    lane.stats.finished(outcome, durationMs);
    host.stats.finished(outcome, durationMs);
    host.runningByLane[entry.lane]--;
    lane.running.delete(entry);
    // Ended while parked (timeout, cancel, close): it no longer wants a slot; let it go on to see why.
    const resuming = lane.resuming.indexOf(entry);
    if (resuming >= 0) lane.resuming.splice(resuming, 1);
    const resume = entry.onResume;
    entry.onResume = undefined;
    resume?.();
    // Abort after the books are updated: abort listeners run synchronously and may submit work.
    if (outcome === 'timedOut' || outcome === 'cancelled') entry.controller?.abort(valueOrError);
    entry.releaseSlot?.();
    if (outcome === 'done') entry.resolve(valueOrError);
    else entry.reject(valueOrError);
    this.emit('task', {
      id: entry.id,
      phase: outcome,
      lane: entry.lane,
      hostId: entry.hostId,
      label: entry.label,
      waitMs: entry.startedAt - entry.submittedAt,
      durationMs,
    });
    // The host slot is free now (the lane slot follows a few microtasks later via 'next').
    this.#pump();
  }

  #detachCaller(entry: Entry): void {
    if (entry.callerSignal && entry.onCallerAbort)
      entry.callerSignal.removeEventListener('abort', entry.onCallerAbort);
    entry.callerSignal = undefined;
    entry.onCallerAbort = undefined;
  }

  #tick(): void {
    const loopDelayMs = this.#probe.sample();
    this.#lastLoopDelayMs = loopDelayMs;
    if (this.config.adaptive.enabled) {
      for (const name of LANES) this.#adapt(this.#lanes[name], loopDelayMs);
      this.#pump();
    }
    if (this.hasListeners('metrics')) this.emit('metrics', this.metrics());
  }

  /**
   * Resizes a lane while running (e.g. the JOB lane follows the "parallel job workers" setting).
   * Running tasks are never stopped; a smaller lane just starts fewer until it is under the limit.
   */
  setLaneSize(name: Lane, size: { concurrency: number; minConcurrency?: number; maxConcurrency?: number }): void {
    const lane = this.#lanes[name];
    const concurrency = Math.max(1, Math.floor(size.concurrency));
    const minConcurrency = Math.min(concurrency, Math.max(1, Math.floor(size.minConcurrency ?? lane.config.minConcurrency)));
    const maxConcurrency = Math.max(concurrency, Math.floor(size.maxConcurrency ?? lane.config.maxConcurrency));
    lane.config = { ...lane.config, concurrency, minConcurrency, maxConcurrency };
    (this.config.lanes as Record<Lane, LaneConfig>)[name] = lane.config;
    lane.slots.concurrency = concurrency;
    this.#pump();
  }

  #adapt(lane: LaneState, loopDelayMs: number): void {
    const from = lane.slots.concurrency;
    const decision = nextConcurrency(
      {
        current: from,
        initial: lane.config.concurrency,
        min: lane.config.minConcurrency,
        max: lane.config.maxConcurrency,
        waiting: lane.waiting.countWhere((hostId) => this.#hostHasRoom(hostId, lane)),
        running: lane.stats.counts.running,
      },
      loopDelayMs,
      this.config.adaptive,
    );
    if (!decision.reason) return;
    // Lowering p-queue's concurrency never stops running tasks; it just starts fewer.
    lane.slots.concurrency = decision.concurrency;
    this.emit('concurrency', {
      lane: lane.name,
      from,
      to: decision.concurrency,
      reason: decision.reason,
      eventLoopDelayMs: loopDelayMs,
    });
  }
}
