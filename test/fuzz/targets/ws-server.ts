import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';
import { commandNames, commands, ErrorCode, isCommandName, type Result, type StateEvent } from '../../../src/shared/contract';
import type { BackendConnection } from '../../../src/main/backend-connection';
import { startBrowserServer, type BrowserServer } from '../../../src/main/transport/ws-server';
import { compile, toFieldErrors } from '../../../src/main/validation/validator';
import type { FuzzTarget, Rng } from '../fuzz-target';
import { frame, Opcode, rawWebSocket, ServerFrameReader, statusOf } from '../support/raw-client';
import { fromSchema, mutate, randomJson, randomString } from '../support/values';
import { tempDir } from '../../support/temp';

/**
 * The browser-mode server (`aether-v serve`, src/main/transport) on a real port, over real sockets.
 * Each input is ONE of:
 *  - a pre-auth connection: a generated HTTP request for the page or an upgrade (any method,
 *    target, token bytes, Host, Origin, WebSocket headers, line endings, truncation, byte flips),
 *    sent on a fresh TCP connection; complete requests must get a status (or a close), and only
 *    a request that carries the real token, Host and Origin may get the page or a 101;
 *  - a BATCH of 1–8 frames on an authenticated raw WebSocket: commands shaped by the contract and
 *    mutated, wrong shapes, invalid JSON, binary, fragmented, oversized and protocol-violating
 *    frames; every complete message before a violation gets exactly one reply, a violation closes
 *    only that socket.
 * After every input a good client (connected in setup) must still get its answer.
 *
 * The backend behind the server validates each request with the contract exactly as the real
 * dispatch does and answers, emitting an event per command; it runs no handler, because the real
 * ones would contact hosts named in generated requests (tests stay on 127.0.0.0/8) and grow the
 * store with every input.
 */
export const note = 'one input = one pre-auth connection, or a batch of 1-8 frames on an authenticated socket; each followed by a good-client round trip';

const MAX_MESSAGE_BYTES = 64 << 10;
const PAGE_BODY = '<!doctype html><p>fuzz</p>';

/** `mayOpenPage`/`mayOpenSocket`: what the request is entitled to, judged from how it was built. */
type HttpInput = { kind: 'http'; bytes: Buffer; complete: boolean; mayOpenPage: boolean; mayOpenSocket: boolean };
type FramesInput = { kind: 'frames'; frames: { bytes: Buffer; what: string; replies: number; violation?: boolean; stall?: boolean }[] };
type Input = HttpInput | FramesInput;

let renderer: { dir: string; cleanup(): void };
let server: BrowserServer;
let good: WebSocket;
let goodId = 0;
const goodWaiting = new Map<number, () => void>();
let fuzzClient: FuzzClient | undefined;

export const target: FuzzTarget = {
  name: 'ws-server',
  async setup() {
    renderer = tempDir('aetherv-fuzz-ws-');
    writeFileSync(path.join(renderer.dir, 'index.html'), PAGE_BODY);
    mkdirSync(path.join(renderer.dir, 'assets'));
    writeFileSync(path.join(renderer.dir, 'assets', 'app.js'), 'void 0;');
    server = await startBrowserServer({ backend: contractBackend(), rendererDir: renderer.dir, limits: { maxMessageBytes: MAX_MESSAGE_BYTES } });
    good = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { headers: { origin: `http://127.0.0.1:${server.port}` } });
    await new Promise((resolve, reject) => good.once('open', resolve).once('error', reject));
    good.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as { type: string; id?: number };
      if (message.type === 'result' && message.id !== undefined) goodWaiting.get(message.id)?.();
    });
  },
  async teardown() {
    fuzzClient?.close();
    good?.close();
    await server?.close();
    renderer?.cleanup();
  },
  generate: (rng) => (rng.chance(0.35) ? httpInput(rng) : framesInput(rng)),
  async run(input) {
    const given = input as Input;
    if (given.kind === 'http') await sendHttp(given);
    else await sendFrames(given);
    if (({} as { polluted?: unknown }).polluted !== undefined) throw new Error('a message polluted Object.prototype');
    await goodClientAnswers();
  },
  describe(input) {
    const given = input as Input;
    if (given.kind === 'http') return `http${given.complete ? '' : ' (cut)'}: ${JSON.stringify(given.bytes.subarray(0, 160).toString('latin1'))}`;
    return `frames: ${given.frames.map((f) => f.what).join(' | ')}`;
  },
};

