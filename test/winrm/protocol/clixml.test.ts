import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PowerShellStderrDecoder, decodeClixmlDocument, unescapeClixml } from '../../../src/main/winrm/powershell';
import { FIXTURES } from './support/replay-server';

const expected = JSON.parse(readFileSync(resolve(FIXTURES, '../clixml-expected.json'), 'utf8')) as Record<string, Record<string, string>>;
const cases = Object.entries(expected).map(([path, value]) => ({
  name: path,
  text: readFileSync(resolve(FIXTURES, '..', path), 'utf8'),
  errors: Object.values(value)[0]!,
}));

function decodeInChunks(text: string, cuts: number[]): PowerShellStderrDecoder {
  const decoder = new PowerShellStderrDecoder();
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    decoder.push(text.slice(at, cut));
    at = cut;
  }
  decoder.push(text.slice(at));
  decoder.end();
  return decoder;
}

describe('CLIXML captures decode as clixml-expected.json says', () => {
  for (const c of cases) {
    it(`${c.name} in one piece`, () => {
      const decoder = decodeInChunks(c.text, []);
      expect(decoder.errorText).toBe(c.errors);
      // Progress records ("Preparing modules for first use.") are dropped.
      expect(decoder.text).not.toContain('Preparing modules');
      expect(decoder.text).toBe(c.errors);
    });

    it(`${c.name} in random chunk splits`, () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: c.text.length }), { maxLength: 40 }), (cuts) => {
          const decoder = decodeInChunks(c.text, cuts);
          expect(decoder.errorText).toBe(c.errors);
          expect(decoder.text).toBe(c.errors);
        }),
        { numRuns: 200 },
      );
    });
  }

  it('groups the error lines into one message per error record', () => {
    const withError = cases.find((c) => c.name.includes('with_error'))!;
    const decoder = decodeInChunks(withError.text, []);
    expect(decoder.errors).toHaveLength(1);
    expect(decoder.errors[0]).toMatch(/^fake : The term 'fake' is not recognized/);
    expect(decoder.errors[0]).toContain('\n    + FullyQualifiedErrorId : CommandNotFoundException');
    expect(decoder.errors[0]).not.toContain('\r');
    const none = cases.find((c) => c.name.includes('no_errors'))!;
    expect(decodeInChunks(none.text, []).errors).toEqual([]);
  });

  it('splits the sentinel across chunks (contracts §6.2 vectors)', () => {
    const objs = (inner: string): string => `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">${inner}</Objs>`;
    const a = decodeInChunks(`#< CLIXML\r\n${objs('<S S="Error">Line one_x000D__x000A_</S><S S="Error">Line two_x000D__x000A_</S>')}\r\nAfter XML line\n`, [11]);
    expect(a.errors).toEqual(['Line one\nLine two']);
    expect(a.text).toBe('Line one\r\nLine two\r\nAfter XML line\n');
    const b = decodeInChunks(`#< CLIXML\r\n${objs('<S S="Error">Split payload</S>')}\n`, [6]);
    expect(b.errors).toEqual(['Split payload']);
    expect(b.text).toBe('Split payload\n');
  });

  it('passes plain stderr through unchanged, including text that looks like a partial sentinel', () => {
    const decoder = decodeInChunks('error: disk full\r\n#< CLI', [3, 10]);
    expect(decoder.text).toBe('error: disk full\r\n#< CLI');
    expect(decoder.errors).toEqual([]);
  });

  it('keeps warnings and verbose records as text, drops progress, and handles back-to-back documents', () => {
    const ns = 'xmlns="http://schemas.microsoft.com/powershell/2004/04"';
    const text =
      `#< CLIXML\r\n<Objs Version="1.1.0.1" ${ns}><Obj S="progress" RefId="0"><MS><PR N="Record"><AV>busy</AV></PR></MS></Obj><S S="warning">careful_x000A_</S></Objs>` +
      `#< CLIXML\r\n<Objs Version="1.1.0.1" ${ns}><S S="verbose">details_x000A_</S><S S="Error">bad_x000A_</S></Objs>`;
    const decoder = decodeInChunks(text, [40, 200]);
    expect(decoder.text).toBe('careful\ndetails\nbad\n');
    expect(decoder.errors).toEqual(['bad']);
  });

  it('a truncated document still yields its error lines', () => {
    const decoder = decodeInChunks('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">half &amp; done_x000D__x000A_</S><S S="Err', []);
    expect(decoder.errors).toEqual(['half & done']);
  });

  it('a document with a DTD is not expanded', () => {
    const evil = '#< CLIXML\r\n<!DOCTYPE Objs [<!ENTITY x "boom">]><Objs xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">&x;</S></Objs>';
    const decoder = decodeInChunks(evil, []);
    expect(decoder.text).not.toContain('boom');
  });
});

