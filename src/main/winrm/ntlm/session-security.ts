/**
 * NTLM session security with extended session security (MS-NLMP §3.4.4.2, §3.4.3): RC4 sealing and
 * HMAC-MD5 signatures. One RC4 stream and one sequence number per direction for the life of the
 * context — a client seals with the client-to-server keys and unseals with the server-to-client
 * keys; a server (the lab simulator) does the reverse.
 */
import { timingSafeEqual } from 'node:crypto';
import { ProtocolError } from '../errors';
import { Flags } from './constants';
import { deriveSessionKeys, HmacMd5Key } from './crypto';
import { Rc4 } from './rc4';

export type NtlmRole = 'client' | 'server';

export interface SealedMessage {
  sealed: Buffer;
  /** 16 bytes: version 1, 8-byte checksum, 4-byte sequence number. */
  signature: Buffer;
}

interface Direction {
  signingKey: HmacMd5Key;
  rc4: Rc4;
  seq: number;
  /** The sequence number as 4 LE bytes, reused for every signature (digest is synchronous). */
  seqBytes: Buffer;
}

export class NtlmSessionSecurity {
  readonly role: NtlmRole;
  readonly flags: number;
  private readonly out: Direction;
  private readonly in: Direction;

  constructor(options: { exportedSessionKey: Buffer; flags: number; role: NtlmRole }) {
    this.role = options.role;
    this.flags = options.flags >>> 0;
    if (!(this.flags & Flags.EXTENDED_SESSIONSECURITY)) {
      // NTLMv1-style signing is not something a WinRM host negotiates with an NTLMv2 client.
      throw new ProtocolError('NTLM peer did not negotiate extended session security');
    }
    const keys = deriveSessionKeys(options.exportedSessionKey, this.flags);
    const client: Direction = {
      signingKey: new HmacMd5Key(keys.clientSigningKey),
      rc4: new Rc4(keys.clientSealingKey),
      seq: 0,
      seqBytes: Buffer.alloc(4),
    };
    const server: Direction = {
      signingKey: new HmacMd5Key(keys.serverSigningKey),
      rc4: new Rc4(keys.serverSealingKey),
      seq: 0,
      seqBytes: Buffer.alloc(4),
    };
    this.out = options.role === 'client' ? client : server;
    this.in = options.role === 'client' ? server : client;
  }

  /** Sequence number the next outgoing message will carry. */
  get outgoingSequence(): number {
    return this.out.seq;
  }

  /** Encrypts then signs, in that order: both use the same RC4 stream (research §2.3.8). */
  seal(plaintext: Uint8Array): SealedMessage {
    const sealed = Buffer.allocUnsafe(plaintext.length);
    const signature = this.sealInto(plaintext, sealed);
    return { sealed, signature };
  }

  /**
   * seal() writing the ciphertext into `sealed` (e.g. its place in the multipart frame) instead of
   * a new buffer; returns the signature. `sealed` must not overlap `plaintext`: the signature is
   * computed over the plaintext after encryption.
   */
  sealInto(plaintext: Uint8Array, sealed: Uint8Array): Buffer {
    this.out.rc4.process(plaintext, sealed);
    return this.makeSignature(this.out, plaintext);
  }

  /** Signs without encrypting (integrity only). */
  sign(message: Uint8Array): Buffer {
    return this.makeSignature(this.out, message);
  }

  /** Decrypts and verifies; throws ProtocolError if the signature or sequence number is wrong. */
  unseal(sealed: Uint8Array, signature: Uint8Array): Buffer {
    // update() reads `sealed` (which may be a view into the received body) into a new buffer.
    const plaintext = this.in.rc4.update(sealed);
    this.checkSignature(plaintext, signature);
    return plaintext;
  }

  verify(message: Uint8Array, signature: Uint8Array): void {
    this.checkSignature(message, signature);
  }

  private makeSignature(dir: Direction, message: Uint8Array): Buffer {
    // Signature: version 1 (LE), 8-byte checksum, 4-byte sequence number.
    const signature = Buffer.alloc(16);
    signature[0] = 1;
    dir.seqBytes.writeUInt32LE(dir.seq >>> 0, 0);
    const digest = dir.signingKey.digest(dir.seqBytes, message);
    // The checksum is the first 8 bytes of the HMAC, RC4-encrypted in place with key exchange.
    if (this.flags & Flags.KEY_EXCH) dir.rc4.process(digest, digest, 8);
    for (let k = 0; k < 8; k++) signature[4 + k] = digest[k];
    for (let k = 0; k < 4; k++) signature[12 + k] = dir.seqBytes[k];
    dir.seq = (dir.seq + 1) >>> 0;
    return signature;
  }

  private checkSignature(message: Uint8Array, signature: Uint8Array): void {
    if (signature.length !== 16) {
      throw new ProtocolError(`NTLM signature must be 16 bytes, got ${signature.length}`);
    }
    const expected = this.makeSignature(this.in, message);
    if (!timingSafeEqual(expected, Buffer.from(signature))) {
      const sig = Buffer.from(signature);
      const seqMismatch = !expected.subarray(12).equals(sig.subarray(12));
      throw new ProtocolError(
        seqMismatch
          ? `NTLM sequence number mismatch (expected ${expected.readUInt32LE(12)}, got ${sig.readUInt32LE(12)}) — the security context is out of sync`
          : 'NTLM message signature does not verify — the message was altered or the security context is out of sync',
      );
    }
  }
}
