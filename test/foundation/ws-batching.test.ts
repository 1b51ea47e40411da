import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import type { BrowserServer } from '../../src/main/transport/ws-server';
import type { StateEvent } from '../../src/shared/contract';
import { startServedTestBackend } from '../support/backend';

describe('browser-mode server: events in batches', () => {
  let served: Awaited<ReturnType<typeof startServedTestBackend>>;
  let server: BrowserServer;

  beforeAll(async () => {
    served = await startServedTestBackend();
    server = served.server;
  });
  afterAll(() => served.close());

  /** A client recording every message and the events they carry. */
  const client = () =>
    new Promise<{ ws: WebSocket; messages: number; events: StateEvent[] }>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { headers: { origin: `http://127.0.0.1:${server.port}` } });
      const c = { ws, messages: 0, events: [] as StateEvent[] };
      ws.on('message', (raw) => {
        const m = JSON.parse(raw.toString()) as { type: string; events?: StateEvent[] };
        if (m.type !== 'events') return;
        c.messages++;
        c.events.push(...m.events!);
      });
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
    });
  const until = async (pred: () => boolean) => {
    for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(pred()).toBe(true);
  };
  const publish = (n: number) => {
    for (let i = 0; i < n; i++) served.backend.services.hub.publishDelta('notifications', { upsert: [], remove: [`n${i}`] });
  };

  test('a burst reaches every client in order, in far fewer messages; a client that drops off does not stop the others', async () => {
    const a = await client();
    const b = await client();
    const first = served.backend.services.hub.revision('notifications') + 1;
    publish(50);
    await until(() => a.events.length === 50 && b.events.length === 50);
    for (const c of [a, b]) {
      expect(c.events.map((e) => e.revision)).toEqual([...Array(50).keys()].map((i) => first + i));
      expect(c.messages).toBeLessThan(5);
    }

    a.ws.terminate(); // gone without a close handshake
    publish(50);
    await until(() => b.events.length === 100);
    expect(b.events.map((e) => e.revision)).toEqual([...Array(100).keys()].map((i) => first + i));
    b.ws.close();
  });
});
