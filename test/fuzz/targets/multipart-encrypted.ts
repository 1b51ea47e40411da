/**
 * The multipart/encrypted body parser with real sealing keys: bodies sealed by the server-role
 * session of a real NTLM handshake (NtlmClient ↔ NtlmServer), unframed and unsealed by a fresh
 * client-role session, and the same bodies framed as an HTTP response (Content-Length, chunked
 * or until close) fed to our HTTP/1.1 parser in pieces. Mutations change the Length= header, the
 * signature length, the boundaries and random bytes; random bodies and content types too. A
 * refusal is a WinrmError; an unmutated body must unseal to exactly its plaintext.
 */
import { WinrmError } from '../../../src/main/winrm/errors';
import { ResponseParser } from '../../../src/main/winrm/http/http1';
import { ENCRYPTED_CONTENT_TYPE, decodeEncryptedBody, isEncryptedContentType, sealToBody, unsealFromBody } from '../../../src/main/winrm/http/multipart';
import { NtlmClient, NtlmServer, NtlmSessionSecurity } from '../../../src/main/winrm/ntlm';
import type { FuzzTarget, Rng } from '../fuzz-target';
import { cutPoints, mutateBytes, preview, randomBytes, randomMarkup } from '../winrm-inputs';

interface MultipartInput {
  body: Buffer;
  /** Set when the body is an unmutated sealed message: unsealing must give exactly this. */
  plaintext?: Buffer;
  contentType: string;
  framing: 'length' | 'chunked' | 'close';
  cuts: number[];
}

/** A response body cap small enough that large generated bodies exercise it. */
const TEST_BODY_CAP = 64 * 1024;

let keys: { exportedSessionKey: Buffer; flags: number } | undefined;

function sessions(): { sealer: NtlmSessionSecurity; unsealer: NtlmSessionSecurity } {
  if (keys === undefined) throw new Error('setup() not run');
  return {
    sealer: new NtlmSessionSecurity({ ...keys, role: 'server' }),
    unsealer: new NtlmSessionSecurity({ ...keys, role: 'client' }),
  };
}

function plaintext(rng: Rng): Buffer {
  const size = rng.pick([0, 1, 15, 16, 17, 200, 4096, 30_000, 70_000]);
  if (rng.chance(0.5)) return Buffer.from(rng.bytes(size));
  return Buffer.from(`<s:Envelope>${randomMarkup(rng, Math.min(size, 2000))}</s:Envelope>`, 'utf8');
}

/** Targeted header edits the generic byte mutations rarely hit. */
function mutateFrame(rng: Rng, body: Buffer): Buffer {
  const text = body.toString('latin1');
  switch (rng.int(5)) {
    case 0:
      return Buffer.from(text.replace(/Length=\d+/, `Length=${rng.pick(['0', '-1', '99999999999', '4294967296', String(rng.int(body.length * 2)), ''])}`), 'latin1');
    case 1: {
      const at = text.indexOf('octet-stream\r\n') + 14;
      const copy = Buffer.from(body);
      if (at >= 14 && at + 4 <= copy.length) copy.writeUInt32LE(rng.pick([0, 15, 17, 1024, 1025, 0xffffffff]), at);
      return copy;
    }
    case 2:
      return Buffer.from(text.replace('--Encrypted Boundary\r\n', rng.pick(['-- Encrypted Boundary\r\n', '--Encrypted Boundary', '', '--Encrypted Boundary--\r\n'])), 'latin1');
    case 3:
      return Buffer.from(text.replace(/--Encrypted Boundary--\r\n$/, rng.pick(['', '--Encrypted Boundary--', '--Encrypted Boundary-', 'x'])), 'latin1');
    default:
      return mutateBytes(rng, body);
  }
}

