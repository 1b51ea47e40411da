import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import {
  decodeEncryptedBody,
  encodeEncryptedBody,
  isEncryptedContentType,
  sealToBody,
  unsealFromBody,
  ENCRYPTED_CONTENT_TYPE,
} from '../../../src/main/winrm/http/multipart';
import { ProtocolError } from '../../../src/main/winrm/errors';
import { CLIENT_NEGOTIATE_FLAGS } from '../../../src/main/winrm/ntlm/constants';
import { NtlmSessionSecurity } from '../../../src/main/winrm/ntlm/session-security';

/** Two clients and a server on one session key: twin clients produce the same key stream. */
function sessions(): { a: NtlmSessionSecurity; b: NtlmSessionSecurity; server: NtlmSessionSecurity } {
  const exportedSessionKey = randomBytes(16);
  const make = (role: 'client' | 'server'): NtlmSessionSecurity =>
    new NtlmSessionSecurity({ exportedSessionKey, flags: CLIENT_NEGOTIATE_FLAGS, role });
  return { a: make('client'), b: make('client'), server: make('server') };
}

function valid(sealed: Buffer, signature = Buffer.alloc(16, 7)): Buffer {
  return encodeEncryptedBody({ signature, sealed, length: sealed.length });
}

/** Runs the decoder; anything other than success or ProtocolError fails the property. */
function decodeOrProtocolError(body: Buffer): void {
  try {
    decodeEncryptedBody(body);
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
  }
}

