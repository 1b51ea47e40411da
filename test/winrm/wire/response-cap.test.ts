/**
 * Response bodies are capped while they are read: a host that keeps sending (with a huge
 * Content-Length, chunked, until close, or as an NTLM multipart/encrypted body) gets its socket
 * closed at the cap with a LimitExceeded naming the host, long before any timeout.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpWsmanTransport } from '../../../src/main/winrm/http/transport';
import { MAX_BODY_BYTES } from '../../../src/main/winrm/http/http1';
import { LimitExceeded } from '../../../src/main/winrm/errors';
import { WsmanServerAuth } from '../../../src/main/winrm/http/server-auth';
import { ENCRYPTED_CONTENT_TYPE } from '../../../src/main/winrm/http/multipart';

interface Flood {
  port: number;
  /** Bytes the server wrote before the client hung up. */
  written(): number;
  /** Resolves when the client closed the connection. */
  closed: Promise<void>;
  close(): Promise<void>;
}

const floods: Flood[] = [];
const transports: HttpWsmanTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(floods.splice(0).map((f) => f.close()));
});

/** A raw TCP "host" that answers any request with `head` and then endless `piece`s. */
async function flood(head: string, piece: Buffer): Promise<Flood> {
  let written = 0;
  let onClosed!: () => void;
  const closed = new Promise<void>((resolve) => (onClosed = resolve));
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let started = false;
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      onClosed();
    });
    socket.on('data', () => {
      if (started) return;
      started = true;
      socket.write(head);
      const pump = (): void => {
        // Respect backpressure: write until the kernel buffer is full, then wait for drain.
        while (!socket.destroyed) {
          written += piece.length;
          if (!socket.write(piece)) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const f: Flood = {
    port: (server.address() as AddressInfo).port,
    written: () => written,
    closed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  floods.push(f);
  return f;
}

function basicClient(port: number, maxResponseBytes?: number): HttpWsmanTransport {
  const t = new HttpWsmanTransport({
    endpoint: `http://127.0.0.1:${port}/wsman`,
    auth: 'basic',
    username: 'u',
    password: 'p',
    allowUnencryptedBasic: true,
    // Far longer than the test: a refusal must come from the cap, not from the deadline.
    requestTimeoutMs: 60_000,
    ...(maxResponseBytes !== undefined ? { maxResponseBytes } : {}),
  });
  transports.push(t);
  return t;
}

const piece = Buffer.alloc(16 * 1024, 'x');

describe('response body cap, counted while reading', () => {
  it('refuses an announced Content-Length over the cap at the head, without reading the body', async () => {
    const f = await flood(`HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n`, piece);
    const err = await basicClient(f.port).post('<x/>').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitExceeded);
    expect((err as LimitExceeded).message).toContain(`127.0.0.1:${f.port}`);
    expect((err as LimitExceeded).message).toContain(`Content-Length ${MAX_BODY_BYTES + 1}`);
    expect((err as LimitExceeded).message).toContain('4 MiB');
    await f.closed;
  });

  it('stops an endless chunked body at the default cap (4 MiB) and closes the socket', async () => {
    const chunk = Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);
    const f = await flood('HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nTransfer-Encoding: chunked\r\n\r\n', chunk);
    const err = await basicClient(f.port).post('<x/>').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitExceeded);
    const limit = err as LimitExceeded;
    expect(limit.limit).toBe(MAX_BODY_BYTES);
    expect(limit.code).toBe('PROTOCOL_ERROR');
    expect(limit.host).toBe(`127.0.0.1:${f.port}`);
    expect(limit.message).toMatch(/HTTP response body exceeds the limit of 4 MiB/);
    await f.closed;
    // The server was cut off near the cap (plus what sat in socket buffers), not allowed to run on.
    expect(f.written()).toBeLessThan(MAX_BODY_BYTES + 16 * 1024 * 1024);
  });

  it('stops a body without Content-Length (read until close) at the cap', async () => {
    const f = await flood('HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nConnection: close\r\n\r\n', piece);
    const err = await basicClient(f.port, 256 * 1024).post('<x/>').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitExceeded);
    expect((err as LimitExceeded).message).toMatch(/exceeds the limit of 262144 bytes/);
    await f.closed;
  });

  it('stops an endless multipart/encrypted body on an NTLM-sealed connection at the cap', async () => {
    const auth = new WsmanServerAuth({ username: 'administrator', password: 'Secret#1' });
    let written = 0;
    let onClosed!: () => void;
    const closed = new Promise<void>((resolve) => (onClosed = resolve));
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const outcome = auth.handle(req.socket, req.headers.authorization, req.headers['content-type'], Buffer.concat(chunks));
        if (outcome.kind !== 'authorized') {
          res.writeHead(outcome.status, { ...(outcome.kind === 'unauthorized' ? outcome.headers : {}), 'Content-Length': '0' });
          res.end();
          return;
        }
        // A sealed-looking frame whose data part never ends (chunked, no Content-Length).
        req.socket.on('close', onClosed);
        res.writeHead(200, { 'Content-Type': ENCRYPTED_CONTENT_TYPE });
        res.write('--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=999999999\r\n--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n');
        const pump = (): void => {
          while (!res.destroyed && !req.socket.destroyed) {
            written += piece.length;
            if (!res.write(piece)) {
              res.once('drain', pump);
              return;
            }
          }
        };
        pump();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const t = new HttpWsmanTransport({ endpoint: `http://127.0.0.1:${port}/wsman`, auth: 'ntlm', username: 'administrator', password: 'Secret#1', requestTimeoutMs: 60_000, maxResponseBytes: 512 * 1024 });
      transports.push(t);
      const err = await t.post('<x/>').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LimitExceeded);
      expect((err as LimitExceeded).message).toContain(`127.0.0.1:${port}`);
      await closed;
      expect(written).toBeLessThan(512 * 1024 + 16 * 1024 * 1024);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
