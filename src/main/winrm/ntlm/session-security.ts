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
    };
    const server: Direction = {
      signingKey: new HmacMd5Key(keys.serverSigningKey),
      rc4: new Rc4(keys.serverSealingKey),
      seq: 0,
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
    const sealed = this.out.rc4.update(plaintext);
    const signature = this.makeSignature(this.out, plaintext);
    return { sealed, signature };
  }

  /** Signs without encrypting (integrity only). */
  sign(message: Uint8Array): Buffer {
    return this.makeSignature(this.out, message);
  }

  /** Decrypts and verifies; throws ProtocolError if the signature or sequence number is wrong. */
  unseal(sealed: Uint8Array, signature: Uint8Array): Buffer {
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
    signature.writeUInt32LE(dir.seq >>> 0, 12);
    let checksum = dir.signingKey.digest(signature.subarray(12), message).subarray(0, 8);
    if (this.flags & Flags.KEY_EXCH) checksum = dir.rc4.update(checksum);
    signature.set(checksum, 4);
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
