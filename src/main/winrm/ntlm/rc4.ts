/**
 * RC4 as a stateful stream cipher. NTLM sealing uses ONE key stream per direction for the whole
 * security context: every message (and every signature checksum) continues where the previous
 * one stopped, so this must be an object that keeps its state, not a one-shot function.
 * Pure TypeScript because OpenSSL 3 and BoringSSL refuse RC4.
 */
export class Rc4 {
  // Int32Array rather than Uint8Array: V8 keeps the loop's loads and stores in plain integer form,
  // measurably faster on the ~30 KB replies a sealed WinRM session decrypts per command.
  private readonly s = new Int32Array(256);
  private i = 0;
  private j = 0;

  constructor(key: Uint8Array) {
    if (key.length === 0 || key.length > 256) throw new RangeError('RC4 key must be 1..256 bytes');
    const s = this.s;
    for (let k = 0; k < 256; k++) s[k] = k;
    let j = 0;
    for (let k = 0; k < 256; k++) {
      j = (j + s[k] + key[k % key.length]) & 0xff;
      const t = s[k];
      s[k] = s[j];
      s[j] = t;
    }
  }

  /** Encrypts or decrypts (the same operation) and advances the key stream. */
  update(data: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(data.length);
    this.process(data, out);
    return out;
  }

  /**
   * Like update, but for the first `length` bytes of `data` and into `out` (which may be `data`
   * itself), so callers can encrypt straight into a message frame or decrypt from a view without
   * a copy.
   */
  process(data: Uint8Array, out: Uint8Array, length: number = data.length): void {
    if (length > data.length || length > out.length)
      throw new RangeError('RC4 length exceeds its input or output');
    const s = this.s;
    const n = length;
    let i = this.i;
    let j = this.j;
    for (let k = 0; k < n; k++) {
      i = (i + 1) & 0xff;
      const si = s[i];
      j = (j + si) & 0xff;
      const sj = s[j];
      s[i] = sj;
      s[j] = si;
      out[k] = data[k] ^ s[(si + sj) & 0xff];
    }
    this.i = i;
    this.j = j;
  }
}

/** One-shot RC4, for the key-exchange step where a fresh key encrypts a single 16-byte value. */
export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  return new Rc4(key).update(data);
}
