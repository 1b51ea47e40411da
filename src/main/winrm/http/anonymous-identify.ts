/**
 * WS-Man Identify without credentials (`WSMANIDENTIFY: unauthenticated`), as Windows answers it:
 * it proves the address, port, transport and certificate before any password is sent, so a test
 * of a host can tell "cannot reach WinRM" apart from "wrong password".
 */
import { ProtocolError } from '../errors';
import { identifyEnvelope, readIdentify, readResponse, type IdentifyResult } from '../soap';
import { HttpConnection } from './connection';
import { header } from './http1';
import { SOAP_CONTENT_TYPE } from './multipart';

export interface AnonymousIdentifyOptions {
  /** e.g. http://hv01:5985/wsman */
  endpoint: string;
  fingerprintSha256?: string;
  connectTimeoutMs: number;
  signal?: AbortSignal;
}

/** The host's identity, or `undefined` when the WS-Man service answered but identifies itself only after sign-in (a 401). */
export async function identifyAnonymously(options: AnonymousIdentifyOptions): Promise<IdentifyResult | undefined> {
  const url = new URL(options.endpoint);
  const tls = url.protocol === 'https:';
  const port = url.port !== '' ? Number(url.port) : tls ? 5986 : 5985;
  const label = `${url.hostname}:${port}`;
  const conn = await HttpConnection.open({
    host: url.hostname,
    port,
    tls,
    connectTimeoutMs: options.connectTimeoutMs,
    ...(options.fingerprintSha256 !== undefined ? { fingerprintSha256: options.fingerprintSha256 } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const onAbort = (): void => conn.destroy(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const body = Buffer.from(identifyEnvelope(), 'utf8');
    const head =
      `POST ${url.pathname}${url.search} HTTP/1.1\r\n` +
      `Host: ${url.host}\r\n` +
      'Connection: close\r\n' +
      'User-Agent: Aether-V Desktop\r\n' +
      'WSMANIDENTIFY: unauthenticated\r\n' +
      `Content-Type: ${SOAP_CONTENT_TYPE}\r\n` +
      `Content-Length: ${body.length}\r\n\r\n`;
    const res = await conn.request(head, body);
    const soap = /soap\+xml/i.test(header(res, 'content-type') ?? '');
    // Allowed by WS-Man: the service then only identifies itself to signed-in clients (a 401
    // offering sign-in, or a SOAP fault). Either way WinRM is there; sign-in is the next step.
    if (res.status === 401 && (res.headers.get('www-authenticate') ?? []).length > 0) return undefined;
    if (res.status === 500 && soap) return undefined;
    if (res.status !== 200) {
      throw new ProtocolError(`${label} answered HTTP ${res.status} ${res.statusText}${res.status === 404 ? ' — is this a WinRM endpoint (path /wsman)?' : ''}`, { host: label });
    }
    if (!soap) {
      throw new ProtocolError(`${label} answered, but not with WS-Man (Content-Type ${header(res, 'content-type') ?? 'none'}) — is this a WinRM port?`, { host: label });
    }
    return readIdentify(readResponse({ status: res.status, body: res.body.toString('utf8') }, { action: 'Identify', host: label }));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    conn.destroy();
  }
}
