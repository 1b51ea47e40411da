import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StateEvent } from '../../shared/contract';
import type { BackendConnection } from '../backend-connection';
import { EventBatcher } from '../events/event-batcher';
import { browserCsp } from './csp';
import { FirstPageLoad } from './page-load';

export interface BrowserServerOptions {
  backend: BackendConnection;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  port?: number;
  /** Defaults to a fresh random token; tests may pass their own. */
  token?: string;
}

export interface BrowserServer {
  url: string;
  port: number;
  token: string;
  /** When the first page and its scripts went out (see page-load.ts). */
  firstPage: FirstPageLoad;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1 << 20;
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
 */
export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererDir = path.resolve(options.rendererDir);
  let port = 0;
  const firstPage = new FirstPageLoad();

  const allowedHost = (value: string | undefined) => value === `127.0.0.1:${port}` || value === `localhost:${port}`;
  const tokenMatches = (candidate: string | null) =>
    candidate !== null && candidate.length === token.length && timingSafeEqual(Buffer.from(candidate), Buffer.from(token));

  const server = createServer((req, res) => {
    if (!allowedHost(req.headers.host)) return deny(res, 421, 'Misdirected request: use the URL printed by aether-v serve.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Method not allowed.');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname === '/' || url.pathname === '/index.html') {
      if (!tokenMatches(url.searchParams.get('token'))) {
        return deny(res, 401, 'This page needs the token from the URL printed by `aether-v serve`. Open that exact URL.');
      }
      const page = sendFile(req, res, path.join(rendererDir, 'index.html'), browserCsp(port));
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
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const origin = req.headers.origin;
    const originOk = origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    if (url.pathname !== '/ws' || !allowedHost(req.headers.host) || !originOk || !tokenMatches(url.searchParams.get('token'))) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws, options.backend));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
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

interface ClientMessage {
  id: number;
  command: string;
  request?: unknown;
}

/**
 * One client: commands in, results and state events out. Events go out in batches
 * (`{type:'events', events:[…]}`, see EventBatcher) so a busy topic costs the page one message per
 * frame rather than one per event; results are sent at once, after any events queued before them.
 */
function serveClient(ws: WebSocket, backend: BackendConnection): void {
  const batcher = new EventBatcher<StateEvent>(
    (events) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'events', events }));
    },
    { onError: () => ws.terminate() }, // the page reconnects and fetches fresh snapshots
  );
  const unsubscribe = backend.subscribe((event) => batcher.push(event));
  ws.on('close', () => {
    unsubscribe();
    batcher.close();
  });
  ws.on('message', async (raw) => {
    let message: ClientMessage;
    try {
      message = JSON.parse(raw.toString()) as ClientMessage;
    } catch {
      ws.send(JSON.stringify({ type: 'error', message: 'Messages must be JSON.' }));
      return;
    }
    if (typeof message?.id !== 'number' || typeof message.command !== 'string') {
      ws.send(JSON.stringify({ type: 'error', message: 'Messages need a numeric id and a command name.' }));
      return;
    }
    const response = await backend.invoke(message.command, message.request);
    batcher.flush(); // events the command caused reach the page before its result
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'result', id: message.id, response }));
  });
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
function sendFile(req: IncomingMessage, res: ServerResponse, file: string, csp: string): Buffer | undefined {
  let body: Buffer;
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    body = readFileSync(file);
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
