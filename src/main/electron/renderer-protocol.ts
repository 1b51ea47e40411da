import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Protocol } from 'electron';
import { ELECTRON_CSP } from '../transport/csp';
import { embedFirstScreen, type FirstScreen } from '../../shared/first-screen';

/**
 * The renderer is served from `app://bundle/…`, a privileged custom scheme, instead of `file://`:
 * a file:// page may fetch any file the user can read and shares its origin with every other
 * local file; app://bundle is its own origin ('self' in the CSP means exactly the bundle), and the
 * handler below serves only files inside the renderer bundle directory.
 */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://bundle`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * Must run before the app is ready. standard: real origin and relative URLs; secure: a secure
 * context like https; corsEnabled + supportFetchAPI: Vite's module scripts load through CORS.
 * Deliberately not bypassCSP.
 */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

const text = (status: number, body: string) =>
  new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': ELECTRON_CSP, 'X-Content-Type-Options': 'nosniff' } });

/**
 * The app:// handler: GET/HEAD of a file inside `rendererDir`, with the same CSP as the header
 * browser mode sends. Anything else — another host, a path that decodes or resolves (also through
 * a symlink) outside the bundle, a NUL or backslash — is refused.
 */
export function rendererRequestHandler(rendererDir: string, firstScreen?: () => FirstScreen | undefined): (request: Pick<Request, 'url' | 'method'>) => Promise<Response> {
  const root = realpath(rendererDir).catch(() => path.resolve(rendererDir));
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method not allowed.');
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return text(400, 'Bad request.');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== 'bundle') return text(404, 'Not found.');
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname);
    } catch {
      return text(400, 'Bad request.');
    }
    if (relative.includes('\0') || relative.includes('\\')) return text(400, 'Bad request.');
    if (relative === '/' || relative === '') relative = '/index.html';
    const base = await root;
    const file = path.resolve(base, '.' + path.posix.normalize(relative));
    if (!file.startsWith(base + path.sep)) return text(404, 'Not found.');
    let real: string;
    try {
      real = await realpath(file);
    } catch {
      return text(404, 'Not found.');
    }
    if (!real.startsWith(base + path.sep)) return text(404, 'Not found.');
    let body: Buffer;
    try {
      body = await readFile(real);
    } catch {
      return text(404, 'Not found.');
    }
    // The page carries the last session's first screen while the backend has not started (as in browser mode).
    const screen = relative === '/index.html' ? firstScreen?.() : undefined;
    if (screen) body = Buffer.from(embedFirstScreen(body.toString('utf8'), screen));
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'Content-Type': CONTENT_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': String(body.length),
        'Content-Security-Policy': ELECTRON_CSP,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache',
      },
    });
  };
}

/** Serves the bundle on app:// for the default session (after the app is ready). */
export function serveRendererBundle(protocol: Pick<Protocol, 'handle'>, rendererDir: string, firstScreen?: () => FirstScreen | undefined): void {
  protocol.handle(APP_SCHEME, rendererRequestHandler(rendererDir, firstScreen));
}
