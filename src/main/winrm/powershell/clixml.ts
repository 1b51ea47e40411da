/**
 * Decodes one CLIXML <Objs> document as powershell.exe writes it to stderr: <S S="Error"> lines
 * become error text, other streams (warning, verbose, debug, information) are kept with their
 * kind, progress records are dropped. Truncated or malformed documents fall back to a tolerant
 * scan so a broken stderr never hides the error text.
 */
import type { Element } from '../soap/parse';
import { attr, childElements, textOf } from '../soap';
import { parseCommonXml } from '../soap/xml-fast';
import { unescapeClixml } from './clixml-escape';

export const CLIXML_NS = 'http://schemas.microsoft.com/powershell/2004/04';

export type ClixmlStream = 'error' | 'warning' | 'verbose' | 'debug' | 'information' | 'output';

export interface ClixmlRecord {
  stream: ClixmlStream;
  text: string;
}

function streamOf(tag: string | undefined): ClixmlStream | 'progress' {
  switch ((tag ?? '').toLowerCase()) {
    case 'error':
      return 'error';
    case 'warning':
      return 'warning';
    case 'verbose':
      return 'verbose';
    case 'debug':
      return 'debug';
    case 'information':
    case 'info':
      return 'information';
    case 'progress':
      return 'progress';
    default:
      return 'output';
  }
}

/** Decodes a complete "<Objs …>…</Objs>" document. Never throws for bad input: falls back to a scan. */
export function decodeClixmlDocument(xml: string): ClixmlRecord[] {
  const start = xml.indexOf('<Objs');
  return decodeStrict(start >= 0 ? xml.slice(start) : xml);
}

function decodeStrict(xml: string): ClixmlRecord[] {
  // The fast parser alone, not parseXml: PowerShell's CLIXML always lies within its subset (ASCII
  // names, no comments or DTD, characters XML cannot hold written as _xHHHH_), so a document it
  // declines is damaged and goes to the tolerant scan. The saxes fallback costs ~50 µs per call
  // even for a 7-byte document, which a host writing thousands of tiny "#< CLIXML</Objs>" blocks
  // would turn into seconds of main-thread time.
  const parsed = parseCommonXml(xml);
  if (parsed === undefined) return decodeTolerant(xml);
  const root = parsed.documentElement;
  if (root.localName !== 'Objs' || root.namespaceURI !== CLIXML_NS) return decodeTolerant(xml);
  const records: ClixmlRecord[] = [];
  for (const el of childElements(root)) {
    if (el.namespaceURI !== CLIXML_NS) continue;
    const stream = streamOf(attr(el, 'S'));
    if (stream === 'progress') continue;
    const text = el.localName === 'S' ? textOf(el) : objectText(el);
    if (text === undefined) continue;
    records.push({ stream, text: withoutAnsi(unescapeClixml(text)) });
  }
  return records;
}

/** Serialised objects (e.g. a full ErrorRecord) carry their display text in <ToString>. */
function objectText(el: Element): string | undefined {
  if (el.localName !== 'Obj') return undefined;
  const toString = childElements(el).find((c) => c.localName === 'ToString' && c.namespaceURI === CLIXML_NS);
  return toString ? textOf(toString) : undefined;
}

/**
 * PowerShell 7 colours its error view with ANSI sequences even when it serialises errors to CLIXML
 * (seen from pwsh 7.6 with redirected streams: `_x001B_[31;1m…_x001B_[0m`); Windows PowerShell 5.1
 * writes none. Error text is shown to people and matched by rules, so the sequences go.
 */
const ANSI_SEQUENCE = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

function withoutAnsi(text: string): string {
  return text.includes('\u001b') ? text.replace(ANSI_SEQUENCE, '') : text;
}

const S_ATTR = /\bS\s*=\s*"([^"]*)"/;
const WORD_CHAR = /\w/;

/**
 * Pulls <S S="…">text</S> out of a damaged document; entity references are resolved by hand.
 * A hand-written scan rather than the regular expression /<S\b([^>]*)>([^<]*)<\/S>/g, which
 * re-scans the rest of the document from every "<S" that has no ">" after it: quadratic, and
 * minutes for a few hundred KB of hostile stderr. Here every character is looked at a bounded
 * number of times, with the same matches as that expression.
 */
function decodeTolerant(xml: string): ClixmlRecord[] {
  const records: ClixmlRecord[] = [];
  let pos = 0;
  for (;;) {
    const start = xml.indexOf('<S', pos);
    if (start < 0) break;
    const afterName = start + 2;
    if (afterName < xml.length && WORD_CHAR.test(xml[afterName])) {
      pos = afterName; // "<SD…": another element
      continue;
    }
    const gt = xml.indexOf('>', afterName);
    if (gt < 0) break; // no later "<S" can have a ">" either
    const lt = xml.indexOf('<', gt + 1);
    if (lt < 0) break;
    if (!xml.startsWith('</S>', lt)) {
      // Every "<S" before lt ends its attributes at the same ">" and its text at the same "<".
      pos = lt;
      continue;
    }
    pos = lt + 4;
    const stream = streamOf(S_ATTR.exec(xml.slice(afterName, gt))?.[1]);
    if (stream === 'progress') continue;
    records.push({ stream, text: withoutAnsi(unescapeClixml(decodeEntities(xml.slice(gt + 1, lt)))) });
  }
  return records;
}

function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9A-Fa-f]{1,6});/g, (whole, name: string) => {
    switch (name) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
