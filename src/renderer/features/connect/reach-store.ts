import { create } from 'zustand';
import type { VmReach } from '../../../shared/contract';
import type { Backend } from '../../backend/backend';
import { TopicSync } from '../../stores/topic-sync';

export interface ReachabilityState {
  byKey: ReadonlyMap<string, VmReach>;
  /** Bumped on every change: the table re-filters by reachability when it does. */
  version: number;
}

export const useReachability = create<ReachabilityState>(() => ({ byKey: new Map(), version: 0 }));

/** The TopicSync for 'reachability' (snapshot + deltas keyed `${hostId}:${vmId}`), wired in app-store's connectStore. */
export function reachabilitySync(backend: Backend): TopicSync {
  return new TopicSync(backend, 'reachability', {
    snapshot: (p) => useReachability.setState((s) => ({ byKey: new Map((p as VmReach[]).map((r) => [r.key, r])), version: s.version + 1 })),
    // In place, not a copy per delta: the map holds a row per probed VM (tens of thousands at
    // bench:scale), and copying it cost ~5 ms of a frame per delta. Readers select entries
    // (`byKey.get(key)`) or `version`, never the map's identity, so the bump is what they see.
    delta: (p) => {
      const delta = p as { upsert: VmReach[]; remove: string[] };
      useReachability.setState((s) => {
        const byKey = s.byKey as Map<string, VmReach>;
        for (const r of delta.upsert) byKey.set(r.key, r);
        for (const key of delta.remove) byKey.delete(key);
        return { version: s.version + 1 };
      });
    },
  });
}

export function reachOf(key: string): VmReach | undefined {
  return useReachability.getState().byKey.get(key);
}
