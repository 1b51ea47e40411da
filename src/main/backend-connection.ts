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
