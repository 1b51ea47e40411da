/**
 * Input shapes shared by the WinRM fuzz targets (soap-fault, clixml, ntlm-messages,
 * multipart-encrypted): mutations of valid messages (bit flips, truncation, spliced ranges,
 * length fields set to extremes, deep nesting) and random bytes or markup. Not a target itself:
 * it lives outside targets/ so the runner does not load it as one.
 */
import type { Rng } from './fuzz-target';

/** Values that break length and offset arithmetic when written into a header field. */
const EXTREMES = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

export function randomBytes(rng: Rng, max: number): Buffer {
  return Buffer.from(rng.bytes(rng.int(max + 1)));
}

/** One to a few byte-level changes to a copy of `input`. */
export function mutateBytes(rng: Rng, input: Uint8Array): Buffer {
  let buf = Buffer.from(input);
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    const at = buf.length === 0 ? 0 : rng.int(buf.length);
    switch (rng.int(8)) {
      case 0: // bit flips
        for (let k = 0, n = 1 + rng.int(8); k < n && buf.length > 0; k++) buf[rng.int(buf.length)] ^= 1 << rng.int(8);
        break;
      case 1: // truncation
        buf = buf.subarray(0, rng.int(buf.length + 1));
        break;
      case 2: // a 16-bit field set to an extreme value
        if (at + 2 <= buf.length) buf.writeUInt16LE(rng.pick(EXTREMES) & 0xffff, at);
        break;
      case 3: // a 32-bit field set to an extreme value
        if (at + 4 <= buf.length) buf.writeUInt32LE(rng.pick(EXTREMES) >>> 0, at);
        break;
      case 4: // random bytes inserted
        buf = Buffer.concat([buf.subarray(0, at), Buffer.from(rng.bytes(1 + rng.int(32))), buf.subarray(at)]);
        break;
      case 5: // a range deleted
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(Math.min(buf.length, at + 1 + rng.int(64)))]);
        break;
      case 6: {
        // a range repeated
        const end = Math.min(buf.length, at + 1 + rng.int(64));
        const copies = 1 + rng.int(rng.chance(0.05) ? 1000 : 4);
        buf = Buffer.concat([buf.subarray(0, end), ...Array.from({ length: copies }, () => buf.subarray(at, end)), buf.subarray(end)]);
        break;
      }
      default: // a byte set to an interesting value
        if (buf.length > 0) buf[at] = rng.pick([0, 0x0a, 0x0d, 0x22, 0x26, 0x3c, 0x3e, 0x7f, 0x80, 0xff]);
    }
  }
  return buf;
}

/** Markup fragments that exercise parser corners. */
const TOKENS = [
  '<', '>', '</', '/>', '<?', '?>', '<!--', '-->', '<![CDATA[', ']]>', '<!DOCTYPE x>', '<!ENTITY e "x">',
  '&amp;', '&lt;', '&#0;', '&#x110000;', '&#65;', '&#xD800;', '&e;', '&', '"', "'", '=', ' ', '\r\n', '\r', '\t',
  'xmlns="urn:x"', 'xmlns:p="urn:p"', 'xmlns:p=""', 'xmlns:xml="urn:bad"', 'p:', ':', 'a:b:c', '\u0000', '\uFFFE',
  '\uD800', '\uDC00', '😀', 'é', '_x000D_', '_x000A_', '_x001B_[31m', '_x', '_xD83D__xDE00_', '#< CLIXML', '</Objs>',
  '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">', '<S S="Error">', '</S>',
  '<s:Fault>', '</s:Fault>', '<s:Body>', '</s:Body>', 'Code="2150858793"',
];

/** One to a few text-level changes to `input`. */
export function mutateText(rng: Rng, input: string): string {
  let text = input;
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(text.length + 1);
    switch (rng.int(8)) {
      case 0:
        text = text.slice(0, at);
        break;
      case 6:
        // Large inputs are kept rare so a million inputs still run in minutes.
        if (rng.chance(0.25)) text = text.slice(0, at) + tokenRun(rng) + text.slice(at);
        break;
      case 1:
        text = text.slice(0, at) + rng.pick(TOKENS) + text.slice(at);
        break;
      case 2:
        text = text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + rng.int(40)));
        break;
      case 3: {
        const end = Math.min(text.length, at + 1 + rng.int(80));
        const copies = 1 + rng.int(rng.chance(0.05) ? 1000 : 4);
        text = text.slice(0, end) + text.slice(at, end).repeat(copies) + text.slice(end);
        break;
      }
      case 4:
        text = text.slice(0, at) + deepNesting(rng) + text.slice(at);
        break;
      case 5:
        if (text.length > 0) {
          const code = text.charCodeAt(Math.min(at, text.length - 1)) ^ (1 << rng.int(16));
          text = text.slice(0, at) + String.fromCharCode(code) + text.slice(at + 1);
        }
        break;
      default:
        text = text.slice(0, at) + randomMarkup(rng, 1 + rng.int(60)) + text.slice(at);
    }
  }
  return text;
}

/**
 * One or two markup tokens repeated thousands of times ("<S <S <S …", "&amp;&amp;…"): the shape
 * that makes a backtracking regular expression or a re-scanning loop quadratic.
 */
export function tokenRun(rng: Rng): string {
  const unit = rng.pick(TOKENS) + (rng.chance(0.5) ? rng.pick(TOKENS) : '');
  // At most ~100 KB: enough to expose anything quadratic, small enough to time fairly.
  return unit.repeat(Math.min(rng.pick([100, 300, 1000, 5000]), Math.floor(100_000 / unit.length)));
}

/** Elements nested deep (sometimes far past any cap), prefixed or not, closed or not. */
export function deepNesting(rng: Rng): string {
  const depth = rng.chance(0.9) ? rng.pick([10, 100, 255, 256, 257]) : rng.pick([1000, 5000]);
  const prefixed = rng.chance(0.5);
  const rebind = rng.chance(0.3);
  const open = prefixed ? (rebind ? '<p:d xmlns:p="urn:d">' : '<p:d>') : '<d>';
  const close = prefixed ? '</p:d>' : '</d>';
  return open.repeat(depth) + (rng.chance(0.8) ? close.repeat(depth) : '');
}

/** Random markup-ish text from the token list and random characters. */
export function randomMarkup(rng: Rng, pieces: number): string {
  let out = '';
  for (let i = 0; i < pieces; i++) {
    out += rng.chance(0.6) ? rng.pick(TOKENS) : String.fromCharCode(rng.chance(0.9) ? 0x20 + rng.int(0x5f) : rng.int(0x10000));
  }
  return out;
}

/** Random text XML can carry (what escapeXml accepts): forbidden characters removed. */
export function xmlSafeText(rng: Rng, pieces: number): string {
  return randomMarkup(rng, pieces).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu, (c) => (c.length === 2 ? c : ''));
}

/** Cut points for feeding `length` units in pieces, ascending, within (0, length). */
export function cutPoints(rng: Rng, length: number): number[] {
  const n = rng.int(6);
  const points = new Set<number>();
  for (let i = 0; i < n && length > 1; i++) points.add(1 + rng.int(length - 1));
  return [...points].sort((a, b) => a - b);
}

/** A short description of a string or bytes for the report. */
export function preview(value: string | Uint8Array, max = 160): string {
  if (typeof value === 'string') return `${value.length} chars: ${JSON.stringify(value.slice(0, max))}${value.length > max ? '…' : ''}`;
  return `${value.length} bytes: ${Buffer.from(value.subarray(0, max)).toString('hex')}${value.length > max ? '…' : ''}`;
}
