/**
 * PowerShell's string serialisation escapes (MS-PSRP 2.2.5.1.1): a UTF-16 code unit that XML
 * cannot hold, CR/LF/TAB, and a literal "_x" are written as _xHHHH_. Consecutive escapes are
 * collected and decoded together so surrogate pairs become one character.
 */
const ESCAPE_RUN = /(?:_[xX][0-9A-Fa-f]{4}_)+/g;

export function unescapeClixml(text: string): string {
  return text.replace(ESCAPE_RUN, (run) => {
    const units: number[] = [];
    for (let i = 0; i < run.length; i += 7) units.push(parseInt(run.slice(i + 2, i + 6), 16));
    // String.fromCharCode keeps a lone surrogate as is instead of throwing, like PowerShell would.
    let out = '';
    for (let i = 0; i < units.length; i += 4096) out += String.fromCharCode(...units.slice(i, i + 4096));
    return out;
  });
}
