import { create } from 'zustand';
import type { InventoryDelta, InventorySnapshotWire } from '../../shared/contract';
import { decodeInventorySnapshot } from '../../shared/inventory-wire';
import type { Backend } from '../backend/backend';
import { InventoryModel } from './inventory-model';
import { TopicSync } from './topic-sync';
import { cachedAtOf } from '../../shared/first-screen';

export interface InventoryState {
  model: InventoryModel;
  /** Mirrors of the model's counters: what components subscribe to. */
  version: number;
  membershipVersion: number;
  hostsVersion: number;
  /** True once a snapshot arrived. */
  loaded: boolean;
  /** Why there is no inventory (e.g. the service is not running), when there is none. */
  unavailable?: string;
  /**
   * Set while the rows are the last session's snapshot, served before the backend was up: when
   * that session ended. Cleared when the backend confirms them (its first delta) or replaces them
   * (its snapshot).
   */
  cachedAt?: string;
}

export const useInventory = create<InventoryState>(() => ({
  model: new InventoryModel(),
  version: 0,
  membershipVersion: 0,
  hostsVersion: 0,
  loaded: false,
}));

function publish(model: InventoryModel): void {
  useInventory.setState({ version: model.version, membershipVersion: model.membershipVersion, hostsVersion: model.hostsVersion });
}

type Schedule = (flush: () => void) => void;

/** Performance marks (visible in DevTools and read by bench:inventory); absent in some test environments. */
function mark(name: string): void {
  if (typeof performance !== 'undefined' && typeof performance.mark === 'function') performance.mark(name);
}

/**
 * Deltas are queued and applied once per frame: at 1,000 deltas a second React renders ~60
 * times, not 1,000. A timeout backs up requestAnimationFrame, which never fires in a hidden tab.
 */
export const frameSchedule: Schedule = (flush) => {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    clearTimeout(fallback); // one task less per frame while deltas stream in
    flush();
  };
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(once);
  const fallback = setTimeout(once, 100);
};

export class InventoryFeed {
  private queue: InventoryDelta[] = [];
  private scheduled = false;

  constructor(
    private readonly model: InventoryModel,
    private readonly schedule: Schedule = frameSchedule,
  ) {}

  snapshot(payload: InventorySnapshotWire): void {
    // A snapshot supersedes whatever deltas were waiting (they are older revisions).
    this.queue = [];
    mark('aetherv:inventory-snapshot');
    this.model.replace(decodeInventorySnapshot(payload));
    useInventory.setState({ loaded: true, unavailable: undefined, cachedAt: cachedAtOf(payload) });
    publish(this.model);
    mark('aetherv:inventory-snapshot-applied');
  }

  delta(payload: InventoryDelta): void {
    // A delta continues the snapshot's revision: the backend has taken over from the cached rows.
    if (useInventory.getState().cachedAt !== undefined) useInventory.setState({ cachedAt: undefined });
    this.queue.push(payload);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  /** Applies every queued delta in one go and notifies subscribers once. */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length && this.model.apply(batch)) publish(this.model);
  }

  pending(): number {
    return this.queue.length;
  }
}

/** The TopicSync for 'inventory', feeding the store; `unavailable` says why when it cannot load. */
export function inventorySync(backend: Backend, schedule?: Schedule): { sync: TopicSync; feed: InventoryFeed } {
  const feed = new InventoryFeed(useInventory.getState().model, schedule);
  const sync = new TopicSync(backend, 'inventory', {
    snapshot: (p) => feed.snapshot(p as InventorySnapshotWire),
    delta: (p) => feed.delta(p as InventoryDelta),
    error: (message) => {
      if (!useInventory.getState().loaded) useInventory.setState({ unavailable: message });
    },
  });
  return { sync, feed };
}
