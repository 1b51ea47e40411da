/**
 * HttpWsmanTransport: WS-Man over HTTP(S) with Basic or NTLM, NTLM message sealing, channel
 * binding, certificate pinning and a small keep-alive connection pool.
 *
 * Why we wrote this ourselves: a default-configured Windows host (AllowUnencrypted=false, Basic
 * disabled) only accepts WinRM over plain HTTP when every message is sealed with the NTLM (or
 * Kerberos) session key, and over HTTPS it may demand channel binding. No npm package implements
 * NTLM session security — the available NTLM libraries stop at authentication, omit key exchange,
 * MIC and channel binding, and several create a new connection and handshake for every message —
 * and Node's OpenSSL 3 and Electron's BoringSSL refuse the MD4 and RC4 that NTLM needs. So the wire
 * layer (pure-TS MD4/RC4, NTLMv2 with key exchange/MIC/CBT, RC4 sealing, multipart/encrypted
 * framing and a connection-bound HTTP client) is our own, checked against the MS-NLMP vectors and
 * byte-identical to pywinrm's sealed messages.
 *
 * Why we drive sockets ourselves instead of node:http: NTLM authenticates a TCP connection, and a
 * sealed message is only valid on the connection whose RC4 stream produced it. With http.Agent we
 * would learn that the agent handed us a different socket (req.reusedSocket) only after the
 * request was already committed to it. Owning the socket (connection.ts + a tiny HTTP/1.1 response
 * parser in http1.ts) makes "one NTLM context per socket, one request in flight per socket" a
 * plain invariant and lets us read the peer certificate for channel binding before we send.
 */
import { ProtocolError, AuthFailed, Cancelled, InsecureConfig, WinrmError, WinrmTimeout } from '../errors';
import { NtlmClient } from '../ntlm/client';
import { channelBindingsHash } from '../ntlm/channel-binding';
import type { WsmanResponse, WsmanTransport } from '../transport';
import { HttpConnection, StaleConnection } from './connection';
import { ConnectionPool } from './pool';
import { type HttpResponse, header } from './http1';
import {
  ENCRYPTED_CONTENT_TYPE,
  SOAP_CONTENT_TYPE,
  isEncryptedContentType,
  sealToBody,
  unsealFromBody,
} from './multipart';

export interface HttpWsmanTransportOptions {
  /** e.g. http://hv01:5985/wsman or https://hv01.example.com:5986/wsman */
  endpoint: string;
  auth: 'ntlm' | 'basic';
  /** "user" (local account), "DOMAIN\\user" or "user@domain" */
  username: string;
  password: string;
  /** Additional CA certificate(s), PEM, trusted besides Node's CA store. */
  caPem?: string;
  /** Pin the host certificate by SHA-256 (hex, colons optional): that certificate only is accepted. */
  fingerprintSha256?: string;
  /** Allow Basic over plain http (password readable on the network). Off by default. */
  allowUnencryptedBasic?: boolean;
  /** TCP + TLS connect timeout (default 10 s). */
  connectTimeoutMs?: number;
  /** Per request, from sending to the full response, including the NTLM legs (default 120 s). */
  requestTimeoutMs?: number;
  /** Parallel connections (each with its own NTLM context), default 4. */
  maxConnections?: number;
  /** Cap on one response body, counted while it is read (default MAX_BODY_BYTES, http1.ts). */
  maxResponseBytes?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
// Longer than WinRM's 60 s maximum OperationTimeout, so a blocking Receive is not cut short.
const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

function parseEndpoint(endpoint: string): { url: URL; tls: boolean; host: string; port: number } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new InsecureConfig(
      `'${endpoint}' is not a valid WinRM endpoint URL (e.g. https://hv01:5986/wsman)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InsecureConfig(`WinRM endpoint must be http:// or https://, got '${url.protocol}'`);
  }
  const tls = url.protocol === 'https:';
  const port = url.port !== '' ? Number(url.port) : tls ? 5986 : 5985;
  return { url, tls, host: url.hostname, port };
}

export class HttpWsmanTransport implements WsmanTransport {
  readonly endpoint: string;
  private sent = 0;
  private readonly target: ReturnType<typeof parseEndpoint>;
  private readonly pool: ConnectionPool;
  private closed = false;

  constructor(private readonly options: HttpWsmanTransportOptions) {
    this.endpoint = options.endpoint;
    this.target = parseEndpoint(options.endpoint);
    if (options.auth === 'basic' && !this.target.tls && options.allowUnencryptedBasic !== true) {
      throw new InsecureConfig(
        `refusing Basic authentication over plain http to ${this.target.host}: the password and all data would ` +
          'cross the network readable — use https (port 5986), use NTLM (messages are encrypted), or set allowUnencryptedBasic',
        { host: this.target.host },
      );
    }
    if (options.auth !== 'basic' && options.auth !== 'ntlm') {
      throw new InsecureConfig(`unsupported auth '${String(options.auth)}' (use 'ntlm' or 'basic')`);
    }
    if (options.fingerprintSha256 !== undefined && !this.target.tls) {
      throw new InsecureConfig('fingerprintSha256 only applies to https endpoints');
    }
    this.pool = new ConnectionPool(Math.max(1, options.maxConnections ?? 4), this.label, (signal) =>
      this.openConnection(signal),
    );
  }

