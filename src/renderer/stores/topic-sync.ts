import type { StateEvent, TopicName } from '../../shared/contract';
import type { Backend } from '../backend/backend';

export interface TopicHandlers {
  snapshot(payload: unknown): void;
  delta(payload: unknown): void;
  /** The snapshot could not be fetched (e.g. the owning service is not running). */
  error?(message: string): void;
}

/**
 * Applies a topic's events in revision order. A delta whose revision is not exactly last + 1
 * means we missed something: ignore it and fetch a snapshot instead of guessing.
 */
export class TopicSync {
  private revision = -1;
  private fetching: Promise<void> | undefined;

  constructor(
    private readonly backend: Backend,
    private readonly topic: TopicName,
    private readonly handlers: TopicHandlers,
  ) {}

  handle(event: StateEvent): void {
    if (event.topic !== this.topic) return;
    if (event.kind === 'snapshot') {
      if (event.revision <= this.revision) return;
      this.revision = event.revision;
      this.handlers.snapshot(event.payload);
      return;
    }
    if (this.revision >= 0 && event.revision === this.revision + 1) {
      this.revision = event.revision;
      this.handlers.delta(event.payload);
    } else if (event.revision > this.revision) {
      void this.resync();
    }
  }

  resync(): Promise<void> {
    this.fetching ??= this.backend
      .invoke('events.snapshot', { topic: this.topic })
      .then((result) => {
        if (result.ok && result.data.revision >= this.revision) {
          this.revision = result.data.revision;
          this.handlers.snapshot(result.data.payload);
        } else if (!result.ok) {
          this.handlers.error?.(result.error.message);
        }
      })
      .finally(() => {
        this.fetching = undefined;
      });
    return this.fetching;
  }
}

export function applyCollectionDelta<T extends { id: string }>(
  current: Record<string, T>,
  delta: { upsert: T[]; remove: string[] },
): Record<string, T> {
  const next = { ...current };
  for (const item of delta.upsert) next[item.id] = item;
  for (const id of delta.remove) delete next[id];
  return next;
}

export function indexById<T extends { id: string }>(items: T[]): Record<string, T> {
  return Object.fromEntries(items.map((item) => [item.id, item]));
}
