/**
 * PowerShell error records as powershell.exe 5.1 writes them to a redirected stderr: a `#< CLIXML`
 * line, then one <Objs> document of `<S S="Error">` lines with `_xHHHH_` escapes, shaped like the
 * real capture in test/fixtures/winrm-fixtures/pypsrp/clixml/test_sanitise_clixml_with_error.xml.
 */
export const CLIXML_HEADER = '#< CLIXML\r\n';
export const CLIXML_OPEN = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">';
export const CLIXML_CLOSE = '</Objs>';

/** MS-PSRP string escaping: XML specials as entities, control chars and a literal `_x` as `_xHHHH_`. */
export function escapeClixmlString(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const code = text.charCodeAt(i);
    if (ch === '_' && (text[i + 1] === 'x' || text[i + 1] === 'X')) out += '_x005F_';
    else if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (code < 0x20 || code === 0x7f || (code >= 0xfffe && code <= 0xffff)) out += `_x${code.toString(16).toUpperCase().padStart(4, '0')}_`;
    else out += ch;
  }
  return out;
}

// The console host word-wraps error text at the 120-column buffer of a WinRS session: the real
// capture breaks "…operable program. Check " (116 chars) before "the".
const WRAP_WIDTH = 120;

function wrap(line: string): string[] {
  if (line.length < WRAP_WIDTH) return [line];
  const lines: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    const candidate = current + word + ' ';
    if (candidate.length > WRAP_WIDTH - 1 && current) {
      lines.push(current);
      current = word + ' ';
    } else current = candidate;
  }
  if (current.trim()) lines.push(current.replace(/ $/, ''));
  return lines;
}

/** The `<S S="Error">` elements of one error record, each line ending in an escaped CRLF. */
export function errorRecordElements(lines: string[]): string {
  return lines
    .flatMap(wrap)
    .map((line) => `<S S="Error">${escapeClixmlString(line + '\r\n')}</S>`)
    .join('');
}

export interface SourcePosition {
  line: number;
  column: number;
  lineText: string;
  tokenLength: number;
}

export function positionLines(pos: SourcePosition): string[] {
  return [`At line:${pos.line} char:${pos.column}`, `+ ${pos.lineText}`, `+ ${' '.repeat(pos.column - 1)}${'~'.repeat(Math.max(1, pos.tokenLength))}`];
}

/** "The term 'X' is not recognized…" exactly as PowerShell 5.1 words it. */
export function commandNotFoundRecord(invocationName: string, term: string, pos: SourcePosition): string[] {
  return [
    `${invocationName} : The term '${term}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
    ...positionLines(pos),
    `    + CategoryInfo          : ObjectNotFound: (${term}:String) [], CommandNotFoundException`,
    '    + FullyQualifiedErrorId : CommandNotFoundException',
    ' ',
  ];
}

/** What `Write-Error 'message'` prints when called from a -Command / -EncodedCommand script. */
export function writeErrorRecord(statementText: string, message: string): string[] {
  return [
    `${statementText} : ${message}`,
    '    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException',
    '    + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException',
    ' ',
  ];
}

/** A terminating error thrown by an agent script (handler) — shaped like `throw 'message'`. */
export function thrownErrorRecord(message: string, scriptPath: string): string[] {
  return [
    message,
    `At ${scriptPath}:1 char:1`,
    `    + CategoryInfo          : OperationStopped: (${message.slice(0, 40)}:String) [], RuntimeException`,
    `    + FullyQualifiedErrorId : ${message.slice(0, 60)}`,
    ' ',
  ];
}