/** The contract's validation as the backend's dispatch runs it, then an answer and one event. */
function contractBackend(): BackendConnection {
  const listeners = new Set<(event: StateEvent) => void>();
  let revision = 0;
  return {
    async invoke(command: string, request: unknown): Promise<Result<unknown>> {
      if (!isCommandName(command)) return { ok: false, error: { code: ErrorCode.UnknownCommand, message: `Unknown command "${command}".` } };
      const validate = compile(commands[command].request);
      if (!validate(request ?? {})) return { ok: false, error: { code: ErrorCode.ValidationFailed, message: 'invalid', details: { fields: toFieldErrors(validate.errors) } } };
      const event = { topic: 'notifications', revision: ++revision, kind: 'delta', payload: { upsert: [], remove: [] } } as unknown as StateEvent;
      for (const listener of listeners) listener(event);
      return { ok: true, data: { command } };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

async function goodClientAnswers(): Promise<void> {
  if (good.readyState !== WebSocket.OPEN) throw new Error('the good client was disconnected');
  const id = ++goodId;
  await new Promise<void>((resolve) => {
    goodWaiting.set(id, resolve);
    good.send(JSON.stringify({ id, command: 'app.info', request: {} }));
  });
  goodWaiting.delete(id);
}

// ---------------------------------------------------------------------------------------------
// Pre-auth: one HTTP request on a fresh connection
// ---------------------------------------------------------------------------------------------

function httpInput(rng: Rng): HttpInput {
  const port = server.port;
  const upgrade = rng.chance(0.6);
  const token = tokenVariant(rng);
  const pathPart = upgrade ? rng.pick(['/ws', '/ws', '/ws', '/', '/ws/', '/WS', '//ws', '/ws%00']) : rng.pick(['/', '/', '/index.html', '/assets/app.js', '/assets/%2e%2e/%2e%2e/x', '/%', '/\u00e9', '//x']);
  let target = rng.chance(0.9) ? `${pathPart}?token=${token}` : rng.pick(['*', '', 'ws', `http://127.0.0.1:${port}${pathPart}?token=${token}`, 'http://[/', '/?' + 'x'.repeat(rng.int(20_000))]);
  if (rng.chance(0.05)) target += `&token=${rng.pick(['x', server.token])}`;
  const method = rng.chance(0.9) ? 'GET' : rng.pick(['POST', 'HEAD', 'PUT', 'OPTIONS', 'CONNECT', 'get', 'G\u00e9T', '', 'TRACE']);
  const version = rng.chance(0.93) ? 'HTTP/1.1' : rng.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1', '', 'http/1.1']);

  const hostOk = `127.0.0.1:${port}`;
  const host = rng.chance(0.8) ? rng.pick([hostOk, hostOk, `localhost:${port}`]) : rng.pick([undefined, '', '[', 'a b', ':::', `127.0.0.1:${port + 1}`, 'evil.example', `${hostOk}@evil`, randomString(rng)]);
  const originOk = `http://127.0.0.1:${port}`;
  const origin = rng.chance(0.8) ? rng.pick([originOk, `http://localhost:${port}`]) : rng.pick([undefined, '', 'null', '[', 'http://evil.example', `${originOk}.evil`, randomString(rng)]);
  const headers: [string, string][] = [];
  if (host !== undefined) headers.push(['Host', host]);
  if (rng.chance(0.03) && host !== undefined) headers.push(['Host', rng.pick([hostOk, 'evil'])]);
  if (upgrade) {
    if (origin !== undefined) headers.push(['Origin', origin]);
    if (rng.chance(0.95)) headers.push(['Upgrade', rng.chance(0.95) ? 'websocket' : rng.pick(['h2c', 'WebSocket', ''])]);
    if (rng.chance(0.95)) headers.push(['Connection', rng.chance(0.9) ? 'Upgrade' : rng.pick(['keep-alive, Upgrade', 'close', ''])]);
    if (rng.chance(0.95)) headers.push(['Sec-WebSocket-Key', rng.chance(0.9) ? randomBytes(16).toString('base64') : rng.pick(['', 'short', '!!!!', 'A'.repeat(200)])]);
    if (rng.chance(0.95)) headers.push(['Sec-WebSocket-Version', rng.chance(0.9) ? '13' : rng.pick(['8', '', '13, 8', 'x'])]);
    if (rng.chance(0.05)) headers.push(['Sec-WebSocket-Extensions', rng.pick(['permessage-deflate', 'permessage-deflate; client_max_window_bits=99', 'x; y'])]);
  } else if (rng.chance(0.3)) headers.push(['Connection', rng.pick(['close', 'keep-alive'])]);
  let body = '';
  if (rng.chance(0.08)) {
    body = randomString(rng);
    headers.push(rng.chance(0.7) ? ['Content-Length', String(Buffer.byteLength(body))] : ['Transfer-Encoding', 'chunked']);
    if (headers.at(-1)![0] === 'Transfer-Encoding') body = `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  }
  for (let i = rng.chance(0.2) ? 1 + rng.int(4) : 0; i > 0; i--) headers.push([rng.pick(['X-A', 'x', 'Cookie', 'Content-Length', 'Transfer-Encoding', '', ' X', 'X\u00e9', 'X:Y']), rng.chance(0.05) ? 'v'.repeat(20_000) : randomString(rng, 20).replace(/[\r\n]/g, ' ')]);

  const eol = rng.chance(0.95) ? '\r\n' : rng.pick(['\n', '\r', '\r\r\n']);
  const text = `${method} ${target} ${version}`.trimEnd() + eol + headers.map(([k, v]) => `${k}: ${v}`).join(eol) + eol + eol + body;
  let bytes = Buffer.from(text, rng.chance(0.1) ? 'latin1' : 'utf8');
  let complete = eol === '\r\n' && !headers.some(([k]) => /content-length|transfer-encoding/i.test(k) && !body) && !/[^\x20-\x7e\t]/.test(method);
  if (rng.chance(0.15)) {
    // Byte flips and truncation: whatever is left, the server must not fall over.
    bytes = Buffer.from(bytes);
    for (let i = 1 + rng.int(4); i > 0; i--) bytes[rng.int(bytes.length)] = rng.int(256);
    complete = false;
  }
  if (rng.chance(0.1)) {
    bytes = bytes.subarray(0, rng.int(bytes.length));
    complete = false;
  }
  // Only the exact token with our Host may open the page; a socket also needs our Origin.
  const tokenOk = firstTokenIsReal(target);
  const hostAllowed = host !== undefined && [hostOk, `localhost:${port}`].includes(host);
  const pathOf = target.split('?')[0];
  const mayOpenPage = tokenOk && hostAllowed && (pathOf === '/' || pathOf === '/index.html');
  const mayOpenSocket = tokenOk && hostAllowed && pathOf === '/ws' && (origin === originOk || origin === `http://localhost:${port}`);
  return { kind: 'http', bytes, complete, mayOpenPage, mayOpenSocket };
}

function tokenVariant(rng: Rng): string {
  const real = server.token;
  switch (rng.int(10)) {
    case 0:
    case 1:
      return real;
    case 2:
      return [...real].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
    case 3: {
      const i = rng.int(real.length);
      return real.slice(0, i) + rng.pick(['A', '%C3%A9', '%FF', '%00', '']) + real.slice(i + 1);
    }
    case 4:
      return rng.pick(['', '%', '%ZZ', '%FF'.repeat(real.length), '%C3%A9'.repeat(real.length), real + real, real.slice(1), real.toUpperCase()]);
    case 5:
      return Array.from(rng.bytes(rng.int(80)), (b) => `%${b.toString(16).padStart(2, '0')}`).join(''); // any bytes, most not UTF-8
    case 6:
      return 'x'.repeat(rng.pick([1, 100, 8_000, 20_000]));
    default:
      return percentEncoded(randomString(rng));
  }
}

/** Whether the first `token` parameter of a request target is the real token (as sent, or %-encoded). */
function firstTokenIsReal(target: string): boolean {
  const query = target.slice(target.indexOf('?') + 1);
  if (!target.includes('?')) return false;
  const param = query.split('&').find((p) => p.startsWith('token='));
  if (param === undefined) return false;
  try {
    return decodeURIComponent(param.slice('token='.length)) === server.token;
  } catch {
    return false;
  }
}

/** Every byte of the UTF-8 form as %XX (encodeURIComponent throws on a lone surrogate; this cannot). */
function percentEncoded(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'), (b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

async function sendHttp(input: HttpInput): Promise<void> {
  const socket = connect({ host: '127.0.0.1', port: server.port, noDelay: true });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  if (!input.complete) {
    // Half a request, or bytes the server may wait on: send them and go. A reset leaves no
    // TIME_WAIT, so a million connections do not use up the loopback's ports.
    socket.write(input.bytes);
    socket.resetAndDestroy();
    return;
  }
  const reply = await new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) resolve(text); // the head is the verdict
    });
    socket.on('close', () => resolve(text));
    socket.write(input.bytes);
  });
  socket.resetAndDestroy();
  const status = statusOf(reply);
  if (status === undefined && reply !== '') throw new Error(`not an HTTP response: ${JSON.stringify(reply.slice(0, 80))}`);
  if (status === 101 && !input.mayOpenSocket) throw new Error('a socket was opened without the token, Host and Origin');
  if (status === 200 && /\r\ncontent-type: text\/html/i.test(reply) && !input.mayOpenPage) throw new Error('the page was served without the token and Host');
}

