import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { reconnectDelay, webSocketBackend } from '../../src/renderer/backend/ws-backend';
import type { ConnectionState } from '../../src/renderer/backend/backend';
import { TopicSync } from '../../src/renderer/stores/topic-sync';
import { startBrowserServer } from '../../src/main/transport/ws-server';
import type { StateEvent } from '../../src/shared/contract';
import { startTestBackend } from '../support/backend';
import { tempDir } from '../support/temp';

const renderer = tempDir();
mkdirSync(path.join(renderer.dir, 'x'), { recursive: true });
writeFileSync(path.join(renderer.dir, 'index.html'), '<p>app</p>');
afterAll(() => renderer.cleanup());

const until = async (pred: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  expect(pred()).toBe(true);
};

describe('renderer WebSocket backend', () => {
  test('reconnect delays grow to 10 s with jitter', () => {
    expect(reconnectDelay(0, () => 0.5)).toBe(500);
    expect(reconnectDelay(3, () => 0.5)).toBe(4000);
    expect(reconnectDelay(20, () => 0.5)).toBe(10_000);
    expect(reconnectDelay(20, () => 0)).toBe(8000);
    expect(reconnectDelay(20, () => 1)).toBe(12_000);
  });

  test('invokes commands, receives events, and reconnects after the server restarts', async () => {
    const t = await startTestBackend();
    let server = await startBrowserServer({ backend: t.backend, rendererDir: renderer.dir });
    const { port, token } = server;
    const origin = `http://127.0.0.1:${port}`;
    // Node's WebSocket sends no Origin; a browser does, and the server insists on ours.
    const { default: NodeWebSocket } = await import('ws');
    const create = (url: string) => new NodeWebSocket(url, { headers: { origin } }) as unknown as WebSocket;
    const backend = webSocketBackend(`ws://127.0.0.1:${port}/ws?token=${token}`, create);
    const states: ConnectionState[] = [];
    backend.onConnection((s) => states.push(s));
    const events: StateEvent[] = [];
    backend.onEvent((e) => events.push(e));

    const info = await backend.invoke('app.info', {});
    expect(info).toMatchObject({ ok: true, data: { runtime: 'browser' } });
    await backend.invoke('hosts.add', { displayName: 'hv', address: 'hv01', username: 'u', password: 'p' });
    await until(() => events.some((e) => e.topic === 'hosts'));

    await server.close();
    await until(() => states.includes('reconnecting'));
    server = await startBrowserServer({ backend: t.backend, rendererDir: renderer.dir, port, token });
    await until(() => states.at(-1) === 'open', 15_000);
    const list = await backend.invoke('hosts.list', {});
    expect(list).toMatchObject({ ok: true, data: [{ displayName: 'hv' }] });
    await server.close();
    await t.close();
  }, 30_000);
});

describe('TopicSync', () => {
  test('applies consecutive deltas and asks for a snapshot after a gap', async () => {
    const snapshots: unknown[] = [];
    const deltas: unknown[] = [];
    let snapshotCalls = 0;
    const backend = {
      kind: 'browser' as const,
      invoke: async () => {
        snapshotCalls++;
        return { ok: true as const, data: { topic: 'hosts' as const, revision: 7, payload: ['fresh'] } };
      },
      onEvent: () => () => undefined,
      onConnection: () => () => undefined,
    };
    const sync = new TopicSync(backend as never, 'hosts', { snapshot: (p) => snapshots.push(p), delta: (p) => deltas.push(p) });
    const delta = (revision: number) => ({ topic: 'hosts', revision, kind: 'delta', payload: { upsert: [], remove: [String(revision)] } }) as StateEvent;
    sync.handle({ topic: 'hosts', revision: 3, kind: 'snapshot', payload: [] } as StateEvent);
    sync.handle(delta(4));
    sync.handle(delta(5));
    expect(deltas).toHaveLength(2);
    sync.handle(delta(7)); // 6 was missed
    await until(() => snapshots.length === 2);
    expect(snapshotCalls).toBe(1);
    expect(snapshots[1]).toEqual(['fresh']);
    expect(deltas).toHaveLength(2); // the out-of-order delta was not applied
    sync.handle(delta(8));
    expect(deltas).toHaveLength(3);
    sync.handle(delta(8)); // duplicates are ignored
    sync.handle({ topic: 'notifications', revision: 9, kind: 'delta', payload: { upsert: [], remove: [] } } as StateEvent);
    expect(deltas).toHaveLength(3);
  });
});
