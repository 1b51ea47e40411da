/**
 * A minimal typed event emitter. Unlike node:events, a throwing listener cannot break the
 * scheduler's bookkeeping mid-update: its error is reported as a process warning instead.
 */
export class TypedEmitter<Events> {
  readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => {
      set.delete(listener as (payload: never) => void);
    };
  }

  hasListeners(event: keyof Events): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  protected emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (payload: Events[K]) => void)(payload);
      } catch (error) {
        process.emitWarning(
          `task scheduler: a "${String(event)}" listener threw: ${error instanceof Error ? error.message : String(error)}`,
          { code: 'SCHEDULER_LISTENER_ERROR' },
        );
      }
    }
  }

  protected removeAllListeners(): void {
    this.#listeners.clear();
  }
}
