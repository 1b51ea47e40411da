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
    this.running.push(this.loop('quick', this.now()), this.loop('full', began + this.intervalMs('full')), this.retryLoop());
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

  /**
   * A failed host is retried at its `nextAttemptAt`, the time its page counts down to — not at
   * its next slot of the quick cycle, which can be up to a whole interval later. Each scheduled
   * time is tried once: an attempt that leaves the same time behind (a discarded result, a host
   * whose deployment decides its own re-check time) is left to the cycles.
   */
  private async retryLoop(): Promise<void> {
    const tried = new Map<string, string>();
    const stopped = () => this.stopped;
    while (!this.stopped) {
      const due: string[] = [];
      let earliest = this.now() + RETRY_LOOK_MS;
      for (const id of this.hostIds()) {
        const sync = this.store.host(id)?.sync;
        const next = sync?.state === 'error' ? sync.nextAttemptAt : null;
        if (!next || tried.get(id) === next) continue;
        const at = Date.parse(next);
        if (at <= this.now()) due.push(id);
        else earliest = Math.min(earliest, at);
      }
      for (const id of due) {
        tried.set(id, this.store.host(id)!.sync.nextAttemptAt!);
        void this.refresher.full(id).promise.catch(() => undefined);
      }
      await this.sleeper.until(() => earliest, this.now, stopped);
    }
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

// How often the retry loop looks for a newly failed host; its due time is then met to the second.
const RETRY_LOOK_MS = 1_000;
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
