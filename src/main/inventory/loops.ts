import type { InventoryStore } from '../store';
import type { HostRefresher, RefreshKind, RefreshOutcome } from './host-refresh';
import { slotOffsetMs, WakeableSleep } from './timing';

export interface CycleSummary {
  kind: 'startup' | 'full' | 'quick';
  refreshed: number;
  deferred: number;
  failed: number;
  durationMs: number;
  at: string;
}

/**
 * The background loops: each cycle walks the enabled hosts in a fixed order, starting host i at
 * i/n of the interval, so calls are spread evenly and the same host always gets the same slot.
 * Intervals are read at every step, so a settings change takes effect within the current cycle.
 */
export class RefreshLoops {
  private readonly sleeper = new WakeableSleep();
  private stopped = false;
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly refresher: HostRefresher,
    private readonly store: InventoryStore,
    private readonly hostIds: () => string[],
    private readonly intervalMs: (kind: RefreshKind) => number,
    private readonly now: () => number,
    private readonly onCycle: (summary: CycleSummary) => void,
  ) {}

  /** Full refresh of every host now (startup), then the loops (unless `background` is false). */
  async start(background = true): Promise<void> {
    if (this.stopped) return; // stopped while the start waited for host contact
    const began = this.now();
    const hosts = this.hostIds();
    const outcomes = await Promise.all(hosts.map((id) => this.refresher.full(id).promise.catch((): RefreshOutcome => 'failed')));
    this.onCycle(summarise('startup', outcomes, 0, began, this.now()));
    if (this.stopped || !background) return;
    this.running.push(this.loop('quick', this.now()), this.loop('full', began + this.intervalMs('full')));
  }

  /** Re-reads intervals and hosts (settings changed, a host was added). */
  wake(): void {
    this.sleeper.wakeAll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.wakeAll();
    await Promise.allSettled(this.running);
  }

  private async loop(kind: RefreshKind, firstStart: number): Promise<void> {
    let cycleStart = firstStart;
    const stopped = () => this.stopped;
    while (!this.stopped) {
      await this.sleeper.until(() => cycleStart, this.now, stopped);
      if (this.stopped) return;
      const hosts = this.hostIds();
      const outcomes: Promise<RefreshOutcome>[] = [];
      let deferred = 0;
      for (let i = 0; i < hosts.length && !this.stopped; i++) {
        await this.sleeper.until(() => cycleStart + slotOffsetMs(i, hosts.length, this.intervalMs(kind)), this.now, stopped);
        const id = hosts[i]!;
        const next = this.store.host(id)?.sync.nextAttemptAt;
        if (next && Date.parse(next) > this.now()) {
          deferred++;
          continue;
        }
        outcomes.push(kind === 'full' ? this.refresher.full(id).promise : this.refresher.quick(id));
      }
      const results = await Promise.all(outcomes.map((p) => p.catch((): RefreshOutcome => 'failed')));
      if (this.stopped) return;
      this.onCycle(summarise(kind, results, deferred, cycleStart, this.now()));
      cycleStart = Math.max(cycleStart + this.intervalMs(kind), this.now());
    }
  }
}

function summarise(kind: CycleSummary['kind'], outcomes: RefreshOutcome[], deferred: number, began: number, ended: number): CycleSummary {
  return {
    kind,
    refreshed: outcomes.filter((o) => o === 'refreshed').length,
    deferred: deferred + outcomes.filter((o) => o === 'deferred' || o === 'discarded').length,
    failed: outcomes.filter((o) => o === 'failed').length,
    durationMs: ended - began,
    at: new Date(ended).toISOString(),
  };
}
