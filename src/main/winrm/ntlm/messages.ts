/**
 * NTLM message encoding and parsing (MS-NLMP §2.2.1). Both directions are here because our
 * Hyper-V lab simulator is an NTLM server. Parsers validate every offset and throw ProtocolError,
 * since the bytes come from the network.
 */
import { ProtocolError } from '../errors';
import { AvId, Flags, MessageType, NTLMSSP_SIGNATURE } from './constants';

export interface AvPair {
  id: number;
  value: Buffer;
}

export interface NegotiateMessage {
  flags: number;
  raw: Buffer;
}

export interface ChallengeMessage {
  flags: number;
  serverChallenge: Buffer;
  targetName: string;
  /** Raw TargetInfo bytes exactly as received (including MsvAvEOL). */
  targetInfo: Buffer;
  avPairs: AvPair[];
  /** MsvAvTimestamp (8-byte FILETIME) when the server sent one. */
  timestamp?: Buffer;
  raw: Buffer;
}

export interface AuthenticateMessage {
  flags: number;
  lmChallengeResponse: Buffer;
  ntChallengeResponse: Buffer;
  domain: string;
  user: string;
  workstation: string;
  encryptedRandomSessionKey: Buffer;
  /** MIC bytes (offset 72), present when the message has a VERSION and room for it. */
  mic?: Buffer;
  /** Offset of the MIC within `raw`, to zero it when recomputing. */
  micOffset?: number;
  raw: Buffer;
}

// ---- AV pairs ----

export function encodeAvPairs(pairs: readonly AvPair[]): Buffer {
  const parts: Buffer[] = [];
  for (const p of pairs) {
    if (p.id === AvId.EOL) continue;
    const head = Buffer.alloc(4);
    head.writeUInt16LE(p.id, 0);
    head.writeUInt16LE(p.value.length, 2);
    parts.push(head, p.value);
  }
  parts.push(Buffer.alloc(4)); // MsvAvEOL
  return Buffer.concat(parts);
}

export function decodeAvPairs(buf: Buffer): AvPair[] {
  const pairs: AvPair[] = [];
  let off = 0;
  while (off + 4 <= buf.length) {
    const id = buf.readUInt16LE(off);
    const len = buf.readUInt16LE(off + 2);
    off += 4;
    if (id === AvId.EOL) return pairs;
    if (off + len > buf.length) throw new ProtocolError('NTLM target info: AV pair runs past the end');
    pairs.push({ id, value: Buffer.from(buf.subarray(off, off + len)) });
    off += len;
  }
  throw new ProtocolError('NTLM target info: missing MsvAvEOL terminator');
}

// ---- field helpers ----

function writeField(header: Buffer, at: number, value: Buffer, offset: number): void {
  header.writeUInt16LE(value.length, at);
  header.writeUInt16LE(value.length, at + 2);
  header.writeUInt32LE(offset, at + 4);
}

function readField(buf: Buffer, at: number, what: string): Buffer {
  if (at + 8 > buf.length) throw new ProtocolError(`NTLM message too short for ${what}`);
  const len = buf.readUInt16LE(at);
  const offset = buf.readUInt32LE(at + 4);
  if (len === 0) return Buffer.alloc(0);
  if (offset + len > buf.length) throw new ProtocolError(`NTLM ${what} field points past the message end`);
  return Buffer.from(buf.subarray(offset, offset + len));
}

function checkHeader(buf: Buffer, type: number, minLength: number): void {
  if (buf.length < minLength)
    throw new ProtocolError(`NTLM message type ${type} too short (${buf.length} bytes)`);
  if (!buf.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) throw new ProtocolError('not an NTLMSSP message');
  const actual = buf.readUInt32LE(8);
  if (actual !== type) throw new ProtocolError(`expected NTLM message type ${type}, got ${actual}`);
}

/** Concatenates payload fields after a fixed header, filling in their offsets. */
function layout(header: Buffer, fields: Array<[number, Buffer]>): Buffer {
  let offset = header.length;
  for (const [at, value] of fields) {
    writeField(header, at, value, offset);
    offset += value.length;
  }
  return Buffer.concat([header, ...fields.map(([, v]) => v)]);
}

function decodeText(buf: Buffer, flags: number): string {
  return flags & Flags.UNICODE ? buf.toString('utf16le') : buf.toString('latin1');
}

// ---- NEGOTIATE (type 1) ----

export function encodeNegotiate(flags: number, version: Buffer): Buffer {
  const msg = Buffer.alloc(40);
  NTLMSSP_SIGNATURE.copy(msg, 0);
  msg.writeUInt32LE(MessageType.Negotiate, 8);
  msg.writeUInt32LE(flags >>> 0, 12);
  // Domain and workstation fields stay empty (offset = end of header), as Windows clients send.
  writeField(msg, 16, Buffer.alloc(0), 40);
  writeField(msg, 24, Buffer.alloc(0), 40);
  version.copy(msg, 32);
  return msg;
}

