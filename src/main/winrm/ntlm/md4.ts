/**
 * MD4 (RFC 1320) in plain TypeScript. NTLM's NT hash is MD4 of the UTF-16LE password, and neither
 * Node's OpenSSL 3 (without the legacy provider) nor Electron's BoringSSL reliably offer MD4.
 * Only ever used on short inputs (passwords), so clarity beats speed here.
 */

const S1 = [3, 7, 11, 19];
const S2 = [3, 5, 9, 13];
const S3 = [3, 9, 11, 15];
const ROUND3_ORDER = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

export function md4(input: Uint8Array): Buffer {
  // Padding: 0x80, zeros to 56 mod 64, then the bit length as a 64-bit little-endian integer.
  const paddedLength = (((input.length + 8) >>> 6) + 1) << 6;
  const msg = Buffer.alloc(paddedLength);
  msg.set(input);
  msg[input.length] = 0x80;
  const bitLength = BigInt(input.length) * 8n;
  msg.writeBigUInt64LE(bitLength, paddedLength - 8);

  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Array<number>(16);

  for (let block = 0; block < paddedLength; block += 64) {
    for (let i = 0; i < 16; i++) x[i] = msg.readInt32LE(block + i * 4);
    const aa = a;
    const bb = b;
    const cc = c;
    const dd = d;

    for (let i = 0; i < 16; i++) {
      const f = (b & c) | (~b & d);
      const t = rotl((a + f + x[i]) | 0, S1[i % 4]);
      a = d;
      d = c;
      c = b;
      b = t;
    }
    for (let i = 0; i < 16; i++) {
      const k = (i % 4) * 4 + (i >>> 2);
      const g = (b & c) | (b & d) | (c & d);
      const t = rotl((a + g + x[k] + 0x5a827999) | 0, S2[i % 4]);
      a = d;
      d = c;
      c = b;
      b = t;
    }
    for (let i = 0; i < 16; i++) {
      const h = b ^ c ^ d;
      const t = rotl((a + h + x[ROUND3_ORDER[i]] + 0x6ed9eba1) | 0, S3[i % 4]);
      a = d;
      d = c;
      c = b;
      b = t;
    }

    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }

  const out = Buffer.alloc(16);
  out.writeInt32LE(a, 0);
  out.writeInt32LE(b, 4);
  out.writeInt32LE(c, 8);
  out.writeInt32LE(d, 12);
  return out;
}
