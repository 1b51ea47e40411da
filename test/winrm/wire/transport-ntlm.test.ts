import { afterEach, describe, expect, it } from 'vitest';
import { HttpWsmanTransport } from '../../../src/main/winrm/http/transport';
import { AuthFailed } from '../../../src/main/winrm/errors';
import { startTestServer, type TestServer } from './support/wsman-test-server';

const servers: TestServer[] = [];
const transports: HttpWsmanTransport[] = [];

async function setup(
  serverOptions: Parameters<typeof startTestServer>[0] = {},
  transportOptions: Partial<ConstructorParameters<typeof HttpWsmanTransport>[0]> = {},
) {
  const server = await startTestServer(serverOptions);
  servers.push(server);
  const transport = new HttpWsmanTransport({
    endpoint: server.url,
    auth: 'ntlm',
    username: 'administrator',
    password: 'Secret#1',
    ...transportOptions,
  });
  transports.push(transport);
  return { server, transport };
}

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('HttpWsmanTransport over http with NTLM sealing', () => {
  it('does one handshake per connection for 20 sequential posts', async () => {
    const { server, transport } = await setup();
    for (let i = 0; i < 20; i++) {
      const res = await transport.post(`<s:Envelope>msg ${i} — ünïcødé ✓</s:Envelope>`);
      expect(res).toEqual({
        status: 200,
        body: `<reply><s:Envelope>msg ${i} — ünïcødé ✓</s:Envelope></reply>`,
      });
    }
    // NEGOTIATE + AUTHENTICATE(carrying message 0) + 19 more = 21 requests on one socket.
    expect(transport.requestCount).toBe(21);
    expect(server.stats.requests).toBe(21);
    expect(server.stats.connections).toBe(1);
    expect(server.auth.negotiations).toBe(1);
    expect(server.stats.lastSealed).toBe(true);
  });

  it('re-authenticates on a new socket after the host closes the idle connection', async () => {
    const { server, transport } = await setup();
    await transport.post('<a/>');
    await transport.post('<b/>');
    for (const s of server.sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const res = await transport.post('<c/>');
    expect(res.body).toBe('<reply><c/></reply>');
    expect(server.stats.connections).toBe(2);
    expect(server.auth.negotiations).toBe(2);
    expect(transport.requestCount).toBe(2 + 1 + 2);
  });

  it('survives the idle-close race (socket dies as it is reused) by retrying once on a new socket', async () => {
    const { server, transport } = await setup();
    await transport.post('<a/>');
    // Destroy without giving the client time to notice: the next write hits a dead socket.
    for (const s of server.sockets) s.destroy();
    const res = await transport.post('<b/>');
    expect(res.body).toBe('<reply><b/></reply>');
    expect(server.auth.negotiations).toBe(2);
  });

  it('concurrent posts use at most maxConnections sockets, each authenticated once', async () => {
    const { server, transport } = await setup({ delayMs: 40 }, { maxConnections: 3 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => transport.post(`<m i="${i}"/>`)));
    results.forEach((r, i) => expect(r.body).toBe(`<reply><m i="${i}"/></reply>`));
    expect(server.stats.connections).toBe(3);
    expect(server.stats.maxInFlight).toBe(3);
    expect(server.auth.negotiations).toBe(3);
    expect(transport.requestCount).toBe(12 + 3);
  });

  it('a blocking request does not stall others while a connection is free', async () => {
    const { server, transport } = await setup(
      { delayMs: (env) => (env === '<receive/>' ? 800 : 0) },
      { maxConnections: 2 },
    );
    let receiveDone = false;
    const receive = transport.post('<receive/>').then((r) => {
      receiveDone = true;
      return r;
    });
    const signal = await transport.post('<signal/>');
    expect(signal.body).toBe('<reply><signal/></reply>');
    expect(receiveDone).toBe(false);
    expect((await receive).body).toBe('<reply><receive/></reply>');
    expect(server.stats.connections).toBe(2);
  });

  it('with every connection busy, a request waits for a free one instead of opening more', async () => {
    const { server, transport } = await setup(
      { delayMs: (env) => (env === '<receive/>' ? 300 : 0) },
      { maxConnections: 1 },
    );
    const order: string[] = [];
    const receive = transport.post('<receive/>').then(() => order.push('receive'));
    const signal = transport.post('<signal/>').then(() => order.push('signal'));
    await Promise.all([receive, signal]);
    expect(order).toEqual(['receive', 'signal']);
    expect(server.stats.connections).toBe(1);
    expect(server.auth.negotiations).toBe(1);
  });

  it('returns HTTP 500 with the (unsealed) SOAP fault body instead of throwing', async () => {
    const fault = '<s:Envelope><s:Body><s:Fault>w:TimedOut</s:Fault></s:Body></s:Envelope>';
    const { transport } = await setup({ respond: () => ({ status: 500, xml: fault }) });
    await expect(transport.post('<x/>')).resolves.toEqual({ status: 500, body: fault });
  });

  it('wrong password → AuthFailed after a full handshake, with an actionable message', async () => {
    const { transport, server } = await setup({}, { password: 'nope' });
    const err = await transport.post('<x/>').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthFailed);
    expect((err as AuthFailed).code).toBe('AUTH_FAILED');
    expect((err as AuthFailed).message).toMatch(/LocalAccountTokenFilterPolicy/);
    expect((err as AuthFailed).message).toMatch(/local administrator/);
    expect(server.auth.negotiations).toBe(1);
    expect(transport.requestCount).toBe(2);
  });

  it('re-authenticates on the same socket when the host answers 401 to an authenticated message', async () => {
    const { server, transport } = await setup();
    await transport.post('<a/>');
    // Make the server forget the context on that connection (as a host does on context expiry).
    server.auth.resetConnection([...server.sockets][0]);
    const res = await transport.post('<b/>');
    expect(res.body).toBe('<reply><b/></reply>');
    expect(server.stats.connections).toBe(1);
    expect(server.auth.negotiations).toBe(2);
    // 2 (first) + 1 refused + 2 (re-handshake carrying <b/>)
    expect(transport.requestCount).toBe(5);
  });
});
