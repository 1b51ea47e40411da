/**
 * The seam between the WS-Man protocol layer (envelopes, WinRS shells, PowerShell) and the wire
 * (HTTP/HTTPS, Basic/NTLM, message encryption, connection pool). The protocol layer only ever
 * posts one SOAP envelope and reads one back; tests replay captures through this interface.
 */
export interface WsmanResponse {
  /** HTTP status: 200 for success, 500 for a SOAP fault (the body then holds the fault). */
  status: number;
  /** The decrypted SOAP envelope as UTF-8 text. */
  body: string;
}

export interface WsmanTransport {
  /** Posts one SOAP envelope. Rejects with a typed WinrmError for wire/auth failures; never for HTTP 500. */
  post(envelope: string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<WsmanResponse>;
  /** Closes every pooled connection. */
  close(): Promise<void>;
  /** Number of HTTP requests sent so far (including authentication legs), for tests and benchmarks. */
  readonly requestCount: number;
  /** The endpoint URL, e.g. http://hv01:5985/wsman, used for the wsa:To header. */
  readonly endpoint: string;
}
