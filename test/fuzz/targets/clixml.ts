/**
 * CLIXML stderr decoding: decodeClixmlDocument (strict parse, tolerant scan as fallback) and the
 * streaming PowerShellStderrDecoder fed in arbitrary pieces. Valid inputs are real powershell.exe
 * stderr (pypsrp captures) and documents built like PowerShell writes them; the rest are their
 * mutations and random markup. Neither may throw for any input, and the streaming decoder must
 * give the same text and errors however the input is cut.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { decodeClixmlDocument, PowerShellStderrDecoder, unescapeClixml } from '../../../src/main/winrm/powershell';
import { escapeXml } from '../../../src/main/winrm/soap';
import type { FuzzTarget, Rng } from '../fuzz-target';
import { cutPoints, deepNesting, mutateText, preview, randomMarkup, xmlSafeText } from '../winrm-inputs';

interface ClixmlInput {
  stderr: string;
  /** Where the stream is cut into pieces, as WinRS Receive replies would. */
  cuts: number[];
}

const CLIXML_DIR = join(import.meta.dirname, '../../fixtures/winrm-fixtures/pypsrp/clixml');
let captured: string[] = [];

/** PowerShell's own escaping of a string for CLIXML, then XML's. */
function clixmlString(text: string): string {
  const escaped = text.replace(/_x/g, '_x005F_x').replace(/\r/g, '_x000D_').replace(/\n/g, '_x000A_').replace(/\t/g, '_x0009_').replace(/\u001b/g, '_x001B_');
  return escapeXml(escaped);
}

function built(rng: Rng): string {
  const records = Array.from({ length: rng.int(8) }, () => {
    const stream = rng.pick(['Error', 'Warning', 'Verbose', 'Debug', 'Information', 'progress', 'Output', 'weird']);
    const text = xmlSafeText(rng, rng.int(12)) + rng.pick(['', '\r\n', '\n', '\u001b[31;1m', '_x']);
    if (rng.chance(0.25)) {
      return `<Obj S="${stream}" RefId="${rng.int(9)}"><TN RefId="0"><T>System.Management.Automation.ErrorRecord</T></TN><ToString>${clixmlString(text)}</ToString><Props><S N="Message">${clixmlString(text)}</S></Props></Obj>`;
    }
    return `<S S="${stream}">${clixmlString(text)}</S>`;
  }).join('\r\n');
  const doc = `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">${records}</Objs>`;
  const before = rng.chance(0.2) ? xmlSafeText(rng, 3) : '';
  const repeat = rng.chance(0.2) ? `\r\n#< CLIXML\r\n${doc}` : '';
  return `${before}#< CLIXML\r\n${doc}${repeat}`;
}

function valid(rng: Rng): string {
  return rng.chance(0.3) ? rng.pick(captured) : built(rng);
}

function decodeInPieces(stderr: string, cuts: readonly number[]): { text: string; errors: string[]; errorText: string } {
  const decoder = new PowerShellStderrDecoder();
  let last = 0;
  for (const cut of [...cuts, stderr.length]) {
    decoder.push(stderr.slice(last, cut));
    last = cut;
  }
  decoder.end();
  return { text: decoder.text, errors: [...decoder.errors], errorText: decoder.errorText };
}

export const target: FuzzTarget = {
  name: 'clixml',
  setup() {
    captured = readdirSync(CLIXML_DIR).map((f) => readFileSync(join(CLIXML_DIR, f), 'utf8'));
    if (captured.length === 0) throw new Error('no captured CLIXML found');
  },
  generate(rng: Rng): ClixmlInput {
    const shape = rng.int(10);
    let stderr: string;
    if (shape < 2) stderr = valid(rng);
    else if (shape < 8) stderr = mutateText(rng, valid(rng));
    else if (shape < 9) stderr = `#< CLIXML\r\n<Objs xmlns="http://schemas.microsoft.com/powershell/2004/04">${deepNesting(rng)}<S S="Error">x</S></Objs>`;
    else stderr = randomMarkup(rng, rng.int(300));
    return { stderr, cuts: cutPoints(rng, stderr.length) };
  },
  run(input: unknown): void {
    const { stderr, cuts } = input as ClixmlInput;
    decodeClixmlDocument(stderr);
    unescapeClixml(stderr);
    const whole = decodeInPieces(stderr, []);
    if (cuts.length === 0) return;
    const pieces = decodeInPieces(stderr, cuts);
    if (!isDeepStrictEqual(whole, pieces)) throw new Error(`stderr decoded differently when cut at ${cuts.join(',')}`);
  },
  describe(input: unknown): string {
    const { stderr, cuts } = input as ClixmlInput;
    return `cuts ${cuts.join(',')}; ${preview(stderr)}`;
  },
};

export default target;
