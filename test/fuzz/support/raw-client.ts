import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * Raw clients for the browser-mode server: bytes on a plain TCP socket, so a test or fuzz target can
 * send what no HTTP or WebSocket library would (broken request lines, invalid frames, half-sent
 * headers, resets mid-upgrade).
 */

export interface Exchange {
  /** Everything the server sent before it closed or the wait ended. */
  reply: string;
  /** The server closed the connection (rather than the wait ending). */
  closed: boolean;
}

/** Opens a connection to 127.0.0.1:port, sends `bytes`, collects the reply for at most `waitMs`. `abort` resets right after sending. */
export function exchange(port: number, bytes: Uint8Array | string, options: { waitMs?: number; abort?: boolean } = {}): Promise<Exchange> {
  const waitMs = options.waitMs ?? 2_000;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ reply: Buffer.concat(chunks).toString('latin1'), closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      // A response's head is all a caller judges; a kept-alive connection need not be waited out.
      if (Buffer.concat(chunks).includes('\r\n\r\n')) finish(false);
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      socket.write(bytes);
      if (options.abort) socket.resetAndDestroy();
    });
  });
}

/** The status code of the first response line, or undefined when there is none. */
export function statusOf(reply: string): number | undefined {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(reply);
  return match ? Number(match[1]) : undefined;
}

/** An upgrade request to `target` with the headers a browser sends; `headers` overrides or removes (undefined) them. */
export function upgradeRequest(port: number, target: string, headers: Record<string, string | undefined> = {}): string {
  const all: Record<string, string | undefined> = {
    Host: `127.0.0.1:${port}`,
    Origin: `http://127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(all)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}: ${value}`);
  return `GET ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** One client→server WebSocket frame (masked, as a client must), or exactly what the options break. */
export function frame(
  opcode: number,
  payload: Uint8Array,
  options: { fin?: boolean; rsv?: number; masked?: boolean; claimedLength?: number } = {},
): Buffer {
  const fin = options.fin ?? true;
  const masked = options.masked ?? true;
  const length = options.claimedLength ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | ((options.rsv ?? 0) & 0x7) << 4 | (opcode & 0x0f)];
  const maskBit = masked ? 0x80 : 0;
  let extended: Buffer;
  if (length < 126) {
    head.push(maskBit | length);
    extended = Buffer.alloc(0);
  } else if (length < 0x10000) {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(length);
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(BigInt(length));
  }
  const key = masked ? randomBytes(4) : Buffer.alloc(0);
  const body = Buffer.from(payload);
  if (masked) for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!;
  return Buffer.concat([Buffer.from(head), extended, key, body]);
}

export const Opcode = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** A text frame with a JSON message. */
export function jsonFrame(message: unknown): Buffer {
  return frame(Opcode.text, Buffer.from(JSON.stringify(message)));
}

/**
 * A WebSocket opened by hand on a raw socket: the handshake, then whatever frames the caller
 * writes. Resolves once the server answered 101, or rejects with the status it sent instead. The
 * socket comes back paused, holding anything the server sent after its 101: attach listeners,
 * then resume().
 */
export function rawWebSocket(port: number, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    let reply = '';
    const onData = (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      const end = reply.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      if (statusOf(reply) === 101) {
        socket.pause();
        const rest = Buffer.from(reply.slice(end + 4), 'latin1');
        if (rest.length) socket.unshift(rest);
        resolve(socket);
      } else {
        socket.destroy();
        reject(new Error(`upgrade refused: ${reply.split('\r\n')[0]}`));
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.on('connect', () => socket.write(upgradeRequest(port, `/ws?token=${encodeURIComponent(token)}`)));
  });
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/**
 * Reads the server's frames (unmasked, as a server sends them) from a raw socket's chunks. Frames
 * arrive whole or split at any byte; `push` returns the ones completed by this chunk.
 */
export class ServerFrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): ServerFrame[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const frames: ServerFrame[] = [];
    for (;;) {
      if (this.buffered.length < 2) return frames;
      const opcode = this.buffered[0]! & 0x0f;
      let length = this.buffered[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffered.length < 4) return frames;
        length = this.buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffered.length < 10) return frames;
        length = Number(this.buffered.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffered.length < offset + length) return frames;
      frames.push({ opcode, payload: this.buffered.subarray(offset, offset + length) });
      this.buffered = this.buffered.subarray(offset + length);
    }
  }
}
