import type { Result, StateEvent } from '../../shared/contract';
import type { Backend } from '../backend';
import type { BackendConnection } from '../backend-connection';
import type { FirstScreen } from '../../shared/first-screen';
import type { StartSnapshot } from './start-snapshot';

/**
 * A result whose `data` is JSON text already: the WebSocket splices it into the reply without
 * parsing and re-encoding 2 MB on the thread that is opening the stores; IPC parses it.
 */
export class PreSerialized {
  /**
   * `onSent`: called by the transport once the text is written out (the WebSocket's send callback:
   * handed to the socket whole, not just queued), so the caller can hold back synchronous work that
   * would otherwise stop the rest of a large answer from being written.
   */
  constructor(
    readonly json: string,
    readonly onSent?: () => void,
  ) {}
}

/** The revision an early snapshot carries: before the inventory service published its first one. */
const EARLY_REVISION = 0;

export type EarlyOutcome = 'confirmed' | 'replaced' | 'unused';

/**
 * Answers the page's inventory snapshot request from the last session's snapshot (start-snapshot.ts)
 * while the backend is still starting, instead of after every service has started.
 *
 * Those rows carry `cachedAt` (the page marks them "cached, as of …"). Once the backend is up its
 * own snapshot decides, before any of its events reach a page that got the early one:
 * - the same content, at revision 1 (nothing published since the inventory service started): the
 *   page gets an empty delta at revision 1, which continues its revision and confirms its rows;
 * - anything else: the page gets the backend's snapshot as an event, which replaces its rows.
 * `outcome` says which (for logs and benchmarks).
 */
export function withEarlyInventory(
  connection: BackendConnection,
  starting: Promise<Backend>,
  early: StartSnapshot | undefined,
): BackendConnection & { outcome: Promise<EarlyOutcome>; served: Promise<void>; early(): boolean; firstScreen(): FirstScreen | undefined } {
  let started = false;
  let served = false;
  let markServed!: () => void;
  const servedOnce = new Promise<void>((resolve) => (markServed = resolve));
  const waiting = new Map<(event: StateEvent) => void, { unsubscribe?: () => void }>();
  const earlyData = early && new PreSerialized(`{"topic":"inventory","revision":${EARLY_REVISION},"payload":{"cachedAt":${JSON.stringify(early.savedAt)},${early.json.slice(1)}}`);

  const outcome = starting.then(
    async (backend): Promise<EarlyOutcome> => {
      // Through `connection`, as a page's own request would go (FirstPaintGate opens host contact after it).
      const current = await connection.invoke('events.snapshot', { topic: 'inventory' });
      started = true;
      let result: EarlyOutcome = 'unused';
      if (served && current.ok) {
        const { revision, payload } = current.data as { revision: number; payload: unknown };
        const same = revision === EARLY_REVISION + 1 && JSON.stringify(payload) === early!.json;
        result = same ? 'confirmed' : 'replaced';
        const event = (same
          ? { topic: 'inventory', kind: 'delta', revision, payload: { hosts: { upsert: [], remove: [] }, vms: { upsert: [], remove: [] } } }
          : { topic: 'inventory', kind: 'snapshot', revision, payload }) as StateEvent;
        for (const listener of waiting.keys()) listener(event);
      }
      // In the same turn: no event of the backend's can come between that one and these.
      for (const [listener, entry] of waiting) entry.unsubscribe = backend.subscribe(listener);
      waiting.clear();
      return result;
    },
    (): EarlyOutcome => 'unused',
  );

  return {
    outcome,
    served: servedOnce,
    /** True while requests are still answered from the last session's snapshot (the backend has not started). */
    early: () => !started && earlyData !== undefined,
    /** The last session's first screen, for the page to carry, while its rows are what the page is answered (see early). */
    firstScreen: () => (!started ? early?.firstScreen : undefined),
    invoke(command, request): Promise<Result<unknown>> {
      if (!started && earlyData && command === 'events.snapshot' && (request as { topic?: unknown } | null)?.topic === 'inventory') {
        served = true;
        // Served once the transport has written the whole answer: 1.8 MB for 10,000 VMs does not
        // fit the socket's buffer at once, and the rest would wait for the event loop, which the
        // stores' synchronous opening (started on `served`) holds for hundreds of milliseconds.
        return Promise.resolve({ ok: true, data: new PreSerialized(earlyData.json, markServed) });
      }
      return connection.invoke(command, request);
    },
    subscribe(listener) {
      if (started || !earlyData) return connection.subscribe(listener);
      // Held until the backend's snapshot was compared with the early one (see above).
      const entry: { unsubscribe?: () => void } = {};
      waiting.set(listener, entry);
      return () => {
        waiting.delete(listener);
        entry.unsubscribe?.();
      };
    },
  };
}
