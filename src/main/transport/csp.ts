/**
 * Content-Security-Policy for the renderer: only our own bundle runs, nothing inline but styles
 * (React style attributes), no frames, no forms posting anywhere.
 */
const BASE = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
];

/** Electron: the renderer talks to the backend over IPC only, so no network at all. */
export const ELECTRON_CSP = [...BASE, "connect-src 'none'"].join('; ');

/** Browser mode: the WebSocket back to this server and nothing else. */
export function browserCsp(port: number): string {
  return [...BASE, `connect-src ws://127.0.0.1:${port} ws://localhost:${port}`].join('; ');
}
