/**
 * Typed errors of the WinRM client. Every failure a caller can see is a WinrmError with a stable
 * `code` (safe to switch on and to send across the contract) and a message a person can act on.
 */

export type WinrmErrorCode =
  | 'HOST_UNREACHABLE'
  | 'TLS_FAILED'
  | 'AUTH_FAILED'
  | 'TIMEOUT'
  | 'WSMAN_FAULT'
  | 'PROTOCOL_ERROR'
  | 'INSECURE_CONFIG'
  | 'CANCELLED';

export interface WinrmErrorOptions {
  /** host or host:port the failure concerns, when known. */
  host?: string;
  cause?: unknown;
}

export class WinrmError extends Error {
  readonly code: WinrmErrorCode;
  readonly host?: string;

  constructor(code: WinrmErrorCode, message: string, options: WinrmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.host !== undefined) this.host = options.host;
  }
}

/** DNS failure, connection refused or reset: we never got a working TCP connection. */
export class HostUnreachable extends WinrmError {
  constructor(host: string, port: number, reason: string, cause?: unknown) {
    // A name that does not resolve is not a WinRM service problem: point at the name instead.
    const advice = /DNS/.test(reason)
      ? `check the host name '${host}' (a typo, or no DNS record for it) or use its IP address`
      : 'is the WinRM service running and TCP 5985/5986 open in the firewall?';
    super('HOST_UNREACHABLE', `cannot reach ${host}:${port} (${reason}) — ${advice}`, { host: `${host}:${port}`, cause });
  }
}

/** TLS handshake or certificate verification failed, including a pinned-fingerprint mismatch. */
export class TlsFailed extends WinrmError {
  readonly expectedSha256?: string;
  readonly actualSha256?: string;

  constructor(
    host: string,
    reason: string,
    details: { expectedSha256?: string; actualSha256?: string; cause?: unknown } = {},
  ) {
    const pin =
      details.expectedSha256 !== undefined
        ? ` (expected SHA-256 ${details.expectedSha256}, server presented ${details.actualSha256 ?? 'no certificate'})`
        : '';
    const advice = details.expectedSha256 !== undefined ? PIN_ADVICE : tlsAdvice(reason);
    super('TLS_FAILED', `TLS with ${host} failed: ${reason}${pin} — ${advice}`, { host, cause: details.cause });
    if (details.expectedSha256 !== undefined) this.expectedSha256 = details.expectedSha256;
    if (details.actualSha256 !== undefined) this.actualSha256 = details.actualSha256;
  }
}

const TRUST_ADVICE =
  "install the certificate of the CA that issued the host's certificate on this computer, or pin the host's certificate (its SHA-256 fingerprint) in the host's settings";
const PIN_ADVICE = "if the host's certificate was renewed on purpose, pin the new fingerprint in the host's settings; otherwise something else is answering at this address";

/**
 * TLS failures in words for a person. Node reports them as OpenSSL text ("wrong version number",
 * "EPROTO") that an admin cannot act on; the error code says what really happened.
 */
const TLS_REASONS: Record<string, string> = {
  ERR_SSL_WRONG_VERSION_NUMBER: 'the port answered in plain HTTP, not HTTPS',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'the port answered in plain HTTP, not HTTPS',
  ERR_SSL_HTTP_REQUEST: 'the port answered in plain HTTP, not HTTPS',
  DEPTH_ZERO_SELF_SIGNED_CERT: "the host's certificate is self-signed, so nothing vouches for it",
  SELF_SIGNED_CERT_IN_CHAIN: "the host's certificate was issued by a CA this computer does not trust",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the host's certificate was issued by a CA this computer does not trust",
  UNABLE_TO_GET_ISSUER_CERT: "the host's certificate was issued by a CA this computer does not trust",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the host's certificate was issued by a CA this computer does not trust",
  CERT_UNTRUSTED: "the host's certificate is not trusted on this computer",
  CERT_HAS_EXPIRED: "the host's certificate has expired",
  CERT_NOT_YET_VALID: "the host's certificate is not valid yet (check the clocks of this computer and the host)",
  ERR_TLS_CERT_ALTNAME_INVALID: "the host's certificate is issued for another name than the address entered",
  HOSTNAME_MISMATCH: "the host's certificate is issued for another name than the address entered",
  CERT_REVOKED: "the host's certificate has been revoked",
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'the host only offers an old TLS version this app refuses (TLS 1.2 or later is needed)',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'the host only offers an old TLS version this app refuses (TLS 1.2 or later is needed)',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'the host and this app share no TLS cipher or version',
  ERR_SSL_NO_PROTOCOLS_AVAILABLE: 'the host and this app share no TLS version',
};

/** A TLS error as a sentence: known codes in words, other OpenSSL text reduced to its reason. */
export function tlsFailureInWords(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in TLS_REASONS) return TLS_REASONS[code];
  const message = err instanceof Error ? err.message : String(err);
  if (/wrong version number|http request|packet length too long/i.test(message)) return TLS_REASONS.ERR_SSL_WRONG_VERSION_NUMBER;
  // "4080…:error:0A00010B:SSL routines:func:reason:file:line:" → "reason"
  const openssl = /SSL routines:[^:]*:([^:]+)/.exec(message);
  if (openssl) return `the TLS handshake failed (${openssl[1].trim()})`;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return `the TLS handshake failed (the host closed or broke the connection, ${code})`;
  return message.replace(/; if the root CA is installed locally, try running Node\.js with --use-system-ca/, '');
}

