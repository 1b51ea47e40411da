import { describe, expect, test } from 'vitest';
import { webSocketBackend } from '../../src/renderer/backend/ws-backend';
import type { StateEvent } from '../../src/shared/contract';

/** A socket the test drives by hand: what the server would send, delivered synchronously. */
function fakeSocket() {
  const sent: string[] = [];
  const socket = {
    readyState: 0,
    onopen: null as null | (() => void),
    onmessage: null as null | ((m: { data: string }) => void),
    onclose: null as null | (() => void),
    send: (data: string) => void sent.push(data),
    close: () => undefined,
  };
  return {
    socket,
    sent,
    open() {
      socket.readyState = 1; // WebSocket.OPEN
      socket.onopen!();
    },
    receive: (message: unknown) => socket.onmessage!({ data: JSON.stringify(message) }),
  };
}

const delta = (revision: number): StateEvent => ({ topic: 'hosts', revision, kind: 'delta', payload: { upsert: [], remove: [`h${revision}`] } });

describe('renderer WebSocket backend: event batches', () => {
  test('every event of a batch reaches every listener, one at a time, in order', () => {
    const fake = fakeSocket();
    const backend = webSocketBackend('ws://test/ws', () => fake.socket as unknown as WebSocket);
    fake.open();
    const first: number[] = [];
    const second: number[] = [];
    backend.onEvent((e) => first.push(e.revision));
    backend.onEvent((e) => second.push(e.revision));

    fake.receive({ type: 'events', events: [delta(1), delta(2), delta(3)] });
    fake.receive({ type: 'events', events: [delta(4)] });
    expect(first).toEqual([1, 2, 3, 4]);
    expect(second).toEqual([1, 2, 3, 4]);
  });

  test('results still resolve their call; unknown or malformed messages are ignored', async () => {
    const fake = fakeSocket();
    const backend = webSocketBackend('ws://test/ws', () => fake.socket as unknown as WebSocket);
    fake.open();
    const seen: StateEvent[] = [];
    backend.onEvent((e) => seen.push(e));
    const call = backend.invoke('app.info', {});
    const { id } = JSON.parse(fake.sent[0]!) as { id: number };
    fake.receive({ type: 'events' }); // no array: nothing to deliver
    fake.receive({ type: 'event', event: delta(9) }); // the pre-batching form is not sent any more
    fake.receive({ type: 'result', id, response: { ok: true, data: { runtime: 'browser' } } });
    await expect(call).resolves.toEqual({ ok: true, data: { runtime: 'browser' } });
    expect(seen).toEqual([]);
  });
});
