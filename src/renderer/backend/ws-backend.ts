import type { Result, StateEvent } from '../../shared/contract';
import { ErrorCode } from '../../shared/contract/error-codes';
import type { Backend, ConnectionState } from './backend';

/** What the browser-mode server sends (src/main/transport/ws-server.ts). */
type ServerMessage =
  | { type: 'result'; id?: number; response?: Result<unknown> }
  | { type: 'events'; events?: StateEvent[] }
  | { type: 'error'; message?: string };

interface Pending {
  resolve(result: Result<unknown>): void;
}

/** Reconnect delays: 0.5 s doubling to 10 s, with ±20 % jitter so many tabs don't stampede. */
export function reconnectDelay(attempt: number, random = Math.random): number {
  const base = Math.min(10_000, 500 * 2 ** attempt);
  return Math.round(base * (0.8 + random() * 0.4));
}

/**
 * Browser mode: the contract over a WebSocket to `aether-v serve`. Calls made while the socket
 * is down wait for it to reopen; after a reconnect every store asks for fresh snapshots.
 */
export function webSocketBackend(url: string, createSocket: (url: string) => WebSocket = (u) => new WebSocket(u)): Backend {
  let socket: WebSocket | undefined;
  let state: ConnectionState = 'connecting';
  let nextId = 1;
  let attempt = 0;
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  const eventListeners = new Set<(event: StateEvent) => void>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();

  const setState = (next: ConnectionState) => {
    state = next;
    for (const listener of connectionListeners) listener(next);
  };

  const connect = () => {
    const ws = createSocket(url);
    socket = ws;
    ws.onopen = () => {
      performance.mark?.('aetherv:ws-open'); // read by bench:inventory's phases
      attempt = 0;
      setState('open');
      for (const message of queue.splice(0)) ws.send(message);
    };
    ws.onmessage = (message) => {
      const data = JSON.parse(String(message.data)) as ServerMessage;
      if (data.type === 'result' && data.id !== undefined) {
        pending.get(data.id)?.resolve(data.response!);
        pending.delete(data.id);
      } else if (data.type === 'events' && Array.isArray(data.events)) {
        // The server batches events (one message per frame under load); listeners get them one by one, in order.
        for (const event of data.events) for (const listener of eventListeners) listener(event);
      }
    };
    ws.onclose = () => {
      // Calls in flight on the dead socket will never be answered; fail them so the UI can say so.
      for (const [id, call] of pending) {
        call.resolve({ ok: false, error: { code: ErrorCode.Unavailable, message: 'Lost the connection to the Aether-V backend; retrying.' } });
        pending.delete(id);
      }
      setState('reconnecting');
      setTimeout(connect, reconnectDelay(attempt++));
    };
  };
  connect();

  return {
    kind: 'browser',
    invoke(command, request) {
      const id = nextId++;
      const message = JSON.stringify({ id, command, request });
      return new Promise((resolve) => {
        pending.set(id, { resolve: resolve as Pending['resolve'] });
        if (socket && state === 'open' && socket.readyState === WebSocket.OPEN) socket.send(message);
        else queue.push(message);
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(state);
      return () => connectionListeners.delete(listener);
    },
  };
}
