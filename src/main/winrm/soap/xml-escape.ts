/**
 * Escapes text for an XML text node or a double-quoted attribute. Characters XML 1.0 cannot carry
 * at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are rejected rather than silently
 * dropped, because a command line that changed on the way is worse than one that failed.
 */
import { ProtocolError } from '../errors';

 
// With the u flag a valid surrogate pair is one code point, so the surrogate range only matches lone halves.
const INVALID_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/u;

/** Anything escapeXml would change or refuse (lone surrogates included: without /u every surrogate matches). */
const NEEDS_WORK = /[\u0000-\u0008\u000B\u000C\u000E-\u001F&<>"'\r\uFFFE\uFFFF\uD800-\uDFFF]/;

export function escapeXml(value: string): string {
  // Most values (ids, URIs, option names) need nothing: one scan instead of a check and six replaces.
  if (!NEEDS_WORK.test(value)) return value;
  const bad = INVALID_XML_CHAR.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new ProtocolError(
      `cannot send character U+${code} to WinRM: XML 1.0 cannot carry it — remove it from the command, or pass the data via stdin`,
    );
  }
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    // CR and TAB must stay characters after attribute-value normalisation on the server.
    .replace(/\r/g, '&#13;');
}