// ---------------------------------------------------------------------------------------------
// Post-auth: frames on an authenticated socket
// ---------------------------------------------------------------------------------------------

function framesInput(rng: Rng): FramesInput {
  const frames: FramesInput['frames'] = [];
  for (let i = 1 + rng.int(8); i > 0; i--) {
    const next = oneFrame(rng);
    frames.push(...next);
    if (next.some((f) => f.violation || f.stall)) break; // nothing after it is read
  }
  return { kind: 'frames', frames };
}

let nextMessageId = 0;

/** JSON text of a message; one holding nesting too deep for JSON.stringify's stack gets the same depth written out. */
function stringified(message: { id: number; command: string; request: unknown }): string {
  try {
    return JSON.stringify(message);
  } catch {
    return `{"id":${message.id},"command":${JSON.stringify(message.command)},"request":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
  }
}

function oneFrame(rng: Rng): FramesInput['frames'] {
  // A message over the size limit is a violation (the server closes with 1009), whatever it holds.
  const text = (value: string, what: string) => {
    const payload = Buffer.from(value);
    return [{ bytes: frame(Opcode.text, payload), what, replies: 1, ...(payload.length > MAX_MESSAGE_BYTES ? { replies: 0, violation: true } : {}) }];
  };
  const command = rng.pick(commandNames);
  const request = fromSchema(commands[command].request as unknown as Record<string, unknown>, rng);
  switch (rng.int(20)) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
      return text(JSON.stringify({ id: ++nextMessageId, command, request }), `${command}`);
    case 5:
    case 6:
    case 7:
    case 8:
      return text(stringified({ id: ++nextMessageId, command, request: mutate(request, rng) }), `${command} (mutated)`);
    case 9:
      return text(JSON.stringify(rng.pick([null, [], 5, 'x', {}, { id: '1', command }, { id: 1 }, { id: 1, command: 5 }, { command }, { id: ++nextMessageId, command: randomString(rng) }, randomJson(rng)])), 'wrong shape');
    case 10:
      return text(rng.pick(['{', '{"id":1,', 'undefined', '', '\u0000', '{"id":1}}', "{'id':1}", '['.repeat(rng.int(50_000)), '{"a":'.repeat(5_000) + '[1]' + '}'.repeat(5_000)]), 'not JSON');
    case 11:
      return [{ bytes: frame(Opcode.binary, rng.chance(0.5) ? Buffer.from(JSON.stringify({ id: 1, command })) : Buffer.from(rng.bytes(rng.int(200)))), what: 'binary', replies: 1 }];
    case 12: {
      const whole = Buffer.from(JSON.stringify({ id: ++nextMessageId, command, request }));
      const cut = rng.int(whole.length);
      const bytes = Buffer.concat([frame(Opcode.text, whole.subarray(0, cut), { fin: false }), rng.chance(0.5) ? frame(Opcode.ping, Buffer.from('p')) : Buffer.alloc(0), frame(Opcode.continuation, whole.subarray(cut))]);
      return [{ bytes, what: `${command} (fragmented)`, replies: 1 }];
    }
    case 13:
      return [{ bytes: frame(rng.pick([Opcode.ping, Opcode.pong]), Buffer.from(rng.bytes(rng.int(126)))), what: 'ping/pong', replies: 0 }];
    case 14:
      return [{ bytes: frame(Opcode.text, Buffer.alloc(MAX_MESSAGE_BYTES + 1 + rng.int(10_000), 0x20)), what: 'oversized', replies: 0, violation: true }];
    case 15:
      return [{ bytes: frame(Opcode.text, Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80, 0xff]).subarray(0, 1 + rng.int(6))), what: 'invalid UTF-8', replies: 0, violation: true }];
    case 16: {
      const violations: [Buffer, string][] = [
        [frame(rng.pick([3, 4, 5, 6, 7, 11, 12, 13, 14, 15]), Buffer.from('x')), 'reserved opcode'],
        [frame(Opcode.text, Buffer.from('{}'), { rsv: 1 + rng.int(7) }), 'reserved bits'],
        [frame(Opcode.text, Buffer.from('{}'), { masked: false }), 'unmasked'],
        [frame(Opcode.continuation, Buffer.from('x')), 'lone continuation'],
        [frame(Opcode.ping, Buffer.alloc(126 + rng.int(200))), 'long ping'],
        [frame(Opcode.ping, Buffer.from('x'), { fin: false }), 'fragmented ping'],
        [Buffer.concat([frame(Opcode.text, Buffer.from('{'), { fin: false }), frame(Opcode.text, Buffer.from('}'))]), 'text inside a fragmented message'],
        [frame(Opcode.close, Buffer.from([0x03])), 'close with one byte'],
        [frame(Opcode.close, Buffer.from([0x03, 0xe7])), 'close code 999'],
        [frame(Opcode.text, Buffer.alloc(10), { claimedLength: 2 ** 53 + rng.int(1000) }), 'length over 2^53'],
      ];
      const [bytes, what] = rng.pick(violations);
      return [{ bytes, what, replies: 0, violation: true }];
    }
    case 17:
      return [{ bytes: frame(Opcode.close, rng.chance(0.5) ? Buffer.from([0x03, 0xe8]) : Buffer.alloc(0)), what: 'close', replies: 0, violation: true }];
    case 18:
      // A frame that promises more bytes than it brings: the server waits; this socket is given up.
      return [{ bytes: frame(Opcode.text, Buffer.from('{"id":1'), { claimedLength: 100 + rng.int(1000) }), what: 'short frame', replies: 0, stall: true }];
    default:
      return text(`{"id":${++nextMessageId},"command":${JSON.stringify(command)},"request":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}},"__proto__":{"polluted":true}}`, `${command} (prototype keys)`);
  }
}

/** The authenticated raw socket the frames go to; opened again whenever the server closed it. */
class FuzzClient {
  private replies = 0;
  private closed = false;
  private wake: (() => void) | undefined;
  private readonly reader = new ServerFrameReader();

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const { opcode, payload } of this.reader.push(chunk)) {
        if (opcode !== Opcode.text) continue;
        const type = (JSON.parse(payload.toString('utf8')) as { type: string }).type;
        if (type === 'result' || type === 'error') this.replies++;
      }
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => undefined);
    socket.resume();
  }

  static async open(): Promise<FuzzClient> {
    return new FuzzClient(await rawWebSocket(server.port, server.token));
  }

  get isOpen(): boolean {
    return !this.closed && !this.socket.destroyed;
  }

  /** Sends the frames and waits for what they must cause: `replies` answers, or the close a violation brings. */
  async send(bytes: Buffer, replies: number, expectClose: boolean): Promise<void> {
    const target = this.replies + replies;
    this.socket.write(bytes);
    while (expectClose ? !this.closed : this.replies < target) {
      if (this.closed && !expectClose) throw new Error(`the server closed a socket that broke no rule (${target - this.replies} replies missing)`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (!expectClose && this.replies > target) throw new Error(`${this.replies - target} replies more than messages sent`);
  }

  close(): void {
    this.socket.resetAndDestroy();
  }
}

async function sendFrames(input: FramesInput): Promise<void> {
  if (!fuzzClient?.isOpen) fuzzClient = await FuzzClient.open();
  const bytes = Buffer.concat(input.frames.map((f) => f.bytes));
  const replies = input.frames.reduce((n, f) => n + f.replies, 0);
  if (input.frames.some((f) => f.stall)) {
    fuzzClient.socket.write(bytes);
    fuzzClient.close();
    return;
  }
  const violation = input.frames.some((f) => f.violation);
  // A violation closes the socket: replies to the messages before it may or may not have gone out.
  await fuzzClient.send(bytes, violation ? 0 : replies, violation);
}
