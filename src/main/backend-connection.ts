import { ErrorCode, type Result, type StateEvent } from '../shared/contract';
import type { Backend } from './backend';

/** What a transport (IPC or the WebSocket) needs from the backend: commands and state events. */
export type BackendConnection = Pick<Backend, 'invoke' | 'subscribe'>;

/**
 * A connection that can be handed to a transport before the backend has finished starting, so the
 * window (or browser page) loads while the store opens: commands wait for the backend, and event
 * subscriptions attach once it is up. If it fails to start, commands answer with that error.
 */
export function whenStarted(starting: Promise<Backend>): BackendConnection {
  return {
    async invoke(command: string, request: unknown): Promise<Result<unknown>> {
      let backend: Backend;
      try {
        backend = await starting;
      } catch (error) {
        return { ok: false, error: { code: ErrorCode.Unavailable, message: `The backend did not start: ${(error as Error).message}. Restart the app; the log in the data directory has details.` } };
      }
      return backend.invoke(command, request);
    },
    subscribe(listener: (event: StateEvent) => void): () => void {
      let unsubscribe: (() => void) | undefined;
      let cancelled = false;
      starting.then(
        (backend) => {
          if (!cancelled) unsubscribe = backend.subscribe(listener);
        },
        () => undefined, // invoke() reports the failure
      );
      return () => {
        cancelled = true;
        unsubscribe?.();
      };
    },
  };
}

/**
 * The app's start: the page's first paint before host contact. `hostContact` goes to createBackend
 * (BackendOptions.hostContact); `connect()` gives the transport its connection. The gate opens
 * once that connection has answered the cached inventory snapshot (the first paint waits on it),
 * or `maxWaitMs` after the backend started (no page, or a page that never asks), or at once if
 * the backend failed to start.
 */
export class FirstPaintGate {
  readonly hostContact: Promise<void>;
  private openGate!: () => void;

  constructor(private readonly maxWaitMs = 1_000) {
    this.hostContact = new Promise((resolve) => (this.openGate = resolve));
  }

  connect(starting: Promise<Backend>): BackendConnection {
    starting.then(
      () => setTimeout(this.openGate, this.maxWaitMs).unref(),
      () => this.openGate(),
    );
    const inner = whenStarted(starting);
    return {
      invoke: async (command, request) => {
        const result = await inner.invoke(command, request);
        // After the current turn, so the transport sends this answer before host contact begins.
        if (command === 'events.snapshot' && (request as { topic?: unknown } | null)?.topic === 'inventory') setImmediate(this.openGate);
        return result;
      },
      subscribe: (listener) => inner.subscribe(listener),
    };
  }
}
