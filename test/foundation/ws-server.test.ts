import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import type { BrowserServer } from '../../src/main/transport/ws-server';
import { startServedTestBackend } from '../support/backend';

describe('browser-mode server: token, host and origin checks, the contract over a WebSocket', () => {
  let served: Awaited<ReturnType<typeof startServedTestBackend>>;
  let server: BrowserServer;

  beforeAll(async () => {
    served = await startServedTestBackend();
    server = served.server;
    writeFileSync(path.join(served.rendererDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(path.dirname(served.rendererDir), 'outside.txt'), 'secret');
  });
  afterAll(() => served.close());

  const origin = () => `http://127.0.0.1:${server.port}`;
  const connect = (url: string, headers: Record<string, string> = { origin: origin() }) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });

  test('binds to 127.0.0.1 and serves the page only with the token, with a strict CSP', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
    const ok = await fetch(server.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(ok.headers.get('content-security-policy')).toContain(`connect-src ws://127.0.0.1:${server.port}`);
    expect((await fetch(origin() + '/')).status).toBe(401);
    expect((await fetch(origin() + '/assets/app.js')).status).toBe(200);
  });

  test('nothing outside the bundle is served, in any encoding', async () => {
    for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/%2e%2e/%2e%2e/outside.txt', '/..%2foutside.txt', '/%00']) {
      const res = await fetch(origin() + p);
      expect(res.status, p).not.toBe(200);
    }
  });

  test('a foreign Host header (DNS rebinding) is refused', async () => {
    const res = await new Promise<number>((resolve) => {
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port: server.port, path: `/?token=${server.token}`, headers: { host: 'evil.example:80' } }, (r) => resolve(r.statusCode ?? 0));
        req.end();
      });
    });
    expect(res).toBe(421);
  });

  test('the socket needs the token and our own origin', async () => {
    const base = `ws://127.0.0.1:${server.port}/ws`;
    await expect(connect(`${base}?token=wrong`)).rejects.toThrow('403');
    await expect(connect(`${base}?token=${server.token}`, { origin: 'http://evil.example' })).rejects.toThrow('403');
    await expect(connect(`${base}?token=${server.token}`, {})).rejects.toThrow('403');
    const ws = await connect(`${base}?token=${server.token}`);
    ws.close();
  });

  test('commands and events flow over the socket', async () => {
    const ws = await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
    const messages: { type: string; id?: number; response?: { ok: boolean; data?: unknown }; events?: { topic: string; revision: number }[] }[] = [];
    ws.on('message', (raw) => messages.push(JSON.parse(raw.toString())));
    const waitFor = async (pred: () => boolean) => {
      for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(pred()).toBe(true);
    };
    ws.send(JSON.stringify({ id: 1, command: 'app.info', request: {} }));
    await waitFor(() => messages.some((m) => m.id === 1));
    expect(messages.find((m) => m.id === 1)!.response).toMatchObject({ ok: true, data: { runtime: 'browser' } });
    ws.send(JSON.stringify({ id: 2, command: 'hosts.add', request: { displayName: 'hv', address: 'hv01', username: 'u', password: 'p' } }));
    await waitFor(() => messages.some((m) => m.id === 2));
    // Events come in batches, and the event a command caused arrives before its result.
    const hostsEvent = messages.findIndex((m) => m.type === 'events' && m.events!.some((e) => e.topic === 'hosts'));
    expect(hostsEvent).toBeGreaterThanOrEqual(0);
    expect(hostsEvent).toBeLessThan(messages.findIndex((m) => m.id === 2));
    ws.send('not json');
    await waitFor(() => messages.some((m) => m.type === 'error'));
    ws.close();
  });
});