export function parseNegotiate(raw: Buffer): NegotiateMessage {
  checkHeader(raw, MessageType.Negotiate, 16);
  return { flags: raw.readUInt32LE(12), raw: Buffer.from(raw) };
}

// ---- CHALLENGE (type 2) ----

export function encodeChallenge(input: {
  flags: number;
  serverChallenge: Buffer;
  targetName: string;
  targetInfo: Buffer;
  version: Buffer;
}): Buffer {
  const header = Buffer.alloc(56);
  NTLMSSP_SIGNATURE.copy(header, 0);
  header.writeUInt32LE(MessageType.Challenge, 8);
  header.writeUInt32LE(input.flags >>> 0, 20);
  input.serverChallenge.copy(header, 24);
  input.version.copy(header, 48);
  return layout(header, [
    [12, Buffer.from(input.targetName, 'utf16le')],
    [40, input.targetInfo],
  ]);
}

export function parseChallenge(raw: Buffer): ChallengeMessage {
  checkHeader(raw, MessageType.Challenge, 32);
  const flags = raw.readUInt32LE(20);
  const serverChallenge = Buffer.from(raw.subarray(24, 32));
  const targetName = decodeText(readField(raw, 12, 'target name'), flags);
  // Old servers omit the TargetInfo fields entirely (header ends at 32 or 48 bytes).
  const targetInfo = raw.length >= 48 ? readField(raw, 40, 'target info') : Buffer.alloc(0);
  const avPairs = targetInfo.length > 0 ? decodeAvPairs(targetInfo) : [];
  const ts = avPairs.find((p) => p.id === AvId.Timestamp);
  if (ts !== undefined && ts.value.length !== 8)
    throw new ProtocolError('NTLM MsvAvTimestamp must be 8 bytes');
  const msg: ChallengeMessage = {
    flags,
    serverChallenge,
    targetName,
    targetInfo,
    avPairs,
    raw: Buffer.from(raw),
  };
  if (ts !== undefined) msg.timestamp = ts.value;
  return msg;
}

// ---- AUTHENTICATE (type 3) ----

export const AUTHENTICATE_MIC_OFFSET = 72;
const AUTHENTICATE_HEADER_LENGTH = 88;

export function encodeAuthenticate(input: Omit<AuthenticateMessage, 'mic' | 'micOffset' | 'raw'> & { version: Buffer }): Buffer {
  const header = Buffer.alloc(AUTHENTICATE_HEADER_LENGTH);
  NTLMSSP_SIGNATURE.copy(header, 0);
  header.writeUInt32LE(MessageType.Authenticate, 8);
  header.writeUInt32LE(input.flags >>> 0, 60);
  input.version.copy(header, 64);
  // MIC (72..88) stays zero here; the caller computes it over the whole message and patches it.
  return layout(header, [
    [28, Buffer.from(input.domain, 'utf16le')],
    [36, Buffer.from(input.user, 'utf16le')],
    [44, Buffer.from(input.workstation, 'utf16le')],
    [12, input.lmChallengeResponse],
    [20, input.ntChallengeResponse],
    [52, input.encryptedRandomSessionKey],
  ]);
}

export function parseAuthenticate(raw: Buffer): AuthenticateMessage {
  checkHeader(raw, MessageType.Authenticate, 64);
  const flags = raw.readUInt32LE(60);
  const msg: AuthenticateMessage = {
    flags,
    lmChallengeResponse: readField(raw, 12, 'LM response'),
    ntChallengeResponse: readField(raw, 20, 'NT response'),
    domain: decodeText(readField(raw, 28, 'domain'), flags),
    user: decodeText(readField(raw, 36, 'user name'), flags),
    workstation: decodeText(readField(raw, 44, 'workstation'), flags),
    encryptedRandomSessionKey: readField(raw, 52, 'session key'),
    raw: Buffer.from(raw),
  };
  // The MIC exists only if the payload starts after it (every field offset >= 88).
  const payloadStart = Math.min(
    ...[12, 20, 28, 36, 44, 52]
      .filter((at) => raw.readUInt16LE(at) > 0)
      .map((at) => raw.readUInt32LE(at + 4)),
    raw.length,
  );
  if (payloadStart >= AUTHENTICATE_HEADER_LENGTH && raw.length >= AUTHENTICATE_HEADER_LENGTH) {
    msg.mic = Buffer.from(raw.subarray(AUTHENTICATE_MIC_OFFSET, AUTHENTICATE_HEADER_LENGTH));
    msg.micOffset = AUTHENTICATE_MIC_OFFSET;
  }
  return msg;
}
