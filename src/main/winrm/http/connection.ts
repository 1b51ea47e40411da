/**
 * One keep-alive TCP or TLS connection to a WinRM host, carrying one HTTP/1.1 request at a time.
 * NTLM authenticates the connection, not the request, so the transport keeps its NTLM session
 * here: when this socket dies, the session dies with it.
 */
import net from 'node:net';
import tls from 'node:tls';
import { HostUnreachable, ProtocolError, TlsFailed, WinrmError, WinrmTimeout, tlsFailureInWords } from '../errors';
import type { NtlmSessionSecurity } from '../ntlm/session-security';
import { type HttpResponse, MAX_BODY_BYTES, ResponseParser } from './http1';

export interface ConnectOptions {
  host: string;
  port: number;
  tls: boolean;
  connectTimeoutMs: number;
  /** Extra trust anchors (PEM), added to Node's CA store. */
  caPem?: string;
  /** Accept exactly the certificate with this SHA-256 (hex, colons optional), and nothing else. */
  fingerprintSha256?: string;
  signal?: AbortSignal;
  /** Cap on one response body (default MAX_BODY_BYTES); tests lower it. */
  maxBodyBytes?: number;
}

/** Thrown when a reused idle socket turns out to be dead before any response byte arrived. */
export class StaleConnection extends Error {
  constructor(cause: unknown) {
    super('keep-alive connection was closed by the host', { cause });
  }
}

const UNREACHABLE_CODES: Record<string, string> = {
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ECONNABORTED: 'connection aborted',
};

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function normalizeFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-f]/gi, '').toLowerCase();
}

function isIp(host: string): boolean {
  return net.isIP(host.replace(/^\[|\]$/g, '')) !== 0;
}

export class HttpConnection {
  /** The NTLM session bound to this socket, once the handshake completed on it. */
  ntlm?: NtlmSessionSecurity;
  /** Requests sent on this socket; > 0 means the next one reuses a keep-alive connection. */
  requestsSent = 0;
  private alive = true;
  private pending?: {
    parser: ResponseParser;
    resolve: (res: HttpResponse) => void;
    reject: (err: unknown) => void;
  };