function frame(input: MultipartInput): Buffer {
  const head = `HTTP/1.1 200 OK\r\nContent-Type: ${input.contentType}\r\n`;
  switch (input.framing) {
    case 'length':
      return Buffer.concat([Buffer.from(`${head}Content-Length: ${input.body.length}\r\n\r\n`, 'latin1'), input.body]);
    case 'chunked': {
      const parts: Buffer[] = [Buffer.from(`${head}Transfer-Encoding: chunked\r\n\r\n`, 'latin1')];
      for (let at = 0; at < input.body.length; at += 8192) {
        const piece = input.body.subarray(at, at + 8192);
        parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`, 'latin1'), piece, Buffer.from('\r\n'));
      }
      parts.push(Buffer.from('0\r\n\r\n'));
      return Buffer.concat(parts);
    }
    case 'close':
      return Buffer.concat([Buffer.from(`${head}Connection: close\r\n\r\n`, 'latin1'), input.body]);
  }
}

function refusal(error: unknown): void {
  if (!(error instanceof WinrmError)) throw error;
}

export const target: FuzzTarget = {
  name: 'multipart-encrypted',
  setup() {
    // A real handshake; its exported session key and flags seed every input's sessions.
    const client = new NtlmClient({ username: 'Administrator', password: 'P@ssw0rd!', host: 'fuzz:5985' });
    const server = new NtlmServer({ credentials: { username: 'administrator', password: 'P@ssw0rd!' } });
    const { message } = client.authenticate(server.challenge(client.negotiate()));
    const result = server.accept(message);
    if (!result.ok) throw new Error(`handshake failed: ${result.reason}`);
    keys = { exportedSessionKey: result.exportedSessionKey, flags: result.session.flags };
  },
  generate(rng: Rng): MultipartInput {
    // A header value cannot hold CR or LF (the frame would change): those are removed.
    const contentType = rng.chance(0.9)
      ? ENCRYPTED_CONTENT_TYPE
      : rng.pick(['multipart/encrypted', 'application/soap+xml', randomMarkup(rng, 6), `multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted"${'x'.repeat(rng.int(500))}`]).replace(/[\r\n]/g, '');
    const framing = rng.pick(['length', 'chunked', 'close'] as const);
    const shape = rng.int(10);
    let body: Buffer;
    let clear: Buffer | undefined;
    if (shape < 9) {
      const text = plaintext(rng);
      const sealed = sealToBody(sessions().sealer, text);
      if (shape < 3) {
        body = sealed;
        clear = text;
      } else {
        body = mutateFrame(rng, sealed);
      }
    } else {
      body = randomBytes(rng, 600);
    }
    const input: MultipartInput = { body, contentType, framing, cuts: [] };
    if (clear !== undefined) input.plaintext = clear;
    input.cuts = cutPoints(rng, frame(input).length);
    return input;
  },
  run(value: unknown): void {
    const input = value as MultipartInput;
    isEncryptedContentType(input.contentType);
    try {
      decodeEncryptedBody(input.body);
    } catch (error) {
      refusal(error);
    }
    try {
      const out = unsealFromBody(sessions().unsealer, input.body);
      if (input.plaintext !== undefined && !out.equals(input.plaintext)) throw new Error('unsealed plaintext differs from what was sealed');
    } catch (error) {
      if (input.plaintext !== undefined) throw new Error(`a valid sealed body was refused: ${String(error)}`);
      refusal(error);
    }

    // The same body as an HTTP response, read in pieces under a small cap.
    const raw = frame(input);
    const parser = new ResponseParser('fuzz:5985', TEST_BODY_CAP);
    let last = 0;
    try {
      let res;
      for (const cut of [...input.cuts, raw.length]) {
        res ??= parser.push(raw.subarray(last, cut));
        last = cut;
      }
      res ??= parser.end();
      if (input.body.length <= TEST_BODY_CAP && !res.body.equals(input.body)) throw new Error('HTTP parser changed the body');
    } catch (error) {
      if (input.body.length <= TEST_BODY_CAP) throw error instanceof WinrmError ? new Error(`HTTP parser refused a well-framed body: ${error.message}`) : error;
      refusal(error);
    }
  },
  describe(value: unknown): string {
    const input = value as MultipartInput;
    return `${input.framing}${input.plaintext ? ' (valid)' : ''}, cuts ${input.cuts.join(',')}; ${preview(input.body, 120)}`;
  },
};

export default target;
