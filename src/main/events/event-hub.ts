import type { CollectionDelta, DeltaOf, SnapshotOf, StateEvent, TopicName } from '../../shared/contract';

type Listener = (event: StateEvent) => void;
type SnapshotSource<T extends TopicName> = () => SnapshotOf<T>;

/**
 * Revisioned state events. Each topic's revision rises by one per published event, so a client
 * can detect a missed event and ask for a snapshot; snapshots come from the owning service.
 */
export class EventHub {
  private readonly revisions = new Map<TopicName, number>();
  private readonly sources = new Map<TopicName, () => unknown>();
  private readonly listeners = new Set<{ listener: Listener; topics?: ReadonlySet<TopicName> }>();

  registerSource<T extends TopicName>(topic: T, source: SnapshotSource<T>): void {
    this.sources.set(topic, source);
  }

  /**
   * `topics` limits what the listener receives. Services name theirs: a snapshot nobody listens
   * for is then never built (the inventory's start-up snapshot of 10,000 VMs costs ~30 ms).
   */
  subscribe(listener: Listener, topics?: readonly TopicName[]): () => void {
    const entry = { listener, topics: topics ? new Set(topics) : undefined };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  revision(topic: TopicName): number {
    return this.revisions.get(topic) ?? 0;
  }

  snapshot<T extends TopicName>(topic: T): { topic: T; revision: number; payload: SnapshotOf<T> } {
    const source = this.sources.get(topic);
    if (!source) throw new Error(`no snapshot source registered for topic "${topic}"`);
    return { topic, revision: this.revision(topic), payload: source() as SnapshotOf<T> };
  }

  publishDelta<T extends 'hosts' | 'notifications'>(topic: T, delta: CollectionDelta<unknown>): void {
    if (delta.upsert.length === 0 && delta.remove.length === 0) return;
    this.emit({ topic, revision: this.bump(topic), kind: 'delta', payload: delta } as StateEvent);
  }

  /** Publishes a topic-specific delta (e.g. inventory's hosts + vms); the caller skips empty ones. */
  publishTopicDelta<T extends TopicName>(topic: T, delta: DeltaOf<T>): void {
    this.emit({ topic, revision: this.bump(topic), kind: 'delta', payload: delta } as StateEvent);
  }

  publishSnapshot<T extends TopicName>(topic: T): void {
    if (!this.hasListenerFor(topic)) {
      this.bump(topic); // still a new revision: a client that connects later fetches the snapshot
      return;
    }
    const { payload } = this.snapshot(topic);
    this.emit({ topic, revision: this.bump(topic), kind: 'snapshot', payload } as StateEvent);
  }

  private hasListenerFor(topic: TopicName): boolean {
    for (const { topics } of this.listeners) if (!topics || topics.has(topic)) return true;
    return false;
  }

  private bump(topic: TopicName): number {
    const next = this.revision(topic) + 1;
    this.revisions.set(topic, next);
    return next;
  }

  private emit(event: StateEvent): void {
    for (const { listener, topics } of this.listeners) {
      if (topics && !topics.has(event.topic)) continue;
      try {
        listener(event);
      } catch {
        // A broken subscriber (e.g. a closed socket) must not stop delivery to the others.
      }
    }
  }
}
