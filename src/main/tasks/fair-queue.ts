/**
 * Waiting tasks of one lane, kept per host so a host with a deep backlog cannot starve others:
 * hosts take turns, and only hosts the caller says have room are considered at all.
 */

interface Waiting<T> {
  item: T;
  priority: number;
}

export class HostFairQueue<T> {
  /** Per host with waiting items: sorted by priority (high first), FIFO among equal priorities. */
  readonly #queues = new Map<string, Waiting<T>[]>();
  /**
   * When each host was last served (a counter, not a clock). Kept after a host's queue empties:
   * a host that was just served and immediately queues more must not jump ahead of the others.
   */
  readonly #lastServed = new Map<string, number>();
  #turn = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  sizeOf(hostId: string): number {
    return this.#queues.get(hostId)?.length ?? 0;
  }

  push(hostId: string, item: T, priority = 0): void {
    let queue = this.#queues.get(hostId);
    if (!queue) {
      queue = [];
      this.#queues.set(hostId, queue);
    }
    // Scan from the back: equal priorities (the common case) insert at the end in O(1).
    let at = queue.length;
    while (at > 0 && queue[at - 1].priority < priority) at--;
    queue.splice(at, 0, { item, priority });
    this.#size++;
  }

  /** Removes a waiting item (cancelled before it started). Returns whether it was waiting. */
  remove(hostId: string, item: T): boolean {
    const queue = this.#queues.get(hostId);
    if (!queue) return false;
    const index = queue.findIndex((w) => w.item === item);
    if (index < 0) return false;
    queue.splice(index, 1);
    this.#size--;
    if (queue.length === 0) this.#queues.delete(hostId);
    return true;
  }

  /**
   * Takes the next item from a host for which `hasRoom` is true: the highest head priority wins;
   * among equal priorities the least recently served host goes first (round-robin). Hosts without
   * room are skipped, so they never block the others. O(number of hosts with waiting work).
   */
  take(hasRoom: (hostId: string) => boolean): { hostId: string; item: T } | undefined {
    let bestHost: string | undefined;
    let bestPriority = -Infinity;
    let bestServed = Infinity;
    for (const [hostId, queue] of this.#queues) {
      const priority = queue[0].priority;
      const served = this.#lastServed.get(hostId) ?? 0;
      const better = priority > bestPriority || (priority === bestPriority && served < bestServed);
      if (better && hasRoom(hostId)) {
        bestHost = hostId;
        bestPriority = priority;
        bestServed = served;
      }
    }
    if (bestHost === undefined) return undefined;
    const queue = this.#queues.get(bestHost)!;
    const { item } = queue.shift()!;
    this.#size--;
    if (queue.length === 0) this.#queues.delete(bestHost);
    this.#lastServed.set(bestHost, ++this.#turn);
    return { hostId: bestHost, item };
  }

  /** Number of waiting items on hosts for which `hasRoom` is true: work a free lane slot could start. */
  countWhere(hasRoom: (hostId: string) => boolean): number {
    let count = 0;
    for (const [hostId, queue] of this.#queues) if (hasRoom(hostId)) count += queue.length;
    return count;
  }

  /** Empties the queue, returning every waiting item in no particular order. */
  drain(): T[] {
    const items: T[] = [];
    for (const queue of this.#queues.values()) for (const w of queue) items.push(w.item);
    this.#queues.clear();
    this.#size = 0;
    return items;
  }
}
