/**
 * NTLMv2 key derivation (MS-NLMP §3.3.2, §3.4.5). Every function here is pure so that the
 * published vectors (test/fixtures/winrm-fixtures/ntlm-session-security-vectors.json) can check
 * each intermediate value on its own.
 */
import { createHash, type Hash } from 'node:crypto';
import { md4 } from './md4';
import { rc4 } from './rc4';

/**
 * HMAC-MD5 (RFC 2104) built on createHash: createHmac imports its key as a KeyObject on every
 * call, which profiling showed to cost more than the hashing itself (several HMACs per handshake).
 */
export function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const { ipad, opad } = hmacPads(key);
  const inner = createHash('md5').update(ipad);
  for (const p of parts) inner.update(p);
  return createHash('md5').update(opad).update(inner.digest()).digest();
}

/** The key padded to MD5's 64-byte block and XORed with the inner and outer constants. */
function hmacPads(key: Uint8Array): { ipad: Buffer; opad: Buffer } {
  const block = Buffer.alloc(64);
  block.set(key.length > 64 ? md5(key) : key);
  const ipad = Buffer.allocUnsafe(64);
  const opad = Buffer.allocUnsafe(64);
  for (let i = 0; i < 64; i++) {
    ipad[i] = block[i] ^ 0x36;
    opad[i] = block[i] ^ 0x5c;
  }
  return { ipad, opad };
}

/**
 * HMAC-MD5 under one fixed key, for the per-message signatures of a security context: the padded
 * key blocks are hashed once and the MD5 states copied per message.
 */
export class HmacMd5Key {
  private readonly inner: Hash;
  private readonly outer: Hash;

  constructor(key: Uint8Array) {
    const { ipad, opad } = hmacPads(key);
    this.inner = createHash('md5').update(ipad);
    this.outer = createHash('md5').update(opad);
  }

  digest(...parts: Uint8Array[]): Buffer {
    const inner = this.inner.copy();
    for (const p of parts) inner.update(p);
    return this.outer.copy().update(inner.digest()).digest();
  }
}

export function md5(...parts: Uint8Array[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

export function utf16le(text: string): Buffer {
  return Buffer.from(text, 'utf16le');
}

/** NT hash: MD4 of the UTF-16LE password. */
export function ntHash(password: string): Buffer {
  return md4(utf16le(password));
}

/**
 * NTOWFv2: HMAC-MD5 keyed by the NT hash over UPPER(user) + domain. The domain keeps its case
 * (MS-NLMP §3.3.2); both ends of our own client/server use this same rule.
 */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  return hmacMd5(ntHash(password), utf16le(user.toUpperCase() + domain));
}

/** The NTLMv2 client blob ("temp"): header, timestamp, client challenge, AV pairs. */
export function ntlmv2ClientBlob(
  timestamp: Uint8Array,
  clientChallenge: Uint8Array,
  avPairs: Uint8Array,
): Buffer {
  return Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
    timestamp,
    clientChallenge,
    Buffer.alloc(4),
    avPairs,
    Buffer.alloc(4),
  ]);
}

export interface Ntlmv2Response {
  ntProofStr: Buffer;
  ntChallengeResponse: Buffer;
  sessionBaseKey: Buffer;
}

export function computeNtlmv2Response(
  responseKeyNt: Uint8Array,
  serverChallenge: Uint8Array,
  clientBlob: Uint8Array,
): Ntlmv2Response {
  const ntProofStr = hmacMd5(responseKeyNt, serverChallenge, clientBlob);
  return {
    ntProofStr,
    ntChallengeResponse: Buffer.concat([ntProofStr, clientBlob]),
    // For NTLMv2 the key-exchange key equals the session base key (MS-NLMP §3.4.5.1).
    sessionBaseKey: hmacMd5(responseKeyNt, ntProofStr),
  };
}

export function lmv2Response(
  responseKeyNt: Uint8Array,
  serverChallenge: Uint8Array,
  clientChallenge: Uint8Array,
): Buffer {
  return Buffer.concat([hmacMd5(responseKeyNt, serverChallenge, clientChallenge), clientChallenge]);
}

/** RC4 with the key-exchange key; the same call encrypts (client) and decrypts (server). */
export function exchangeSessionKey(keyExchangeKey: Uint8Array, sessionKey: Uint8Array): Buffer {
  return rc4(keyExchangeKey, sessionKey);
}

const MAGIC = {
  clientSign: 'session key to client-to-server signing key magic constant\0',
  serverSign: 'session key to server-to-client signing key magic constant\0',
  clientSeal: 'session key to client-to-server sealing key magic constant\0',
  serverSeal: 'session key to server-to-client sealing key magic constant\0',
} as const;

export interface SessionKeys {
  clientSigningKey: Buffer;
  serverSigningKey: Buffer;
  clientSealingKey: Buffer;
  serverSealingKey: Buffer;
}

/** SIGNKEY/SEALKEY for extended session security (MS-NLMP §3.4.5.2–3.4.5.3). */
export function deriveSessionKeys(exportedSessionKey: Uint8Array, flags: number): SessionKeys {
  const NEGOTIATE_128 = 0x20000000;
  const NEGOTIATE_56 = 0x80000000;
  // Weaker seal keys exist only for servers that refuse 128-bit; we still implement the rule.
  const sealBase =
    flags & NEGOTIATE_128
      ? exportedSessionKey
      : flags & NEGOTIATE_56
        ? exportedSessionKey.subarray(0, 7)
        : exportedSessionKey.subarray(0, 5);
  const latin = (s: string): Buffer => Buffer.from(s, 'latin1');
  return {
    clientSigningKey: md5(exportedSessionKey, latin(MAGIC.clientSign)),
    serverSigningKey: md5(exportedSessionKey, latin(MAGIC.serverSign)),
    clientSealingKey: md5(sealBase, latin(MAGIC.clientSeal)),
    serverSealingKey: md5(sealBase, latin(MAGIC.serverSeal)),
  };
}

/** Current time as a Windows FILETIME (100 ns ticks since 1601-01-01), little-endian. */
export function fileTimeNow(nowMs: number = Date.now()): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE((BigInt(nowMs) + 11644473600000n) * 10000n);
  return out;
}
