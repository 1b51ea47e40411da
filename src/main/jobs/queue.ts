import type { Lane } from '../tasks';

export interface QueuedJob {
  jobId: string;
  lane: Extract<Lane, 'JOB' | 'CONTROL'>;
  /** Runs the job; must hand `signal` to the scheduler task (cancel reaches the host). */
  run(signal: AbortSignal): Promise<void>;
  /** Called instead of run when the job is cancelled (or the queue stops) before it started. */
  dropped(reason: 'cancelled' | 'stopped'): void;
}

/**
 * The job queue. JOB-lane jobs (create, delete) start at most `workers()` at a time, in
 * submission order; CONTROL-lane jobs (power actions) go straight to the scheduler, whose lane
 * concurrency and per-host caps pace them. Either way every host call is a scheduler task.
 */
export class JobQueue {
  private readonly waiting: QueuedJob[] = [];
  private readonly running = new Map<string, AbortController>();
  private jobLaneRunning = 0;
  private stopped = false;

  constructor(private readonly workers: () => number) {}

  submit(job: QueuedJob): void {
    if (this.stopped) {
      job.dropped('stopped');
      return;
    }
    if (job.lane === 'CONTROL') this.start(job);
    else {
      this.waiting.push(job);
      this.pump();
    }
  }

  private pump(): void {
    while (!this.stopped && this.waiting.length && this.jobLaneRunning < Math.max(1, this.workers())) {
      const job = this.waiting.shift()!;
      this.jobLaneRunning++;
      this.start(job);
    }
  }

  private start(job: QueuedJob): void {
    const controller = new AbortController();
    this.running.set(job.jobId, controller);
    void job
      .run(controller.signal)
      .catch(() => undefined)
      .finally(() => {
        this.running.delete(job.jobId);
        if (job.lane === 'JOB') {
          this.jobLaneRunning--;
          this.pump();
        }
      });
  }

  /** 'dropped' when it had not started, 'aborted' when running (its signal fired), else 'unknown'. */
  cancel(jobId: string): 'dropped' | 'aborted' | 'unknown' {
    const index = this.waiting.findIndex((j) => j.jobId === jobId);
    if (index >= 0) {
      const [job] = this.waiting.splice(index, 1);
      job!.dropped('cancelled');
      return 'dropped';
    }
    const controller = this.running.get(jobId);
    if (controller) {
      controller.abort();
      return 'aborted';
    }
    return 'unknown';
  }

  isActive(jobId: string): boolean {
    return this.running.has(jobId) || this.waiting.some((j) => j.jobId === jobId);
  }

  counts(): { waiting: number; running: number } {
    return { waiting: this.waiting.length, running: this.running.size };
  }

  /** Drops waiting jobs and aborts running ones; resolves when they have all returned. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const job of this.waiting.splice(0)) job.dropped('stopped');
    for (const controller of this.running.values()) controller.abort();
    const deadline = Date.now() + 5000;
    while (this.running.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }
}