describe('_xHHHH_ escapes', () => {
  it('decodes CR LF, _x005F_ (a literal underscore) and any hex case', () => {
    expect(unescapeClixml('a_x000D__x000A_b')).toBe('a\r\nb');
    expect(unescapeClixml('_x005F_x0041_')).toBe('_x0041_');
    expect(unescapeClixml('_x00e9_ _X00E9_')).toBe('é é');
    expect(unescapeClixml('no escapes _x12_ here')).toBe('no escapes _x12_ here');
  });

  it('joins surrogate pairs written as two escapes', () => {
    expect(unescapeClixml('_xD83D__xDE00_')).toBe('😀');
  });

  it('round-trips any string through PowerShell-style escaping', () => {
    // Literal "_xHHHH_" is protected first, then characters are escaped (as PowerShell does).
    const escape = (s: string): string =>
      Array.from(s.replace(/_(?=[xX][0-9A-Fa-f]{4}_)/g, '_x005F_'))
        .map((ch) => {
          if (/[\r\n\t]/.test(ch) || ch.codePointAt(0)! > 0xffff) {
            return Array.from({ length: ch.length }, (_, i) => `_x${ch.charCodeAt(i).toString(16).padStart(4, '0').toUpperCase()}_`).join('');
          }
          return ch;
        })
        .join('');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(unescapeClixml(escape(s))).toBe(s);
      }),
      { numRuns: 300 },
    );
  });
});

describe('decodeClixmlDocument', () => {
  it('takes an ErrorRecord object by its ToString', () => {
    const records = decodeClixmlDocument(
      '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj S="Error" RefId="0"><ToString>boom_x000A_</ToString><Props/></Obj></Objs>',
    );
    expect(records).toEqual([{ stream: 'error', text: 'boom\n' }]);
  });

  it("drops PowerShell 7's ANSI colour sequences (as pwsh 7.6 wrote them, captured in the lab)", () => {
    const xml =
      '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">_x001B_[31;1mWrite-Error: _x001B_[31;1mboom_x001B_[0m_x000A_</S></Objs>';
    expect(decodeClixmlDocument(xml)).toEqual([{ stream: 'error', text: 'Write-Error: boom\n' }]);
    expect(decodeClixmlDocument(xml.replace('</Objs>', ''))).toEqual([{ stream: 'error', text: 'Write-Error: boom\n' }]);
  });
});

describe('hostile and oddly cut stderr', () => {
  const doc = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Warning">careful_x000D__x000A_</S></Objs>';
  const twoDocs = `#< CLIXML\r\n${doc}\r\n#< CLIXML\r\n${doc}`;

  it('the line end after </Objs> is framing even when a Receive boundary falls right before it', () => {
    const whole = decodeInChunks(twoDocs, []).text;
    expect(whole).toBe('careful\r\ncareful\r\n');
    for (let cut = 1; cut < twoDocs.length; cut++) expect(decodeInChunks(twoDocs, [cut]).text).toBe(whole);
  });

  it('a document cut off right before the ">" of </Objs decodes the same however it is split', () => {
    const truncated = `#< CLIXML\r\n${doc.slice(0, -1)}`;
    const whole = decodeInChunks(truncated, []).text;
    expect(whole).toBe('careful\r\n');
    for (let cut = 1; cut < truncated.length; cut++) expect(decodeInChunks(truncated, [cut]).text).toBe(whole);
    for (let cut = 1; cut < truncated.length - 3; cut++) expect(decodeInChunks(truncated, [cut, truncated.length - 3]).text).toBe(whole);
  });

  it('thousands of tiny damaged documents decode to nothing, without the per-document saxes cost', () => {
    // Each one cost ~50 µs through saxes; the fast parser declines them and the scan finds nothing.
    const flood = '#< CLIXML</Objs>'.repeat(5000);
    expect(decodeInChunks(flood, [7, 70_000]).text).toBe('');
  });

  it('a document outside what PowerShell writes (a comment) still yields its error lines by the scan', () => {
    const commented = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><!-- x --><S S="Error">boom_x000D__x000A_</S></Objs>';
    expect(decodeClixmlDocument(commented)).toEqual([{ stream: 'error', text: 'boom\r\n' }]);
  });

  /** The expression the tolerant scan replaced (quadratic on "<S" without ">"), as the reference. */
  function reference(xml: string): Array<{ stream: string; text: string }> {
    const out: Array<{ stream: string; text: string }> = [];
    for (const m of xml.matchAll(/<S\b([^>]*)>([^<]*)<\/S>/g)) {
      const s = (/\bS\s*=\s*"([^"]*)"/.exec(m[1] ?? '')?.[1] ?? '').toLowerCase();
      if (s === 'progress') continue;
      out.push({ stream: s, text: m[2] ?? '' });
    }
    return out;
  }

  it('the tolerant scan finds what the regular expression found, on generated damaged documents', () => {
    const token = fc.constantFrom('<S', '<S S="Error">', '<S S="progress">', '<SD>', '>', '<', '</S>', '</S', 'x', ' ', '"', 'S="Warning"', '<S>');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), (tokens) => {
        // No namespace on <Objs>: never the strict path, always the tolerant scan.
        const xml = `<Objs>${tokens.join('')}`;
        const got = decodeClixmlDocument(xml).map((r) => r.text);
        expect(got).toEqual(reference(xml).map((r) => r.text));
      }),
      { numRuns: 2000 },
    );
  });

  it('"<S" runs without ">" (quadratic for the old expression) are scanned in one pass', () => {
    // 150 KB of "<S " took 41 s with the regular expression; the result is simply nothing found.
    expect(decodeClixmlDocument(`<Objs>${'<S '.repeat(50_000)}`)).toEqual([]);
    expect(decodeClixmlDocument(`<Objs>${'<S S="Error" S=" '.repeat(30_000)}<S S="Error">last</S>`)).toEqual([{ stream: 'error', text: 'last' }]);
  });
});
