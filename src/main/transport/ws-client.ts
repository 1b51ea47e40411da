import type { RawData, WebSocket } from 'ws';
import { ErrorCode, type StateEvent } from '../../shared/contract';
import type { BackendConnection } from '../backend-connection';
import { EventBatcher } from '../events/event-batcher';
import { PreSerialized } from './early-inventory';

/** What one authenticated client may cost the server before it is slowed down or dropped. */
export interface ClientLimits {
  /** Commands of one client running at once; at this many its socket stops being read until one ends. */
  maxInFlight: number;
  /** Bytes queued for a client that does not read; beyond this it is disconnected (it reconnects and fetches snapshots). */
  maxBufferedBytes: number;
}

interface ClientMessage {
  id: number;
  command: string;
  request?: unknown;
}

type Parsed = { ok: true; message: ClientMessage } | { ok: false; id?: number; message: string };

/**
 * A frame is client input: anything that is not a JSON object with a numeric id and a command name
 * gets an error reply (with the id when there is one) and nothing else happens. The reply never
 * echoes what was sent.
 */
export function parseClientMessage(raw: RawData, isBinary: boolean): Parsed {
  if (isBinary) return { ok: false, message: 'Messages must be JSON text, not binary frames.' };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : Buffer.concat(Array.isArray(raw) ? raw : [Buffer.from(raw)]).toString('utf8'));
  } catch {
    return { ok: false, message: 'Messages must be JSON.' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'Messages must be JSON objects.' };
  const { id, command } = value as Partial<ClientMessage>;
  if (typeof id !== 'number' || typeof command !== 'string') {
    return { ok: false, ...(typeof id === 'number' ? { id } : {}), message: 'Messages need a numeric id and a command name.' };
  }
  return { ok: true, message: value as ClientMessage };
}

/**
 * One client: commands in, results and state events out. Events go out in batches
 * (`{type:'events', events:[…]}`, see EventBatcher) so a busy topic costs the page one message per
 * frame rather than one per event; results are sent at once, after any events queued before them.
 *
 * Nothing a client sends can end the server: protocol errors (oversized or invalid frames) close
 * only this socket, a failing command becomes an INTERNAL result, a flood of commands is slowed by
 * backpressure, and a client that stops reading is dropped before its queue grows without bound.
 */
export function serveClient(ws: WebSocket, backend: BackendConnection, limits: ClientLimits): void {
  let inFlight = 0;

  const sendText = (text: string, onSent?: () => void) => {
    if (ws.readyState !== ws.OPEN) return onSent?.();
    ws.send(text, onSent && (() => onSent())); // called when written out, or on an error: either way it is not waiting
    if (ws.bufferedAmount > limits.maxBufferedBytes) ws.terminate();
  };
  const send = (message: object) => sendText(JSON.stringify(message));

  const batcher = new EventBatcher<StateEvent>(
    (events) => send({ type: 'events', events }),
    { onError: () => ws.terminate() }, // the page reconnects and fetches fresh snapshots
  );
  const unsubscribe = backend.subscribe((event) => batcher.push(event));
  ws.on('close', () => {
    unsubscribe();
    batcher.close();
  });
  // ws answers a protocol error (frame too large, invalid UTF-8, bad opcode…) by closing this
  // socket itself; without a listener the same error would be thrown and stop the whole server.
  ws.on('error', () => ws.terminate());

  ws.on('message', (raw, isBinary) => {
    const parsed = parseClientMessage(raw, isBinary);
    if (!parsed.ok) {
      send({ type: 'error', ...(parsed.id !== undefined ? { id: parsed.id } : {}), message: parsed.message });
      return;
    }
    run(parsed.message).catch(() => ws.terminate());
  });

  async function run({ id, command, request }: ClientMessage): Promise<void> {
    // Backpressure, not refusal: a client sending faster than its commands finish is simply read
    // more slowly, so its flood cannot pile up unbounded work or starve other clients.
    if (++inFlight >= limits.maxInFlight) ws.pause();
    try {
      const response = await backend.invoke(command, request);
      batcher.flush(); // events the command caused reach the page before its result
      // Data that is JSON text already (the early inventory snapshot) is spliced in as it is.
      if (response.ok && response.data instanceof PreSerialized) sendText(`{"type":"result","id":${JSON.stringify(id)},"response":{"ok":true,"data":${response.data.json}}}`, response.data.onSent);
      else send({ type: 'result', id, response });
    } catch (error) {
      send({ type: 'result', id, response: { ok: false, error: { code: ErrorCode.Internal, message: `${command}: the server could not answer (${errorName(error)}). See the log in the data directory.` } } });
    } finally {
      if (--inFlight < limits.maxInFlight && ws.isPaused) ws.resume();
    }
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
