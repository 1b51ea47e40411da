import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Process-level figures for diagnostics.metrics; the histogram resets on each read. */
export class ProcessMetrics {
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 20 });
  private readonly startedAt = Date.now();

  constructor() {
    this.loopDelay.enable();
  }

  read(): { uptimeS: number; rssMb: number; heapUsedMb: number; eventLoopDelayP99Ms: number } {
    const memory = process.memoryUsage();
    const p99 = this.loopDelay.percentile(99) / 1e6;
    this.loopDelay.reset();
    return {
      uptimeS: Math.round((Date.now() - this.startedAt) / 1000),
      rssMb: Math.round((memory.rss / 1048576) * 10) / 10,
      heapUsedMb: Math.round((memory.heapUsed / 1048576) * 10) / 10,
      eventLoopDelayP99Ms: Number.isFinite(p99) ? Math.round(p99 * 10) / 10 : 0,
    };
  }

  close(): void {
    this.loopDelay.disable();
  }
}
