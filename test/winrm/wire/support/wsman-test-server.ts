/**
 * A real WS-Man HTTP(S) endpoint on 127.0.0.1 for wire tests: NTLM with sealing (via our
 * server-side helpers), optional Basic, optional TLS, with counters for connections, requests,
 * handshakes and concurrency. The SOAP "service" just echoes, so tests can check round trips.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { generate } from 'selfsigned';
import { WsmanServerAuth, type WsmanServerAuthOptions } from '../../../../src/main/winrm/http/server-auth';

export interface TestServerOptions extends Partial<WsmanServerAuthOptions> {
  tls?: { key: string; cert: string };
  /** Delay before answering each authorized SOAP request (or per envelope). */
  delayMs?: number | ((envelope: string) => number);
  /** Returns the SOAP reply for an envelope (default: echo wrapped in <reply>). */
  respond?: (envelope: string) => { status: number; xml: string };
  /** Answer sealed requests in plain text (a meddler stripping the sealing); tests expect a refusal. */
  unsealedReplies?: boolean;
}

export interface TestServer {
  url: string;
  port: number;
  auth: WsmanServerAuth;
  stats: {
    connections: number;
    requests: number;
    soapRequests: number;
    inFlight: number;
    maxInFlight: number;
    lastSealed?: boolean;
  };
  sockets: Set<Socket>;
  close(): Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const auth = new WsmanServerAuth({ username: 'administrator', password: 'Secret#1', ...options });
  const stats: TestServer['stats'] = {
    connections: 0,
    requests: 0,
    soapRequests: 0,
    inFlight: 0,
    maxInFlight: 0,
  };
  const sockets = new Set<Socket>();
  const respond =
    options.respond ?? ((envelope: string) => ({ status: 200, xml: `<reply>${envelope}</reply>` }));

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      stats.requests++;
      const body = Buffer.concat(chunks);
      const outcome = auth.handle(req.socket, req.headers.authorization, req.headers['content-type'], body);
      if (outcome.kind !== 'authorized') {
        res.writeHead(
          outcome.status,
          outcome.kind === 'unauthorized'
            ? { ...outcome.headers, 'Content-Length': '0' }
            : { 'Content-Length': '0' },
        );
        res.end();
        return;
      }
      if (outcome.envelope === '') {
        res.writeHead(200, { 'Content-Length': '0' });
        res.end();
        return;
      }
      stats.soapRequests++;
      stats.lastSealed = outcome.sealed;
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      const answer = (): void => {
        stats.inFlight--;
        const { status, xml } = respond(outcome.envelope);
        const framed = auth.reply(req.socket, xml, outcome.sealed && options.unsealedReplies !== true);
        res.writeHead(status, {
          'Content-Type': framed.contentType,
          'Content-Length': String(framed.body.length),
        });
        res.end(framed.body);
      };
      const delay =
        typeof options.delayMs === 'function' ? options.delayMs(outcome.envelope) : (options.delayMs ?? 0);
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  };

  const server =
    options.tls !== undefined
      ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
      : http.createServer(handler);
  server.keepAliveTimeout = 30_000;
  server.on(options.tls !== undefined ? 'secureConnection' : 'connection', (socket: Socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls !== undefined ? 'https' : 'http'}://127.0.0.1:${port}/wsman`,
    port,
    auth,
    stats,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function selfSignedCertificate(): Promise<{
  key: string;
  cert: string;
  fingerprint256: string;
}> {
  const pems = await generate([{ name: 'commonName', value: 'hv-lab.local' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  const { X509Certificate } = await import('node:crypto');
  return {
    key: pems.private,
    cert: pems.cert,
    fingerprint256: new X509Certificate(pems.cert).fingerprint256,
  };
}
