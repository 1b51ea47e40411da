/**
 * Output encoding per WINRS_CODEPAGE. A real host encodes console output in the shell's code page,
 * so a client that forgets to ask for 65001 sees '?' for non-ASCII text here too, as it would on
 * Windows. Only 65001 (UTF-8) and 437 (the WinRS default) are modelled; others fall back to UTF-8.
 */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

const cp437Reverse = new Map<string, number>([...CP437_HIGH].map((ch, i) => [ch, 0x80 + i]));

export function encodeForCodepage(text: string, codepage: number): Buffer {
  if (codepage !== 437) return Buffer.from(text, 'utf8');
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0x3f;
    if (code < 0x80) bytes.push(code);
    else bytes.push(cp437Reverse.get(ch) ?? 0x3f);
  }
  return Buffer.from(bytes);
}

export function decodeForCodepage(bytes: Buffer, codepage: number): string {
  if (codepage !== 437) return bytes.toString('utf8');
  let out = '';
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
  return out;
}
