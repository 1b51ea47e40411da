import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpWsmanTransport } from '../../../src/main/winrm/http/transport';
import { Cancelled, HostUnreachable, ProtocolError, WinrmTimeout } from '../../../src/main/winrm/errors';
import { startTestServer, type TestServer } from './support/wsman-test-server';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function transport(
  endpoint: string,
  extra: Partial<ConstructorParameters<typeof HttpWsmanTransport>[0]> = {},
) {
  const t = new HttpWsmanTransport({
    endpoint,
    auth: 'ntlm',
    username: 'administrator',
    password: 'Secret#1',
    ...extra,
  });
  cleanups.push(() => t.close());
  return t;
}

/** A TCP server that accepts connections and never says anything. */
async function silentServer(): Promise<{ port: number; connections: () => number }> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((s) => {
    count++;
    sockets.add(s);
    s.on('data', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { port: (server.address() as AddressInfo).port, connections: () => count };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('transport failures', () => {
  it('refused port → HostUnreachable naming host:port with the firewall hint', async () => {
    const port = await freePort();
    const err = await transport(`http://127.0.0.1:${port}/wsman`)
      .post('<x/>')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostUnreachable);
    expect((err as HostUnreachable).code).toBe('HOST_UNREACHABLE');
    expect((err as HostUnreachable).message).toContain(`127.0.0.1:${port}`);
    expect((err as HostUnreachable).message).toMatch(/refused/);
    expect((err as HostUnreachable).message).toMatch(/5985\/5986/);
  });

  it('unknown host name → HostUnreachable (DNS)', async () => {
    const err = await transport('http://no-such-host.invalid:5985/wsman', { connectTimeoutMs: 20_000 })
      .post('<x/>')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostUnreachable);
    expect((err as HostUnreachable).message).toMatch(/DNS/);
  });

  it('a server that never answers → WinrmTimeout (request phase) and the socket is dropped', async () => {
    const silent = await silentServer();
    const t = transport(`http://127.0.0.1:${silent.port}/wsman`, { requestTimeoutMs: 200 });
    const err = await t.post('<x/>').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WinrmTimeout);
    expect((err as WinrmTimeout).phase).toBe('request');
    expect((err as WinrmTimeout).code).toBe('TIMEOUT');
    expect(t.openConnections).toBe(0);
  });

  it('the per-call timeoutMs overrides the default', async () => {
    const silent = await silentServer();
    const t = transport(`http://127.0.0.1:${silent.port}/wsman`, { requestTimeoutMs: 60_000 });
    const err = await t.post('<x/>', { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WinrmTimeout);
    expect((err as WinrmTimeout).timeoutMs).toBe(100);
  });

  it('a TLS handshake that never completes → WinrmTimeout (connect phase)', async () => {
    const silent = await silentServer();
    const t = transport(`https://127.0.0.1:${silent.port}/wsman`, { connectTimeoutMs: 200 });
    const err = await t.post('<x/>').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WinrmTimeout);
    expect((err as WinrmTimeout).phase).toBe('connect');
  });

  it('abort while waiting for the response → Cancelled', async () => {
    const silent = await silentServer();
    const t = transport(`http://127.0.0.1:${silent.port}/wsman`);
    const controller = new AbortController();
    const pending = t.post('<x/>', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Cancelled);
    expect((err as Cancelled).code).toBe('CANCELLED');
  });

  it('an already-aborted signal → Cancelled without any request', async () => {
    const silent = await silentServer();
    const t = transport(`http://127.0.0.1:${silent.port}/wsman`);
    await expect(t.post('<x/>', { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(Cancelled);
    expect(t.requestCount).toBe(0);
    expect(silent.connections()).toBe(0);
  });

  it('abort while queued for a busy connection → Cancelled, and the pool keeps working', async () => {
    const server: TestServer = await startTestServer({ delayMs: (env) => (env === '<slow/>' ? 300 : 0) });
    cleanups.push(() => server.close());
    const t = transport(server.url, { maxConnections: 1 });
    const slow = t.post('<slow/>');
    const controller = new AbortController();
    const queued = t.post('<queued/>', { signal: controller.signal });
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(Cancelled);
    expect((await slow).body).toBe('<reply><slow/></reply>');
    expect((await t.post('<after/>')).body).toBe('<reply><after/></reply>');
    expect(server.stats.soapRequests).toBe(2);
  });

  it('close() cancels in-flight requests', async () => {
    const silent = await silentServer();
    const t = transport(`http://127.0.0.1:${silent.port}/wsman`);
    const pending = t.post('<x/>');
    await new Promise((r) => setTimeout(r, 50));
    await t.close();
    await expect(pending).rejects.toBeInstanceOf(Cancelled);
  });

  it('a host that is not WinRM (garbage instead of HTTP) → ProtocolError', async () => {
    // resume(): a paused server socket would never notice the client closing, and close() would hang.
    const server = net.createServer((s) => s.resume().end('SSH-2.0-OpenSSH_9.6\r\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const t = transport(`http://127.0.0.1:${(server.address() as AddressInfo).port}/wsman`);
    await expect(t.post('<x/>')).rejects.toBeInstanceOf(ProtocolError);
  });

  it('HTTP 404 → ProtocolError that points at the endpoint path', async () => {
    const server = await startTestServer({ respond: () => ({ status: 404, xml: '' }) });
    cleanups.push(() => server.close());
    const err = await transport(server.url)
      .post('<x/>')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).message).toMatch(/404.*\/wsman/);
  });

  it('after the host dropped every kept-alive connection, one request gets through on a fresh one (not another stale one)', async () => {
    const server = await startTestServer({ delayMs: 40 });
    cleanups.push(() => server.close());
    const t = transport(server.url, { maxConnections: 3 });
    // Three connections opened and authenticated, now idle in the pool.
    await Promise.all(['<a/>', '<b/>', '<c/>'].map((e) => t.post(e)));
    expect(server.stats.connections).toBe(3);
    // The WinRM service restarts: each old socket is closed as soon as anything arrives on it,
    // without an answer, while the client still holds it as idle and alive (as it does until it
    // reads the close, which under load can be after its next request).
    for (const socket of server.sockets) socket.prependListener('data', () => socket.destroy());
    const reply = await t.post('<after-restart/>');
    expect(reply.body).toContain('<after-restart/>');
    // One stale attempt, then a new connection; the other stale sockets were dropped unused.
    expect(server.stats.connections).toBe(4);
  });
});
