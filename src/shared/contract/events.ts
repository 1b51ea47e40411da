import { Type, type Static } from '@sinclair/typebox';
import { AppHealth } from './diagnostics';
import { HostView } from './hosts';
import { AppNotification } from './notifications';
import { InventoryDelta, InventorySnapshotWire } from './inventory';
import { JobOutputDelta, JobOutputSnapshot, JobRecord } from './jobs';
import { VmReach } from './areas/connect';

/**
 * State topics. Each has a snapshot shape and a delta shape; every event carries the topic's
 * revision, increasing by exactly one per event. A client that sees a gap calls events.snapshot.
 */
export const TopicName = Type.Union([Type.Literal('hosts'), Type.Literal('notifications'), Type.Literal('health'), Type.Literal('inventory'), Type.Literal('jobs'), Type.Literal('jobOutput'), Type.Literal('reachability')]);
export type TopicName = Static<typeof TopicName>;

function collectionDelta<T extends ReturnType<typeof Type.Object>>(item: T) {
  return Type.Object({ upsert: Type.Array(item), remove: Type.Array(Type.String()) });
}

export const topics = {
  hosts: { snapshot: Type.Array(HostView), delta: collectionDelta(HostView) },
  notifications: { snapshot: Type.Array(AppNotification), delta: collectionDelta(AppNotification) },
  /** Small enough that every change is a snapshot. */
  health: { snapshot: AppHealth, delta: AppHealth },
  /** Clusters come from the hosts' cluster names; VMs keyed `${hostId}:${vmId}`; snapshots column-wise (inventory-wire.ts). */
  inventory: { snapshot: InventorySnapshotWire, delta: InventoryDelta },
  /** Job records (the most recent 500 in the snapshot; older ones via jobs.list); docs/jobs.md. */
  jobs: { snapshot: Type.Array(JobRecord), delta: collectionDelta(JobRecord) },
  /** New output lines of every job, batched; the snapshot is empty (lines come from jobs.get). */
  jobOutput: { snapshot: JobOutputSnapshot, delta: JobOutputDelta },
  /** RDP/SSH reachability of VMs, keyed `${hostId}:${vmId}` (VmReach.key); src/main/reachability. */
  reachability: { snapshot: Type.Array(VmReach), delta: Type.Object({ upsert: Type.Array(VmReach), remove: Type.Array(Type.String()) }) },
} as const;

export type Topics = typeof topics;
export type SnapshotOf<T extends TopicName> = Static<Topics[T]['snapshot']>;
export type DeltaOf<T extends TopicName> = Static<Topics[T]['delta']>;
export type CollectionDelta<T> = { upsert: T[]; remove: string[] };

export type StateEvent<T extends TopicName = TopicName> = {
  [K in T]:
    | { topic: K; revision: number; kind: 'snapshot'; payload: SnapshotOf<K> }
    | { topic: K; revision: number; kind: 'delta'; payload: DeltaOf<K> };
}[T];

export const topicNames = Object.keys(topics) as TopicName[];
