import type { StateEvent, TopicName } from '../../shared/contract';
import type { Backend } from '../backend/backend';

export interface TopicHandlers {
  snapshot(payload: unknown): void;
  delta(payload: unknown): void;
  /** The snapshot could not be fetched (e.g. the owning service is not running). */
  error?(message: string): void;
}

/** Deltas held while a snapshot is being fetched; beyond this the snapshot alone is trusted. */
const MAX_BUFFERED = 20_000;

/**
 * Applies a topic's events in revision order. A delta whose revision is not exactly last + 1
 * means we missed something: fetch a snapshot instead of guessing. Deltas that arrive while the
 * snapshot is on its way are held and replayed on top of it (those newer than its revision), so
 * a busy topic — inventory during a refresh — does not need a second full snapshot.
 */
export class TopicSync {
  private revision = -1;
  private fetching: Promise<void> | undefined;
  private held: { revision: number; payload: unknown }[] = [];
  private again = false;

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
      this.replay();
      return;
    }
    if (event.revision <= this.revision) return; // duplicate or already in a snapshot
    if (!this.fetching && this.revision >= 0 && event.revision === this.revision + 1) {
      this.revision = event.revision;
      this.handlers.delta(event.payload);
      return;
    }
    this.hold(event.revision, event.payload);
    void this.resync();
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
        this.replay();
        if (this.again) {
          this.again = false;
          void this.resync();
        }
      });
    return this.fetching;
  }

  private hold(revision: number, payload: unknown): void {
    if (this.held.length >= MAX_BUFFERED) this.held = [];
    this.held.push({ revision, payload });
  }

  /** Applies held deltas that continue the current revision; a remaining gap asks for another snapshot. */
  private replay(): void {
    if (this.fetching || this.held.length === 0 || this.revision < 0) return;
    const held = this.held.sort((a, b) => a.revision - b.revision);
    this.held = [];
    for (let i = 0; i < held.length; i++) {
      const next = held[i]!;
      if (next.revision <= this.revision) continue;
      if (next.revision !== this.revision + 1) {
        this.held = held.slice(i);
        this.again = true;
        if (!this.fetching) {
          this.again = false;
          void this.resync();
        }
        return;
      }
      this.revision = next.revision;
      this.handlers.delta(next.payload);
    }
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
