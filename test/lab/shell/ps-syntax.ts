/**
 * Splitting PowerShell text the way the lab's literal-only interpreter needs: statements (at `;`
 * and newlines), pipelines (at `|`) and arguments (at blanks), all outside quotes and brackets,
 * keeping each piece's offset so errors can point at "line:N char:M" like PowerShell does.
 */
export interface Piece {
  text: string;
  /** Offset of `text` in the whole script. */
  offset: number;
}

type Splitter = (ch: string, next: string) => 'split' | 'split2' | 'keep';

function scan(text: string, base: number, splitter: Splitter, skipComments: boolean): Piece[] {
  const pieces: Piece[] = [];
  let start = 0;
  let quote: string | null = null;
  let depth = 0;
  const push = (end: number): void => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed) pieces.push({ text: trimmed, offset: base + start + lead });
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '`' && quote === '"') i++;
      else if (ch === quote) {
        if (text[i + 1] === quote) i++; // doubled quote = literal quote
        else quote = null;
      }
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      continue;
    }
    if (skipComments && ch === '<' && text[i + 1] === '#') {
      const end = text.indexOf('#>', i + 2);
      text = text.slice(0, i) + ' '.repeat((end < 0 ? text.length : end + 2) - i) + text.slice(end < 0 ? text.length : end + 2);
      continue;
    }
    if (skipComments && ch === '#' && depth === 0) {
      const end = text.indexOf('\n', i);
      text = text.slice(0, i) + ' '.repeat((end < 0 ? text.length : end) - i) + text.slice(end < 0 ? text.length : end);
      continue;
    }
    if (ch === '(' || ch === '{') depth++;
    else if (ch === ')' || ch === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      const verdict = splitter(ch, text[i + 1] ?? '');
      if (verdict !== 'keep') {
        push(i);
        if (verdict === 'split2') i++;
        start = i + 1;
      }
    }
  }
  push(text.length);
  return pieces;
}

export function splitStatements(script: string): Piece[] {
  return scan(script, 0, (ch) => (ch === ';' || ch === '\n' || ch === '\r' ? 'split' : 'keep'), true);
}

export function splitPipeline(statement: Piece): Piece[] {
  return scan(statement.text, statement.offset, (ch, next) => (ch === '|' && next !== '|' ? 'split' : 'keep'), false);
}

export function splitArguments(piece: Piece): Piece[] {
  return scan(piece.text, piece.offset, (ch) => (ch === ' ' || ch === '\t' ? 'split' : 'keep'), false);
}

/** Line, column (1-based) and the full line text of an offset in the script. */
export function locate(script: string, offset: number): { line: number; column: number; lineText: string } {
  const before = script.slice(0, offset);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = script.indexOf('\n', offset);
  return { line, column: offset - lineStart + 1, lineText: script.slice(lineStart, lineEnd < 0 ? script.length : lineEnd).replace(/\r$/, '') };
}

/** `'it''s'` → it's (no expansion in single quotes). */
export function unquoteSingle(text: string): string {
  return text.slice(1, -1).replace(/''/g, "'");
}

const BACKTICK: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b' };

/** `"a`n$x"` → expands backtick escapes and `$var` / `$env:NAME` / `$(...)`-free references. */
export function expandDouble(text: string, lookup: (name: string) => string): string {
  const body = text.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '`' && i + 1 < body.length) {
      const next = body[++i];
      out += BACKTICK[next] ?? next;
    } else if (ch === '"' && body[i + 1] === '"') {
      out += '"';
      i++;
    } else if (ch === '$') {
      const match = /^\$(\{[^}]+\}|(?:env:)?[A-Za-z_][\w]*)/.exec(body.slice(i));
      if (match) {
        out += lookup(match[1].replace(/^\{|\}$/g, ''));
        i += match[0].length - 1;
      } else out += ch;
    } else out += ch;
  }
  return out;
}
