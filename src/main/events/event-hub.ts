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
  private readonly listeners = new Set<Listener>();

  registerSource<T extends TopicName>(topic: T, source: SnapshotSource<T>): void {
    this.sources.set(topic, source);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
    const { payload } = this.snapshot(topic);
    this.emit({ topic, revision: this.bump(topic), kind: 'snapshot', payload } as StateEvent);
  }

  private bump(topic: TopicName): number {
    const next = this.revision(topic) + 1;
    this.revisions.set(topic, next);
    return next;
  }

  private emit(event: StateEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken subscriber (e.g. a closed socket) must not stop delivery to the others.
      }
    }
  }
}