  get requestCount(): number {
    return this.sent;
  }

  /** Connections currently open (for tests and diagnostics). */
  get openConnections(): number {
    return this.pool.openCount;
  }

  async post(
    envelope: string,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<WsmanResponse> {
    if (this.closed) throw new Cancelled(this.label); // closed transports refuse new work
    const { signal } = options;
    if (signal?.aborted) throw new Cancelled(this.label);
    const body = Buffer.from(envelope, 'utf8');

    // One retry covers the idle keep-alive race (host closed the socket as we reused it).
    for (let attempt = 0; ; attempt++) {
      const conn = await this.pool.acquire(signal);
      try {
        const res = await this.withDeadline(
          conn,
          options.timeoutMs ?? this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
          signal,
          () => this.exchange(conn, body),
        );
        this.pool.release(conn);
        return res;
      } catch (err) {
        conn.destroy();
        this.pool.release(conn);
        if (err instanceof StaleConnection && attempt === 0) {
          this.pool.dropIdle();
          continue;
        }
        if (err instanceof StaleConnection)
          throw new ProtocolError(`${this.label}: connection closed by the host twice in a row`, {
            cause: err,
          });
        throw err;
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pool.close(new Cancelled(this.label));
  }

  private get label(): string {
    return `${this.target.host}:${this.target.port}`;
  }

  // ---- one request on one connection ----

  private async exchange(conn: HttpConnection, body: Buffer): Promise<WsmanResponse> {
    if (this.options.auth === 'basic') {
      const token = Buffer.from(`${this.options.username}:${this.options.password}`, 'utf8').toString(
        'base64',
      );
      const res = await this.send(conn, body, SOAP_CONTENT_TYPE, `Basic ${token}`);
      if (res.status === 401) throw new AuthFailed(this.label, this.options.username);
      return this.toWsman(res, false, conn);
    }

    // NTLM: an authenticated socket just sends; if the host forgot the context (401), authenticate
    // again once on the same socket. A 401 there was not processed, so resending is safe.
    if (conn.ntlm !== undefined) {
      const res = await this.send(conn, this.encode(conn, body), this.contentType());
      this.refuseUnsealed(res);
      if (res.status !== 401) return this.toWsman(res, true, conn);
      conn.ntlm = undefined;
      if (res.close || !conn.isAlive) throw new StaleConnection(new Error('401 with connection close'));
    }
    return this.handshake(conn, body);
  }

  /** NEGOTIATE → 401 CHALLENGE → AUTHENTICATE carrying the real message (2 requests). */
  private async handshake(conn: HttpConnection, body: Buffer): Promise<WsmanResponse> {
    const ntlmOptions: ConstructorParameters<typeof NtlmClient>[0] = {
      username: this.options.username,
      password: this.options.password,
      host: this.label,
      sealingRequired: this.sealing(),
    };
    if (this.target.tls && conn.peerCertificate !== undefined) {
      ntlmOptions.channelBindings = channelBindingsHash(conn.peerCertificate);
    }
    const ntlm = new NtlmClient(ntlmOptions);
    const negotiate = await this.send(
      conn,
      Buffer.alloc(0),
      this.contentType(),
      `Negotiate ${ntlm.negotiate().toString('base64')}`,
    );
    const challenge = this.challengeFrom(negotiate);
    if (negotiate.close || !conn.isAlive) {
      throw new ProtocolError(
        `${this.label} closed the connection during NTLM authentication (a proxy in between?)`,
      );
    }
    const { message, session } = ntlm.authenticate(challenge);
    conn.ntlm = session;
    const res = await this.send(
      conn,
      this.encode(conn, body),
      this.contentType(),
      `Negotiate ${message.toString('base64')}`,
    );
    this.refuseUnsealed(res);
    if (res.status === 401) {
      conn.ntlm = undefined;
      throw new AuthFailed(this.label, this.options.username);
    }
    return this.toWsman(res, true, conn);
  }

  private challengeFrom(res: HttpResponse): Buffer {
    if (res.status !== 401) {
      throw new ProtocolError(
        `${this.label} answered the NTLM NEGOTIATE with HTTP ${res.status} instead of 401`,
      );
    }
    const offers = res.headers.get('www-authenticate') ?? [];
    for (const offer of offers) {
      const m = /^(Negotiate|NTLM)\s+([A-Za-z0-9+/=]+)\s*$/i.exec(offer);
      if (m !== null) return Buffer.from(m[2], 'base64');
    }
    const schemes = offers.map((o) => o.split(/\s/)[0]).join(', ') || 'none';
    throw new AuthFailed(
      this.label,
      this.options.username,
      `the host did not offer NTLM (offered: ${schemes}) — is Negotiate authentication enabled in the WinRM service config?`,
    );
  }

  /** Plain http + NTLM seals every message; https relies on TLS (and channel binding) instead. */
  private sealing(): boolean {
    return this.options.auth === 'ntlm' && !this.target.tls;
  }

  private contentType(): string {
    return this.sealing() ? ENCRYPTED_CONTENT_TYPE : SOAP_CONTENT_TYPE;
  }

  private encode(conn: HttpConnection, body: Buffer): Buffer {
    if (!this.sealing()) return body;
    if (conn.ntlm === undefined) throw new Error('sealing without an NTLM session');
    return sealToBody(conn.ntlm, body);
  }

  /**
   * On a sealed channel every response body must be sealed, whatever its HTTP status: plain bytes
   * there carry no signature, so anyone on the path could have written them (or stripped the
   * sealing to read what follows). Windows answers 401s and errors with an empty body or a
   * sealed one; a plain body is refused rather than shown or parsed.
   */
  private refuseUnsealed(res: HttpResponse): void {
    if (!this.sealing() || res.body.length === 0) return;
    const contentType = header(res, 'content-type');
    if (isEncryptedContentType(contentType)) return;
    throw new ProtocolError(
      `${this.label} sent an unencrypted HTTP ${res.status} response (${res.body.length} bytes, ` +
        `Content-Type ${contentType ?? 'none'}) on an NTLM-encrypted connection — refusing it: on plain ` +
        'HTTP every WinRM message must be sealed; a proxy or something else between the app and the host ' +
        'may be answering in its place',
      { host: this.label },
    );
  }

  private toWsman(res: HttpResponse, ntlm: boolean, conn: HttpConnection): WsmanResponse {
    this.refuseUnsealed(res);
    if (res.status === 401) throw new AuthFailed(this.label, this.options.username);
    if (res.status !== 200 && res.status !== 500) {
      const hint =
        res.status === 404
          ? ' — check the endpoint path (usually /wsman)'
          : res.status === 413
            ? ' — the request exceeded the host MaxEnvelopeSizekb'
            : '';
      throw new ProtocolError(`${this.label} answered HTTP ${res.status} ${res.statusText}${hint}`, {
        host: this.label,
      });
    }
    let payload = res.body;
    if (ntlm && isEncryptedContentType(header(res, 'content-type'))) {
      if (conn.ntlm === undefined) throw new ProtocolError('encrypted response without an NTLM session');
      payload = unsealFromBody(conn.ntlm, res.body);
    }
    return { status: res.status, body: payload.toString('utf8') };
  }

  private send(
    conn: HttpConnection,
    body: Buffer,
    contentType: string,
    authorization?: string,
  ): Promise<HttpResponse> {
    const { url } = this.target;
    let head =
      `POST ${url.pathname}${url.search} HTTP/1.1\r\n` +
      `Host: ${url.host}\r\n` +
      'Connection: Keep-Alive\r\n' +
      'User-Agent: Aether-V Desktop\r\n' +
      `Content-Type: ${contentType}\r\n` +
      `Content-Length: ${body.length}\r\n`;
    if (authorization !== undefined) head += `Authorization: ${authorization}\r\n`;
    head += '\r\n';
    this.sent++;
    return conn.request(head, body);
  }

  // ---- deadlines and cancellation ----

  private withDeadline<T>(
    conn: HttpConnection,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    run: () => Promise<T>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => conn.destroy(new WinrmTimeout(this.label, 'request', timeoutMs)),
        timeoutMs,
      );
      const onAbort = (): void => conn.destroy(new Cancelled(this.label));
      signal?.addEventListener('abort', onAbort, { once: true });
      run().then(
        (v) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  private async openConnection(signal: AbortSignal | undefined): Promise<HttpConnection> {
    const connectOptions: Parameters<typeof HttpConnection.open>[0] = {
      host: this.target.host,
      port: this.target.port,
      tls: this.target.tls,
      connectTimeoutMs: this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    };
    if (this.options.caPem !== undefined) connectOptions.caPem = this.options.caPem;
    if (this.options.fingerprintSha256 !== undefined)
      connectOptions.fingerprintSha256 = this.options.fingerprintSha256;
    if (signal !== undefined) connectOptions.signal = signal;
    if (this.options.maxResponseBytes !== undefined) connectOptions.maxBodyBytes = this.options.maxResponseBytes;
    try {
      return await HttpConnection.open(connectOptions);
    } catch (err) {
      if (signal?.aborted) throw new Cancelled(this.label);
      throw err instanceof WinrmError ? err : new ProtocolError(String(err), { cause: err });
    }
  }
}