  private constructor(
    readonly socket: net.Socket,
    readonly hostLabel: string,
    private readonly maxBodyBytes: number,
    /** DER of the server certificate (HTTPS), for channel binding. */
    readonly peerCertificate?: Buffer,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('socket closed')));
  }

  get isAlive(): boolean {
    return this.alive && !this.socket.destroyed;
  }

  static open(options: ConnectOptions): Promise<HttpConnection> {
    const label = `${options.host}:${options.port}`;
    const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    return new Promise<HttpConnection>((resolve, reject) => {
      let settled = false;
      let socket: net.Socket;
      const finish = (err: WinrmError | undefined, conn?: HttpConnection): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (err !== undefined) {
          socket.destroy();
          reject(err);
        } else if (conn !== undefined) {
          resolve(conn);
        }
      };
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(options.signal?.reason);
      };
      const timer = setTimeout(
        () => finish(new WinrmTimeout(label, 'connect', options.connectTimeoutMs)),
        options.connectTimeoutMs,
      );

      const bareHost = options.host.replace(/^\[|\]$/g, '');
      if (options.tls) {
        const pinned =
          options.fingerprintSha256 !== undefined
            ? normalizeFingerprint(options.fingerprintSha256)
            : undefined;
        const tlsOptions: tls.ConnectionOptions = {
          host: bareHost,
          port: options.port,
          // Pinning replaces CA validation: a self-signed host cert is trusted because of its hash.
          rejectUnauthorized: pinned === undefined,
          ALPNProtocols: ['http/1.1'],
        };
        if (!isIp(bareHost)) tlsOptions.servername = bareHost;
        if (options.caPem !== undefined) tlsOptions.ca = [...tls.rootCertificates, options.caPem];
        socket = tls.connect(tlsOptions);
        socket.once('secureConnect', () => {
          const tlsSocket = socket as tls.TLSSocket;
          const cert = tlsSocket.getPeerCertificate(true);
          const der = cert?.raw;
          if (pinned !== undefined) {
            const actual = der !== undefined ? normalizeFingerprint(cert.fingerprint256) : undefined;
            if (actual !== pinned) {
              finish(
                new TlsFailed(label, 'server certificate does not match the pinned fingerprint', {
                  expectedSha256: pinned,
                  actualSha256: actual,
                }),
              );
              return;
            }
          }
          finish(undefined, new HttpConnection(socket, label, maxBodyBytes, der));
        });
      } else {
        socket = net.connect({ host: bareHost, port: options.port });
        socket.once('connect', () => finish(undefined, new HttpConnection(socket, label, maxBodyBytes)));
      }
      socket.setNoDelay(true);
      socket.once('error', (err) => {
        const code = errorCode(err);
        if (code !== undefined && code in UNREACHABLE_CODES) {
          finish(new HostUnreachable(options.host, options.port, UNREACHABLE_CODES[code], err));
        } else if (options.tls) {
          finish(new TlsFailed(label, tlsFailureInWords(err), { cause: err }));
        } else {
          finish(new HostUnreachable(options.host, options.port, err.message, err));
        }
      });
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Sends one request and resolves with the complete response. */
  request(head: string, body: Buffer): Promise<HttpResponse> {
    if (this.pending !== undefined) throw new Error('HttpConnection: one request at a time');
    if (!this.isAlive) return Promise.reject(new StaleConnection(new Error('socket already closed')));
    this.requestsSent++;
    return new Promise<HttpResponse>((resolve, reject) => {
      this.pending = { parser: new ResponseParser(this.hostLabel, this.maxBodyBytes), resolve, reject };
      this.socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    });
  }

  /** Kills the socket; a pending request rejects with `reason`. */
  destroy(reason?: unknown): void {
    if (reason !== undefined) this.fail(reason);
    this.alive = false;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    const p = this.pending;
    if (p === undefined) {
      // Unsolicited bytes mean we can no longer tell which response is which.
      this.destroy();
      return;
    }
    try {
      const res = p.parser.push(chunk);
      if (res !== undefined) this.complete(res);
    } catch (err) {
      this.destroy(err);
    }
  }

  private onEnd(): void {
    const p = this.pending;
    this.alive = false;
    if (p === undefined) return;
    try {
      this.complete(p.parser.end());
    } catch (err) {
      this.fail(p.parser.started ? err : new Error('connection closed by host', { cause: err }));
    }
  }

  private complete(res: HttpResponse): void {
    const p = this.pending;
    this.pending = undefined;
    if (res.close) {
      this.alive = false;
      this.socket.end();
    }
    p?.resolve(res);
  }

  /** Rejects the pending request with the right typed error for how the socket died. */
  private fail(err: unknown): void {
    this.alive = false;
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    if (err instanceof WinrmError) {
      p.reject(err);
    } else if (p.parser.started) {
      p.reject(
        new ProtocolError(`connection to ${this.hostLabel} closed in the middle of an HTTP response`, {
          cause: err,
        }),
      );
    } else if (this.requestsSent > 1 || err instanceof StaleConnection) {
      // Reset before any response byte on a reused socket: the host closed an idle keep-alive
      // connection as we wrote. The request was not processed, so the transport may retry.
      p.reject(err instanceof StaleConnection ? err : new StaleConnection(err));
    } else {
      const code = errorCode(err);
      const cut = this.hostLabel.lastIndexOf(':');
      // A TLS listener drops a plain HTTP request without a word: say so, it is the likely cause.
      const reason =
        code !== undefined && code in UNREACHABLE_CODES
          ? UNREACHABLE_CODES[code]
          : this.socket instanceof tls.TLSSocket
            ? 'connection closed without a response'
            : 'connection closed without a response; if this port expects HTTPS (WinRM uses 5986 for HTTPS), choose the HTTPS transport';
      p.reject(
        new HostUnreachable(this.hostLabel.slice(0, cut), Number(this.hostLabel.slice(cut + 1)), reason, err),
      );
    }
  }
}
