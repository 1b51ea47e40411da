import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { startBrowserServer, type BrowserServer } from '../../src/main/transport/ws-server';
import { startTestBackend } from '../support/backend';
import { tempDir } from '../support/temp';
import { exchange, frame, jsonFrame, Opcode, rawWebSocket, statusOf, upgradeRequest } from '../fuzz/support/raw-client';

/**
 * `aether-v serve` against hostile clients: whatever arrives before the token check (token bytes,
 * Host, Origin, request lines, upgrades, half-sent headers) and whatever an authenticated client
 * sends afterwards (oversized, invalid or binary frames, wrong shapes, floods), the server keeps
 * serving a good client, and a client connected before keeps working.
 */
describe('browser-mode server under hostile clients', () => {
  const renderer = tempDir();
  let t: Awaited<ReturnType<typeof startTestBackend>>;
  let server: BrowserServer;
  let bystander: WebSocket;
  let nextId = 1;

  beforeAll(async () => {
    writeFileSync(path.join(renderer.dir, 'index.html'), '<!doctype html><p>app</p>');
    mkdirSync(path.join(renderer.dir, 'assets'));
    t = await startTestBackend();
    // Small limits, so the slowloris and slow-reader guards are reached within a test. The
    // bystander socket lives through every test, far past both request timeouts: they apply to
    // HTTP requests, never to an open WebSocket.
    server = await startBrowserServer({
      backend: t.backend,
      rendererDir: renderer.dir,
      limits: { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxBufferedBytes: 256 << 10, maxMessageBytes: 64 << 10 },
    });
    bystander = await openSocket();
  }, 30_000);
  afterAll(async () => {
    bystander?.close();
    await server?.close();
    await t?.close();
    renderer.cleanup();
  });

  const origin = () => `http://127.0.0.1:${server.port}`;
  const wsUrl = () => `ws://127.0.0.1:${server.port}/ws?token=${server.token}`;

  function openSocket(): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl(), { headers: { origin: origin() } });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  }

  /** Sends one command and waits for its result. */
  function call(ws: WebSocket, command: string, request: unknown = {}): Promise<{ ok: boolean; data?: unknown; error?: { code: string } }> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${command}: no answer within 5 s`)), 5_000);
      const onMessage = (raw: WebSocket.RawData) => {
        const message = JSON.parse(raw.toString()) as { type: string; id?: number; response?: never };
        if (message.type !== 'result' || message.id !== id) return;
        clearTimeout(timer);
        ws.off('message', onMessage);
        resolve(message.response!);
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, command, request }));
    });
  }

  /** The page, a fresh socket and the socket opened before the hostile client all still answer. */
  async function stillServesGoodClients(): Promise<void> {
    expect((await fetch(server.url)).status).toBe(200);
    const fresh = await openSocket();
    expect(await call(fresh, 'app.info')).toMatchObject({ ok: true, data: { runtime: 'browser' } });
    fresh.close();
    expect(bystander.readyState).toBe(WebSocket.OPEN);
    expect(await call(bystander, 'hosts.list')).toMatchObject({ ok: true });
  }

  test('a token of any bytes is refused, never a crash (this stopped `aether-v serve`)', async () => {
    const sameLengthOtherBytes = '%C3%A9'.repeat(server.token.length); // as many characters, twice the bytes
    const tokens = [sameLengthOtherBytes, '%FF'.repeat(server.token.length), '', '%00', 'x'.repeat(8_000), `${server.token}%00`, server.token.slice(1)];
    for (const token of tokens) {
      const page = await exchange(server.port, `GET /?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`);
      expect(statusOf(page.reply), token.slice(0, 20)).toBe(401);
      const upgrade = await exchange(server.port, upgradeRequest(server.port, `/ws?token=${token}`));
      expect(statusOf(upgrade.reply), token.slice(0, 20)).toBe(403);
    }
    // Raw bytes that are not UTF-8 at all, in the request line itself.
    const raw = Buffer.concat([Buffer.from('GET /?token='), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x80]), Buffer.from(` HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`)]);
    expect([400, 401]).toContain(statusOf((await exchange(server.port, raw)).reply));
    await stillServesGoodClients();
  });

  test('any Host or Origin is refused, including ones that are not URLs', async () => {
    const hosts = ['[', 'a b', '', ':::', '127.0.0.1:0', 'évil', `127.0.0.1:${server.port}@evil`, 'x'.repeat(4_000)];
    for (const host of hosts) {
      const page = await exchange(server.port, `GET /?token=${server.token} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect([400, 421], host.slice(0, 20)).toContain(statusOf(page.reply));
      const upgrade = await exchange(server.port, upgradeRequest(server.port, `/ws?token=${server.token}`, { Host: host }));
      expect([400, 403], host.slice(0, 20)).toContain(statusOf(upgrade.reply));
    }
    const noHost = await exchange(server.port, upgradeRequest(server.port, `/ws?token=${server.token}`, { Host: undefined }));
    expect([400, 403]).toContain(statusOf(noHost.reply));
    for (const originValue of ['[', 'null', '', 'http://127.0.0.1', `http://127.0.0.1:${server.port}.evil`, 'x'.repeat(4_000)]) {
      const upgrade = await exchange(server.port, upgradeRequest(server.port, `/ws?token=${server.token}`, { Origin: originValue }));
      expect(statusOf(upgrade.reply), originValue.slice(0, 20)).toBe(403);
    }
    await stillServesGoodClients();
  });

  test('malformed HTTP requests get an error status or a closed connection', async () => {
    const host = `Host: 127.0.0.1:${server.port}`;
    const requests: (string | Buffer)[] = [
      'garbage\r\n\r\n',
      '\r\n\r\n',
      Buffer.from([0x00, 0xff, 0x16, 0x03, 0x01, 0x00]), // a TLS hello to a plain-HTTP port
      `GET / HTTP/9.9\r\n${host}\r\n\r\n`,
      `GET /\r\n${host}\r\n\r\n`,
      `GET / HTTP/1.1\r\nno colon here\r\n\r\n`,
      `GET / HTTP/1.1\r\n${host}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      `GET http://[/ HTTP/1.1\r\n${host}\r\n\r\n`,
      `GET http://127.0.0.1:${server.port}/?token=${server.token} HTTP/1.1\r\n${host}\r\n\r\n`,
      `GET * HTTP/1.1\r\n${host}\r\n\r\n`,
      `GET %zz HTTP/1.1\r\n${host}\r\n\r\n`,
      `GET /%E0%A4%A HTTP/1.1\r\n${host}\r\n\r\n`,
      `CONNECT 127.0.0.1:${server.port} HTTP/1.1\r\n${host}\r\n\r\n`,
      `POST /?token=${server.token} HTTP/1.1\r\n${host}\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello`,
      `GET / HTTP/1.1\r\n${host}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
      `GET /assets/${'../'.repeat(50)}etc/passwd HTTP/1.1\r\n${host}\r\n\r\n`,
      `GET /${'a'.repeat(5_000)} HTTP/1.1\r\n${host}\r\n\r\n`,
    ];
    for (const request of requests) {
      const { reply, closed } = await exchange(server.port, request);
      const status = statusOf(reply);
      // Either a refusal status or a closed connection; never the page, never a hang.
      expect(status === undefined ? closed : status >= 400, String(request).slice(0, 40)).toBe(true);
    }
    // Connections reset in the middle of a request line or of the headers.
    for (const partial of ['GE', 'GET /?tok', `GET /?token=${server.token} HTTP/1.1\r\nHo`]) await exchange(server.port, partial, { abort: true });
    await stillServesGoodClients();
  });

  test('malformed or abruptly closed upgrades close only that connection', async () => {
    const target = `/ws?token=${server.token}`;
    const broken: string[] = [
      upgradeRequest(server.port, target, { 'Sec-WebSocket-Key': undefined }),
      upgradeRequest(server.port, target, { 'Sec-WebSocket-Key': 'short' }),
      upgradeRequest(server.port, target, { 'Sec-WebSocket-Version': '8' }),
      upgradeRequest(server.port, target, { Upgrade: 'h2c' }),
      upgradeRequest(server.port, '/other?token=' + server.token),
      upgradeRequest(server.port, 'ws'),
      upgradeRequest(server.port, target).replace('GET', 'POST'),
      upgradeRequest(server.port, `/ws?token=${server.token}&token=x`) + 'not a frame',
    ];
    for (const request of broken) {
      const { reply, closed } = await exchange(server.port, request);
      const status = statusOf(reply);
      expect(status === undefined ? closed : status >= 400 || status === 101, request.split('\r\n')[0]).toBe(true);
    }
    // Reset right after sending the upgrade: refused ones and accepted ones.
    for (let i = 0; i < 20; i++) {
      await exchange(server.port, upgradeRequest(server.port, i % 2 ? target : '/ws?token=x'), { abort: true });
      await exchange(server.port, upgradeRequest(server.port, target).slice(0, 30 + i * 7), { abort: true });
    }
    await stillServesGoodClients();
  });

  test('slowloris: half-sent headers do not block good clients and are cut off after the headers timeout', async () => {
    const slow: Socket[] = [];
    const closedAt: number[] = [];
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      const socket = connect({ host: '127.0.0.1', port: server.port });
      socket.on('error', () => undefined);
      socket.on('close', () => closedAt.push(Date.now() - started));
      socket.write(i % 2 ? `GET /?token=${server.token} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` : upgradeRequest(server.port, `/ws?token=${server.token}`).slice(0, 60));
      slow.push(socket);
    }
    const drip = setInterval(() => slow.forEach((s) => !s.destroyed && s.write('X-Drip: 1\r\n')), 100);
    try {
      await stillServesGoodClients();
      // headersTimeout 1 s, checked every 0.5 s: every slow connection is gone well within 5 s.
      for (let i = 0; i < 100 && closedAt.length < slow.length; i++) await new Promise((r) => setTimeout(r, 50));
      expect(closedAt).toHaveLength(slow.length);
      expect(Math.max(...closedAt)).toBeLessThan(5_000);
    } finally {
      clearInterval(drip);
      slow.forEach((s) => s.destroy());
    }
    await stillServesGoodClients();
  });

  test('frames after authentication: oversized, invalid UTF-8, binary, bad opcodes and wrong shapes', async () => {
    const shapes: unknown[] = [null, [], 5, 'text', true, {}, { id: '1', command: 'app.info' }, { id: 1 }, { id: 1, command: 5 }, { command: 'app.info' }];
    const socket = await rawWebSocket(server.port, server.token);
    const replies: string[] = [];
    socket.on('data', (chunk: Buffer) => replies.push(chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.resume();
    for (const shape of shapes) socket.write(jsonFrame(shape));
    socket.write(frame(Opcode.text, Buffer.from('{not json')));
    socket.write(frame(Opcode.binary, Buffer.from(JSON.stringify({ id: 1, command: 'app.info' }))));
    socket.write(jsonFrame({ id: 7, command: 'no.such.command' }));
    socket.write(jsonFrame({ id: 8, command: 'hosts.add', request: 'not an object' }));
    socket.write(jsonFrame({ id: 9, command: 'app.info', request: JSON.parse('{"__proto__":{"polluted":1}}') }));
    socket.write(frame(Opcode.text, Buffer.from('['.repeat(60_000))));
    await new Promise((r) => setTimeout(r, 500));
    const text = replies.join('');
    expect(text).toContain('"code":"UNKNOWN_COMMAND"');
    expect(text).toContain('"code":"VALIDATION_FAILED"');
    expect(text).toContain('Messages must be JSON text, not binary frames.');
    expect(text.match(/"type":"error"/g)?.length).toBeGreaterThanOrEqual(shapes.length + 1);
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
    socket.destroy();

    // Each protocol violation closes that one socket.
    const violations: Buffer[] = [
      frame(Opcode.text, Buffer.alloc(70_000, 0x61)), // over maxMessageBytes
      frame(Opcode.text, Buffer.alloc(10), { claimedLength: 2 ** 40 }), // a length it never sends
      frame(Opcode.text, Buffer.from([0xc3, 0x28, 0xff])), // invalid UTF-8 in a text frame
      frame(3, Buffer.from('x')), // reserved opcode
      frame(Opcode.text, Buffer.from('{}'), { rsv: 4 }), // reserved bit without an extension
      frame(Opcode.text, Buffer.from('{}'), { masked: false }), // clients must mask
      frame(Opcode.continuation, Buffer.from('x')), // continuation of nothing
      frame(Opcode.ping, Buffer.alloc(200)), // control frame over 125 bytes
      frame(Opcode.close, Buffer.from([0x03])), // close with a 1-byte body
    ];
    for (const violation of violations) {
      const ws = await rawWebSocket(server.port, server.token);
      const closed = new Promise<boolean>((resolve) => {
        ws.on('close', () => resolve(true));
        setTimeout(() => resolve(false), 3_000);
      });
      ws.on('error', () => undefined);
      ws.resume();
      ws.write(violation);
      expect(await closed, violation.subarray(0, 2).toString('hex')).toBe(true);
    }
    await stillServesGoodClients();
  });

  test('a flood of commands from one client does not starve another, and a client that stops reading is dropped', async () => {
    const flooder = await rawWebSocket(server.port, server.token);
    flooder.on('error', () => undefined);
    const batch = Buffer.concat(Array.from({ length: 2_000 }, (_, i) => jsonFrame({ id: i, command: 'jobs.schema' })));
    for (let i = 0; i < 10; i++) flooder.write(batch); // and, paused, never reads a result
    const started = Date.now();
    expect(await call(bystander, 'app.info')).toMatchObject({ ok: true });
    expect(Date.now() - started).toBeLessThan(5_000);
    // 20,000 schemas of several KB each overflow the 256 KiB send queue while the flooder does not
    // read: the server drops it, so it sees the close long before all 20,000 results.
    await new Promise((r) => setTimeout(r, 2_000));
    let received = '';
    const closed = await new Promise<boolean>((resolve) => {
      flooder.on('close', () => resolve(true));
      flooder.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      flooder.resume();
      setTimeout(() => resolve(false), 15_000);
    });
    expect(closed).toBe(true);
    expect(received.split('"type":"result"').length - 1).toBeLessThan(20_000);
    await stillServesGoodClients();
  }, 30_000);
});
