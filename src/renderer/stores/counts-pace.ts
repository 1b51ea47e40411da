import { useSyncExternalStore } from 'react';
import type { InventoryModel } from './inventory-model';
import { useInventory } from './inventory-store';

/**
 * Human-readable VM counts (tree, overview figures, host rows and cards) change at most this
 * often. Under a stream of 1,000 deltas a second they would otherwise change every frame: nobody
 * reads a number 60 times a second, but the page pays layout and paint for each change.
 */
export const COUNTS_INTERVAL_MS = 250;

/**
 * Where counts are shown. Each group is published in its own slot of the interval (the page's at
 * its start, the tree's half-way), so the two never re-render, lay out and paint in the same
 * frame: under a stream the heaviest frames are these, and two half-size ones fit a frame better.
 */
export type CountsGroup = 'page' | 'tree';
const PHASE_MS: Record<CountsGroup, number> = { page: 0, tree: COUNTS_INTERVAL_MS / 2 };

/** The longest a change waits before its group shows it. */
export const COUNTS_MAX_DELAY_MS = 2 * COUNTS_INTERVAL_MS;

/** The first time ≥ `t` among the slots every `period` ms, offset by `phase` (a group's: every COUNTS_INTERVAL_MS). */
export function nextSlot(t: number, phase: number, period = COUNTS_INTERVAL_MS): number {
  return Math.ceil((t - phase) / period) * period + phase;
}

/**
 * Where other paced updates (the freshness clock) go: between the groups' slots, so they never
 * share a frame with a count update either.
 */
export const BETWEEN_COUNTS_PHASE_MS = Math.round(COUNTS_INTERVAL_MS / 4);

/** One group's throttle: leading edge (a lone change shows at once), then its slots, and the last value always shows. */
class Pace {
  private readonly listeners = new Set<() => void>();
  /** What the shown counts were read from: a change of either means they may be out of date. */
  private shownModel: InventoryModel | undefined;
  private shownVersion = -1;
  private lastPublishAt = -Infinity;
  private publishes = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribeInventory: (() => void) | undefined;

  constructor(private readonly phase: number) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    this.unsubscribeInventory ??= useInventory.subscribe(this.onInventoryChange);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      this.unsubscribeInventory?.();
      this.unsubscribeInventory = undefined;
      clearTimeout(this.timer);
      this.timer = undefined;
      // Nobody shows these counts now: the next subscriber renders the current ones anyway, and
      // the next change after it may show at once.
      this.shownModel = undefined;
      this.lastPublishAt = -Infinity;
    };
  };

  readonly getSnapshot = (): number => this.publishes;

  private readonly onInventoryChange = (): void => {
    const { model, version } = useInventory.getState();
    if ((model === this.shownModel && version === this.shownVersion) || this.timer) return;
    const now = Date.now();
    const due = this.lastPublishAt + COUNTS_INTERVAL_MS;
    if (now >= due) this.publish();
    else this.timer = setTimeout(this.publish, nextSlot(due, this.phase) - now);
  };

  private readonly publish = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { model, version } = useInventory.getState();
    this.shownModel = model;
    this.shownVersion = version;
    this.lastPublishAt = Date.now();
    this.publishes++;
    this.listeners.forEach((l) => l());
  };
}

const paces: Record<CountsGroup, Pace> = { page: new Pace(PHASE_MS.page), tree: new Pace(PHASE_MS.tree) };

/**
 * Re-renders the caller when the VM counts it shows may have changed, at most every
 * COUNTS_INTERVAL_MS (in its group's slot); read the counts from `useInventory.getState().model`
 * when rendering. The counts always converge to the exact values: the last change of a burst is
 * published within COUNTS_MAX_DELAY_MS. VM rows and state dots are not paced: they subscribe to
 * their own VM.
 */
export function useCountsPace(group: CountsGroup = 'page', follow = true): number {
  const pace = paces[group];
  return useSyncExternalStore(follow ? pace.subscribe : STAND_STILL, follow ? pace.getSnapshot : NOTHING, follow ? pace.getSnapshot : NOTHING);
}

/**
 * `follow` false: the caller shows counts nobody can see now (a row scrolled out of view) and does
 * not re-render for them; when it follows again it re-renders once and reads the current counts.
 */
const STAND_STILL = (): (() => void) => () => undefined;
const NOTHING = (): number => -1;
