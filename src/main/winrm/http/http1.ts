/**
 * A minimal HTTP/1.1 response parser for our own client connection (see transport.ts for why we
 * drive sockets ourselves). It handles what WinRM hosts send: Content-Length or chunked bodies,
 * or a body ended by connection close; everything is size-limited and errors are ProtocolError.
 */
import { LimitExceeded, ProtocolError } from '../errors';

export interface HttpResponse {
  status: number;
  statusText: string;
  /** Lower-cased names; repeated headers (e.g. WWW-Authenticate) keep every value. */
  headers: Map<string, string[]>;
  body: Buffer;
  /** The server asked to close the connection after this response. */
  close: boolean;
}

const MAX_HEADER_BYTES = 64 * 1024;
/**
 * The most we read of one response body, counted as it arrives (Content-Length, chunked or
 * until close alike) so a host cannot make us buffer without bound. Every request we send asks
 * for replies of at most MaxEnvelopeSize = 150 KB (soap/envelope.ts), and a sealed reply adds
 * only ~200 bytes of framing, so a compliant host stays far below this; 4 MiB leaves room for
 * hosts that pad or ignore the header while keeping a runaway reply per connection small.
 */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
const BODY_ADVICE =
  'every WinRM reply should fit the 150 KB MaxEnvelopeSize the app asks for — the host (or something in between) is misbehaving';

export function header(res: HttpResponse, name: string): string | undefined {
  return res.headers.get(name.toLowerCase())?.[0];
}

type State =
  | { kind: 'head' }
  | { kind: 'length'; remaining: number }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; remaining: number }
  | { kind: 'chunk-trailer' }
  | { kind: 'until-close' }
  | { kind: 'done' };

/** Incremental parser for exactly one response. */
export class ResponseParser {
  /**
   * @param host host:port, named when the body is too large.
   * @param maxBodyBytes the body cap (tests lower it; the app uses MAX_BODY_BYTES).
   */
  constructor(
    private readonly host?: string,
    private readonly maxBodyBytes = MAX_BODY_BYTES,
  ) {}

  private buffer: Buffer = Buffer.alloc(0);
  private state: State = { kind: 'head' };
  private bodyParts: Buffer[] = [];
  private bodyLength = 0;
  private trailerBytes = 0;
  /**
   * Backing store `buffer` is a view into while bytes wait for a line end, and how much of it is
   * used. A host dripping a head or a chunk line a few bytes at a time must not cost a copy of
   * everything buffered per packet (a 60 KB head sent byte by byte took 3 s of main-thread CPU).
   */
  private store?: Buffer;
  private storeUsed = 0;
  /** How far `buffer` was already searched for the line end or blank line being waited for. */
  private scanned = 0;
  private head?: Omit<HttpResponse, 'body'>;

  /** Feeds bytes; returns the response once complete (leftover bytes are a protocol error). */
  push(chunk: Buffer): HttpResponse | undefined {
    this.append(chunk);
    for (;;) {
      const progressed = this.step();
      if (this.state.kind === 'done') {
        if (this.buffer.length > 0)
          throw this.error('host sent bytes after the end of the HTTP response');
        return this.result();
      }
      if (!progressed) return undefined;
    }
  }

  /** The socket ended: completes a close-delimited body, otherwise the response is truncated. */
  end(): HttpResponse {
    if (this.state.kind === 'until-close') {
      this.takeBody(this.buffer.length);
      this.state = { kind: 'done' };
      return this.result();
    }
    throw this.error('connection closed before the HTTP response was complete');
  }

  /** True once at least one byte of a response arrived (then a retry would not be safe). */
  get started(): boolean {
    return this.head !== undefined || this.buffer.length > 0;
  }

  private result(): HttpResponse {
    if (this.head === undefined) throw this.error('HTTP response without a head');
    // A body that arrived in one piece is handed over as is (a view of the socket's chunk).
    const body =
      this.bodyParts.length === 1 ? this.bodyParts[0] : Buffer.concat(this.bodyParts, this.bodyLength);
    return { ...this.head, body };
  }

  private takeBody(n: number): void {
    this.bodyLength += n;
    if (this.bodyLength > this.maxBodyBytes) this.tooLarge();
    this.bodyParts.push(this.buffer.subarray(0, n));
    this.buffer = this.buffer.subarray(n);
  }

  /** Appends in amortised constant time per byte: the store doubles instead of being re-copied. */
  private append(chunk: Buffer): void {
    if (this.buffer.length === 0) {
      this.buffer = chunk;
      this.scanned = 0;
      return;
    }
    const store = this.store;
    const buffered = this.buffer;
    const atStoreEnd =
      store !== undefined &&
      buffered.buffer === store.buffer &&
      buffered.byteOffset + buffered.length === store.byteOffset + this.storeUsed;
    if (atStoreEnd && this.storeUsed + chunk.length <= store.length) {
      // Bytes before storeUsed may still be referenced (body parts); only the free tail is written.
      chunk.copy(store, this.storeUsed);
      this.storeUsed += chunk.length;
      this.buffer = store.subarray(buffered.byteOffset - store.byteOffset, this.storeUsed);
      return;
    }
    const total = buffered.length + chunk.length;
    const grown = Buffer.allocUnsafe(Math.max(total * 2, 4096));
    buffered.copy(grown, 0);
    chunk.copy(grown, buffered.length);
    this.store = grown;
    this.storeUsed = total;
    this.buffer = grown.subarray(0, total);
  }

