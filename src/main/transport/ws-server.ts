import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { embedFirstScreen, type FirstScreen } from '../../shared/first-screen';
import type { BackendConnection } from '../backend-connection';
import { browserCsp } from './csp';
import { FirstPageLoad } from './page-load';
import { serveClient, type ClientLimits } from './ws-client';

/** What any one client may cost the server; tests shrink these to reach them quickly. */
export interface ServerLimits extends ClientLimits {
  /** Largest WebSocket message; a larger one closes that socket (1009). */
  maxMessageBytes: number;
  /** Time a connection gets to send a request's headers (slowloris guard). */
  headersTimeoutMs: number;
  /** Time a connection gets to send a whole request. */
  requestTimeoutMs: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxMessageBytes: 1 << 20,
  maxInFlight: 64,
  maxBufferedBytes: 64 << 20,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

export interface BrowserServerOptions {
  backend: BackendConnection;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  port?: number;
  /** Defaults to a fresh random token; tests may pass their own. */
  token?: string;
  limits?: Partial<ServerLimits>;
  /**
   * The first screen to put in the page (src/shared/first-screen.ts), asked for each page request:
   * the last session's, while the backend has not started (after that the page asks the backend).
   */
  firstScreen?: () => FirstScreen | undefined;
}

export interface BrowserServer {
  url: string;
  port: number;
  token: string;
  /** When the first page and its scripts went out (see page-load.ts). */
  firstPage: FirstPageLoad;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/**
 * Browser mode: the same backend contract over a WebSocket, plus the renderer bundle, bound to
 * 127.0.0.1 only. The per-run token in the page URL guards both the page and the socket; the
 * Host and Origin checks stop DNS-rebinding and cross-site pages from reaching the backend.
 *
 * Everything before the token check is hostile input (request line, Host, Origin, token bytes,
 * half-sent headers, sockets reset mid-upgrade): it is refused with a status or dropped, and never
 * throws out of a handler, where it would stop the server for every client.
 */
export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const token = options.token ?? randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token, 'utf8');
  const rendererDir = path.resolve(options.rendererDir);
  let port = 0;
  const firstPage = new FirstPageLoad();

  const allowedHost = (value: string | undefined) => value === `127.0.0.1:${port}` || value === `localhost:${port}`;
  // Bytes, not characters: a candidate as long as the token in characters can be longer in bytes
  // ("é", or U+FFFD from an invalid %FF), and timingSafeEqual throws on unequal lengths.
  const tokenMatches = (candidate: string | null) => {
    if (candidate === null) return false;
    const given = Buffer.from(candidate, 'utf8');
    return given.length === tokenBytes.length && timingSafeEqual(given, tokenBytes);
  };

  const servePage = (req: IncomingMessage, res: ServerResponse) => {
    if (!allowedHost(req.headers.host)) return deny(res, 421, 'Misdirected request: use the URL printed by aether-v serve.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Method not allowed.');
    const url = requestTarget(req.url);
    if (!url) return deny(res, 400, 'Bad request target.');
    if (url.pathname === '/' || url.pathname === '/index.html') {
      if (!tokenMatches(url.searchParams.get('token'))) {
        return deny(res, 401, 'This page needs the token from the URL printed by `aether-v serve`. Open that exact URL.');
      }
      const screen = options.firstScreen?.();
      const page = sendFile(req, res, path.join(rendererDir, 'index.html'), browserCsp(port), screen && ((html) => Buffer.from(embedFirstScreen(html.toString('utf8'), screen))));
      if (page) firstPage.pageSent(page.toString('utf8'));
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(url.pathname);
    } catch {
      return deny(res, 400, 'Bad path.');
    }
    const file = path.resolve(rendererDir, '.' + decoded);
    // Only files inside the renderer bundle, never a path that escapes it.
    if (!file.startsWith(rendererDir + path.sep) || decoded.includes('\0')) return deny(res, 404, 'Not found.');
    if (sendFile(req, res, file, browserCsp(port))) firstPage.fileSent(url.pathname);
  };

  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
      // How often those two are enforced (Node's default is every 30 s).
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, limits.headersTimeoutMs / 2)),
    },
    (req, res) => {
      try {
        servePage(req, res);
      } catch {
        // A bug reached by odd input answers this request only; the server keeps serving.
        if (res.headersSent) res.destroy();
        else deny(res, 500, 'Internal error.');
      }
    },
  );

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes });
  const upgradeAllowed = (req: IncomingMessage) => {
    const url = requestTarget(req.url);
    const origin = req.headers.origin;
    const originOk = origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    return url?.pathname === '/ws' && allowedHost(req.headers.host) && originOk && tokenMatches(url.searchParams.get('token'));
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the socket over without an error listener: a client resetting mid-handshake
    // would otherwise raise an uncaught 'error' and stop the server.
    socket.on('error', () => socket.destroy());
    try {
      if (!upgradeAllowed(req)) {
        socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws, options.backend, limits));
    } catch {
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  // After listening, the server's only errors are failed accepts (EMFILE under a connection flood):
  // that connection is lost, the server is not. Without a listener the error would end the process.
  server.on('error', () => undefined);
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    firstPage,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The path and query of a request line's target, or undefined when it is not one. Only the
 * origin form ("/path?query") is accepted, read as it stands: it is never combined with the Host
 * header, which is client input too ("Host: [" is not a valid URL base).
 */
export function requestTarget(raw: string | undefined): URL | undefined {
  if (!raw?.startsWith('/')) return undefined;
  try {
    return new URL(`http://127.0.0.1${raw}`);
  } catch {
    return undefined;
  }
}

function deny(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(message + '\n');
}

/**
 * The bundle's files are small (the largest ~330 KB): each is read whole and written in one go.
 * A stream would need several event-loop turns per file, and while the backend opens its stores
 * (synchronous work with a pause between steps) each turn can wait; the page would load slowly.
 */
function sendFile(req: IncomingMessage, res: ServerResponse, file: string, csp: string, transform?: (body: Buffer) => Buffer): Buffer | undefined {
  let body: Buffer;
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    body = readFileSync(file);
    if (transform) body = transform(body);
  } catch {
    deny(res, 404, file.endsWith('index.html') ? 'The UI is not built. Run `npm run build`, then start again.' : 'Not found.');
    return undefined;
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': body.length,
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return body;
}
