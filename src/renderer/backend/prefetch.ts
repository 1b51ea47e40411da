import type { CommandName, RequestOf, ResponseOf, Result, StateEvent } from '../../shared/contract';
import type { Backend } from './backend';

export type StartupCall = { [C in CommandName]: readonly [C, RequestOf<C>] }[CommandName];

function callKey(command: string, request: unknown): string {
  return `${command} ${JSON.stringify(request)}`;
}

/** Events held for the app while its code loads; past this many, the rest are dropped (the stores see the gap and fetch snapshots). */
const MAX_HELD_EVENTS = 20_000;

/**
 * Sends `calls` at once and hands each answer to the first identical call the app makes. The page's
 * first script starts the startup requests (snapshots, settings) while the app's own code is
 * still downloading and compiling, so the two overlap instead of following each other. Every
 * other call, and any later identical one, goes to the backend as usual.
 *
 * Events that arrive before the app listens are held and given to its first listener, so the
 * deltas that follow a prefetched snapshot are not lost in between.
 */
/** A backend whose startup answers can also be looked at (not taken) before the app asks for them. */
export interface PrefetchingBackend extends Backend {
  /** The prefetched answer to this call while the app has not taken it yet; the first screen (main.tsx) reads the inventory's. */
  peek<C extends CommandName>(command: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>> | undefined;
}

export function withPrefetch(backend: Backend, calls: readonly StartupCall[]): PrefetchingBackend {
  let held: StateEvent[] | undefined = [];
  const listeners = new Set<(event: StateEvent) => void>();
  backend.onEvent((event) => {
    if (held) {
      if (held.length < MAX_HELD_EVENTS) held.push(event);
      return;
    }
    for (const listener of listeners) listener(event);
  });
  const early = new Map<string, Promise<Result<unknown>>>();
  for (const [command, request] of calls) early.set(callKey(command, request), backend.invoke(command, request as never));
  return {
    kind: backend.kind,
    invoke(command, request) {
      const key = callKey(command, request);
      const answer = early.get(key);
      if (!answer) return backend.invoke(command, request);
      early.delete(key);
      return answer as ReturnType<Backend['invoke']>;
    },
    onEvent(listener) {
      listeners.add(listener);
      if (held) {
        const waiting = held;
        held = undefined;
        for (const event of waiting) listener(event);
      }
      return () => listeners.delete(listener);
    },
    onConnection: (listener) => backend.onConnection(listener),
    peek(command, request) {
      return early.get(callKey(command, request)) as ReturnType<Backend['invoke']> | undefined;
    },
  };
}