  /** Index of `marker` in `buffer`, searching only bytes not searched before; -1 if absent. */
  private find(marker: string): number {
    const from = Math.max(0, this.scanned - (marker.length - 1));
    const at = this.buffer.indexOf(marker, from, 'latin1');
    this.scanned = at < 0 ? this.buffer.length : 0;
    return at;
  }

  /** A framing error, naming the host when known (the admin must learn which host misbehaved). */
  private error(message: string): ProtocolError {
    return this.host !== undefined ? new ProtocolError(`${this.host}: ${message}`, { host: this.host }) : new ProtocolError(message);
  }

  private tooLarge(announced?: number): never {
    const what = announced !== undefined ? `HTTP response body (Content-Length ${announced})` : 'HTTP response body';
    throw new LimitExceeded(this.host, what, this.maxBodyBytes, 'bytes', BODY_ADVICE);
  }

  private takeLine(): string | undefined {
    const idx = this.find('\r\n');
    if (idx < 0) {
      if (this.buffer.length > MAX_HEADER_BYTES) throw this.error('HTTP header line too long');
      return undefined;
    }
    const line = this.buffer.subarray(0, idx).toString('latin1');
    this.buffer = this.buffer.subarray(idx + 2);
    return line;
  }

  private step(): boolean {
    const s = this.state;
    switch (s.kind) {
      case 'head':
        return this.parseHead();
      case 'length': {
        const n = Math.min(s.remaining, this.buffer.length);
        if (n === 0 && s.remaining > 0) return false;
        this.takeBody(n);
        this.state =
          s.remaining - n === 0 ? { kind: 'done' } : { kind: 'length', remaining: s.remaining - n };
        return true;
      }
      case 'chunk-size': {
        const line = this.takeLine();
        if (line === undefined) return false;
        const size = Number.parseInt(line.split(';')[0].trim(), 16);
        if (!Number.isFinite(size) || size < 0 || !/^[0-9a-f]+$/i.test(line.split(';')[0].trim())) {
          throw this.error(`bad HTTP chunk size '${line.slice(0, 20)}'`);
        }
        this.state = size === 0 ? { kind: 'chunk-trailer' } : { kind: 'chunk-data', remaining: size };
        return true;
      }
      case 'chunk-data': {
        if (this.buffer.length < s.remaining + 2) {
          // Take what we have of the chunk, keep waiting for the rest and its CRLF.
          const n = Math.min(s.remaining, this.buffer.length);
          if (n === 0) return false;
          this.takeBody(n);
          this.state = { kind: 'chunk-data', remaining: s.remaining - n };
          return s.remaining - n === 0 ? this.buffer.length >= 2 : false;
        }
        this.takeBody(s.remaining);
        if (this.buffer[0] !== 0x0d || this.buffer[1] !== 0x0a)
          throw this.error('HTTP chunk not followed by CRLF');
        this.buffer = this.buffer.subarray(2);
        this.state = { kind: 'chunk-size' };
        return true;
      }
      case 'chunk-trailer': {
        const line = this.takeLine();
        if (line === undefined) return false;
        // Trailer lines are headers: an endless run of them is capped like the head.
        this.trailerBytes += line.length + 2;
        if (this.trailerBytes > MAX_HEADER_BYTES) throw this.error('HTTP chunked trailer too large');
        if (line === '') this.state = { kind: 'done' };
        return true;
      }
      case 'until-close':
        // Taken as it arrives, so the body cap applies while reading (and the buffer does not
        // grow by concatenation) rather than only when the host finally closes.
        if (this.buffer.length === 0) return false;
        this.takeBody(this.buffer.length);
        return true;
      case 'done':
        return false;
    }
  }

  private parseHead(): boolean {
    const end = this.find('\r\n\r\n');
    if (end < 0) {
      if (this.buffer.length > MAX_HEADER_BYTES) throw this.error('HTTP response head too large');
      return false;
    }
    const lines = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
    this.buffer = this.buffer.subarray(end + 4);
    const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]);
    if (m === null) throw this.error(`not an HTTP/1.x response: '${lines[0].slice(0, 40)}'`);
    const headers = new Map<string, string[]>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw this.error(`malformed HTTP header line '${line.slice(0, 40)}'`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const list = headers.get(name) ?? [];
      list.push(line.slice(colon + 1).trim());
      headers.set(name, list);
    }
    const status = Number(m[2]);
    const connection = (headers.get('connection') ?? []).join(',').toLowerCase();
    const close = m[1] === '0' ? !connection.includes('keep-alive') : connection.includes('close');
    this.head = { status, statusText: m[3] ?? '', headers, close };

    const te = (headers.get('transfer-encoding') ?? []).join(',').toLowerCase();
    const cl = headers.get('content-length');
    if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
      this.state = { kind: 'done' };
    } else if (te.includes('chunked')) {
      this.state = { kind: 'chunk-size' };
    } else if (cl !== undefined) {
      if (!/^\d{1,12}$/.test(cl[0]) || cl.some((v) => v !== cl[0])) {
        throw this.error(`bad Content-Length '${cl.join(',').slice(0, 30)}'`);
      }
      const n = Number(cl[0]);
      if (n > this.maxBodyBytes) this.tooLarge(n);
      this.state = n === 0 ? { kind: 'done' } : { kind: 'length', remaining: n };
    } else {
      this.state = { kind: 'until-close' };
      this.head.close = true;
    }
    return true;
  }
}