function tlsAdvice(reason: string): string {
  if (reason === TLS_REASONS.ERR_SSL_WRONG_VERSION_NUMBER) return 'choose the HTTP transport for this port, or the HTTPS port (usually 5986)';
  if (/expired|not valid yet|revoked/.test(reason)) return "renew the host's WinRM HTTPS certificate (or fix the clock)";
  if (/another name/.test(reason)) return "enter the name the certificate is issued for as the address, or pin the host's certificate in the host's settings";
  if (/TLS version|cipher/.test(reason)) return 'enable TLS 1.2 or later on the host';
  return TRUST_ADVICE;
}

/** The host rejected the credentials after a complete authentication exchange. */
export class AuthFailed extends WinrmError {
  constructor(host: string, username: string, detail = 'access denied') {
    super(
      'AUTH_FAILED',
      `${host}: ${detail} for user '${username}' — check the password; the account must be a local ` +
        `administrator on the host; for a local (non-domain) account remote UAC filtering must be off ` +
        `(HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\LocalAccountTokenFilterPolicy = 1)`,
      { host },
    );
  }
}

export class WinrmTimeout extends WinrmError {
  readonly phase: 'connect' | 'request';
  readonly timeoutMs: number;

  constructor(host: string, phase: 'connect' | 'request', timeoutMs: number) {
    super(
      'TIMEOUT',
      phase === 'connect'
        ? `${host}: no connection within ${timeoutMs} ms — is the host up and the port open?`
        : `${host}: no response within ${timeoutMs} ms — the host may be overloaded or the operation hung`,
      { host },
    );
    this.phase = phase;
    this.timeoutMs = timeoutMs;
  }
}

/** A SOAP fault returned by the WS-Man service (raised by the protocol layer, not the wire). */
export class WinrmFault extends WinrmError {
  readonly wsmanCode?: number;
  readonly subcode?: string;
  readonly faultMessage: string;

  constructor(
    faultMessage: string,
    details: { wsmanCode?: number; subcode?: string; host?: string; action?: string } = {},
  ) {
    const codePart = details.wsmanCode !== undefined ? ` (code ${details.wsmanCode})` : '';
    const where = details.host !== undefined ? `${details.host}: ` : '';
    const action = details.action !== undefined ? ` during ${details.action}` : '';
    super('WSMAN_FAULT', `${where}WS-Man fault${action}${codePart}: ${faultMessage}`, { host: details.host });
    this.faultMessage = faultMessage;
    if (details.wsmanCode !== undefined) this.wsmanCode = details.wsmanCode;
    if (details.subcode !== undefined) this.subcode = details.subcode;
  }
}

/** The peer sent something that does not follow the protocol (bad framing, bad signature, ...). */
export class ProtocolError extends WinrmError {
  constructor(message: string, options: WinrmErrorOptions = {}) {
    super('PROTOCOL_ERROR', message, options);
  }
}

/**
 * A host sent more than one of our caps allows (a response body, XML nesting, a command's output,
 * an agent result line). We stop reading at the cap, so a misbehaving host cannot make the app
 * buffer without bound; the message names the host, what overflowed and the cap.
 */
export class LimitExceeded extends ProtocolError {
  /** What overflowed, e.g. "HTTP response body". */
  readonly what: string;
  /** The cap, in the unit of `unit`. */
  readonly limit: number;
  readonly unit: 'bytes' | 'levels';

  constructor(host: string | undefined, what: string, limit: number, unit: 'bytes' | 'levels', advice: string) {
    const where = host !== undefined ? `${host}: ` : '';
    super(`${where}${what} exceeds the limit of ${formatLimit(limit, unit)} — stopped reading it; ${advice}`, host !== undefined ? { host } : {});
    this.what = what;
    this.limit = limit;
    this.unit = unit;
  }
}

function formatLimit(limit: number, unit: 'bytes' | 'levels'): string {
  if (unit === 'levels') return `${limit} nested elements`;
  return limit >= 1024 * 1024 && limit % (1024 * 1024) === 0 ? `${limit / (1024 * 1024)} MiB (${limit} bytes)` : `${limit} bytes`;
}

/** A configuration we refuse because it would expose credentials or data. */
export class InsecureConfig extends WinrmError {
  constructor(message: string, options: WinrmErrorOptions = {}) {
    super('INSECURE_CONFIG', message, options);
  }
}

/** The host offered a CHALLENGE that would downgrade the session. */
export class NtlmDowngradeRefused extends InsecureConfig {
  /** What was missing, e.g. "128-bit session keys (NTLMSSP_NEGOTIATE_128)". */
  readonly missing: string[];
  /** The flags the host offered, by name. */
  readonly offered: string[];

  constructor(host: string, missing: string[], offered: string[]) {
    super(
      `${host}: refusing the host's NTLM challenge because it would weaken the session — it lacks ` +
        `${missing.join('; ')} (the host offered: ${offered.join(', ') || 'no flags'}). Windows hosts offer all of ` +
        'these unless a policy restricts NTLM ("Network security: Minimum session security for NTLM SSP", ' +
        'LmCompatibilityLevel) or something between the app and the host altered the challenge; ' +
        'fix the host (HTTPS lifts only the signing and sealing requirement)',
      { host },
    );
    this.missing = missing;
    this.offered = offered;
  }
}

export class Cancelled extends WinrmError {
  constructor(host?: string) {
    super('CANCELLED', `${host !== undefined ? `${host}: ` : ''}request cancelled`, { host });
  }
}

export function isWinrmError(value: unknown): value is WinrmError {
  return value instanceof WinrmError;
}