describe('multipart/encrypted framing', () => {
  it('round-trips arbitrary payloads', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 4096 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (p, s) => {
          const d = decodeEncryptedBody(valid(Buffer.from(p), Buffer.from(s)));
          expect(d.sealed.equals(Buffer.from(p))).toBe(true);
          expect(d.signature.equals(Buffer.from(s))).toBe(true);
          expect(d.length).toBe(p.length);
          expect(d.originalType).toBe('application/soap+xml;charset=UTF-8');
        },
      ),
    );
  });

  it('payload containing the boundary text is still framed by Length', () => {
    const tricky = Buffer.from('--Encrypted Boundary--\r\n--Encrypted Boundary\r\nxyz');
    expect(decodeEncryptedBody(valid(tricky)).sealed.equals(tricky)).toBe(true);
  });

  it('accepts header lines without the leading TAB (Ruby WinRM) and "-- Encrypted Boundary"', () => {
    const sealed = Buffer.from('abc');
    const body = Buffer.concat([
      Buffer.from(
        '-- Encrypted Boundary\r\nContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n' +
          'OriginalContent: type=application/soap+xml;charset=UTF-8;Length=3\r\n' +
          '--Encrypted Boundary\r\nContent-Type: application/octet-stream\r\n',
      ),
      Buffer.from([16, 0, 0, 0]),
      Buffer.alloc(16, 1),
      sealed,
      Buffer.from('--Encrypted Boundary--\r\n'),
    ]);
    expect(decodeEncryptedBody(body).sealed.toString()).toBe('abc');
  });

  it('rejects a Length larger than the body', () => {
    const body = Buffer.from(
      valid(Buffer.from('hello')).toString('latin1').replace('Length=5', 'Length=500'),
      'latin1',
    );
    expect(() => decodeEncryptedBody(body)).toThrow(/exceeds/);
  });

  it('rejects Kerberos-sealed bodies with a clear message', () => {
    const body = Buffer.from(
      valid(Buffer.from('x')).toString('latin1').replace('HTTP-SPNEGO-session', 'HTTP-Kerberos-session'),
      'latin1',
    );
    expect(() => decodeEncryptedBody(body)).toThrow(/unsupported protocol/);
  });

  it('recognises the content type', () => {
    expect(isEncryptedContentType(ENCRYPTED_CONTENT_TYPE)).toBe(true);
    expect(isEncryptedContentType('application/soap+xml;charset=UTF-8')).toBe(false);
    expect(isEncryptedContentType(undefined)).toBe(false);
  });

  it('fuzz: arbitrary bytes only ever raise ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => decodeOrProtocolError(Buffer.from(bytes))),
      {
        numRuns: 2000,
      },
    );
  });

  it('fuzz: mutated valid messages only ever raise ProtocolError', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('cut' as const), pos: fc.nat() }),
      fc.record({
        kind: fc.constant('insert' as const),
        pos: fc.nat(),
        bytes: fc.uint8Array({ maxLength: 8 }),
      }),
      fc.record({ kind: fc.constant('delete' as const), pos: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant('length' as const), value: fc.oneof(fc.nat(), fc.constant(4294967295)) }),
    );
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 512 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (p, muts) => {
          let body = valid(Buffer.from(p));
          for (const m of muts) {
            const pos = body.length === 0 ? 0 : m.kind === 'length' ? 0 : m.pos % body.length;
            if (m.kind === 'flip') body[pos] ^= 1 << m.bit;
            else if (m.kind === 'cut') body = body.subarray(0, pos);
            else if (m.kind === 'insert')
              body = Buffer.concat([body.subarray(0, pos), m.bytes, body.subarray(pos)]);
            else if (m.kind === 'delete')
              body = Buffer.concat([body.subarray(0, pos), body.subarray(pos + m.n)]);
            else
              body = Buffer.from(
                body.toString('latin1').replace(/Length=\d+/, `Length=${m.value}`),
                'latin1',
              );
          }
          decodeOrProtocolError(body);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('sealToBody (sealing straight into the frame) writes the bytes seal() + encodeEncryptedBody would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 6000 }), { minLength: 1, maxLength: 4 }),
        (messages) => {
          const { a, b, server } = sessions();
          for (const m of messages) {
            const plaintext = Buffer.from(m);
            const framed = sealToBody(a, plaintext);
            const { sealed, signature } = b.seal(plaintext);
            expect(framed.equals(encodeEncryptedBody({ signature, sealed, length: plaintext.length }))).toBe(
              true,
            );
            // The plaintext is left alone, and the peer reads it back.
            expect(plaintext.equals(Buffer.from(m))).toBe(true);
            expect(unsealFromBody(server, framed).equals(plaintext)).toBe(true);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('unsealFromBody works on a body that is a view into a larger buffer', () => {
    const { a, server } = sessions();
    const framed = sealToBody(a, Buffer.from('<s:Envelope/>'));
    const surrounding = Buffer.concat([Buffer.from('HTTP head'), framed, Buffer.from('next response')]);
    const view = surrounding.subarray(9, 9 + framed.length);
    expect(unsealFromBody(server, view).toString()).toBe('<s:Envelope/>');
    expect(surrounding.subarray(9, 9 + framed.length).equals(framed)).toBe(true);
  });

  it('decodeEncryptedBody returns copies the caller may keep after reusing the body', () => {
    const body = valid(Buffer.from('sealed bytes'), Buffer.alloc(16, 9));
    const decoded = decodeEncryptedBody(body);
    body.fill(0);
    expect(decoded.sealed.toString()).toBe('sealed bytes');
    expect(decoded.signature.equals(Buffer.alloc(16, 9))).toBe(true);
  });

  it('decoding a large body is linear and allocates no more than the body', () => {
    // A valid opening boundary followed by 8 MiB of '-': the decoder must scan once and give up.
    const big = Buffer.concat([Buffer.from('--Encrypted Boundary\r\n'), Buffer.alloc(8 * 1024 * 1024, 0x2d)]);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => decodeEncryptedBody(big)).toThrow(/second boundary missing/);
    const sealed = Buffer.alloc(4 * 1024 * 1024, 0x41);
    expect(decodeEncryptedBody(valid(sealed)).sealed.length).toBe(sealed.length);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });
});
