import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assessHostVersion,
  compareAgentVersions,
  needsDeployment,
  normalizeVersionText,
  parseAgentVersion,
} from '../../src/main/deployment/version';

const part = fc.integer({ min: 0, max: 99999 });
const triple = fc.tuple(part, part, part);
const padZeros = (n: number, extra: number): string => '0'.repeat(extra) + String(n);
const utf16le = (text: string): Uint8Array => new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]);

function tupleOrder(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

describe('normalizeVersionText', () => {
  it('strips BOM, NUL, blanks and keeps the first non-blank line', () => {
    expect(normalizeVersionText('\uFEFF 2.4.000 \r\n')).toBe('2.4.000');
    expect(normalizeVersionText('1\u0000.\u00002\u0000.\u00003\u0000')).toBe('1.2.3');
    expect(normalizeVersionText('\n\n  \n1.0.0\nsecond')).toBe('1.0.0');
    expect(normalizeVersionText(utf16le('1.2.3\r\n'))).toBe('1.2.3');
    expect(normalizeVersionText(new Uint8Array([0xfe, 0xff, 0, 0x31, 0, 0x2e, 0, 0x32]))).toBe('1.2');
    expect(normalizeVersionText(null)).toBe('');
    expect(normalizeVersionText('   ')).toBe('');
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(
        fc.string(),
        (s) => normalizeVersionText(normalizeVersionText(s)) === normalizeVersionText(s),
      ),
    );
  });
});

describe('parseAgentVersion', () => {
  it('coerces the forms hosts actually hold', () => {
    expect(parseAgentVersion('2.4.000')).toBe('2.4.0');
    expect(parseAgentVersion('v1.2')).toBe('1.2.0');
    expect(parseAgentVersion('V3')).toBe('3.0.0');
    expect(parseAgentVersion('1.0.0-beta.1')).toBe('1.0.0-beta.1');
  });

  it('rejects what it cannot order', () => {
    for (const bad of ['', 'abc', '1.2.3.4', '1..2', '-1.0.0', '1.2.x', 'v', '99999999999999999999.0.0']) {
      expect(parseAgentVersion(bad), bad).toBeNull();
    }
  });

  it('ignores leading zeros, a v prefix, BOM, NUL and padding in every segment', () => {
    fc.assert(
      fc.property(triple, fc.integer({ min: 0, max: 3 }), fc.boolean(), ([a, b, c], zeros, prefix) => {
        const decorated = `\uFEFF${prefix ? 'v' : ''}${padZeros(a, zeros)}.${padZeros(b, zeros)}.${padZeros(c, zeros)}\u0000\r\n`;
        return parseAgentVersion(decorated) === `${a}.${b}.${c}`;
      }),
    );
  });
});

describe('compareAgentVersions', () => {
  it('orders like the numeric tuples and treats missing segments as zero', () => {
    fc.assert(
      fc.property(triple, triple, (a, b) => {
        expect(compareAgentVersions(a.join('.'), b.join('.'))).toBe(tupleOrder(a, b));
        expect(compareAgentVersions(`${a[0]}.${a[1]}`, `${a[0]}.${a[1]}.0`)).toBe(0);
      }),
    );
  });

  it('is antisymmetric', () => {
    fc.assert(
      fc.property(
        triple,
        triple,
        (a, b) =>
          compareAgentVersions(a.join('.'), b.join('.')) ===
            -(compareAgentVersions(b.join('.'), a.join('.')) as number) || a.join() === b.join(),
      ),
    );
  });

  it('returns null for unparsable input', () => {
    expect(compareAgentVersions('1.0.0', 'garbage')).toBeNull();
  });
});

describe('assessHostVersion', () => {
  it('classifies the host relative to the bundle', () => {
    expect(assessHostVersion(undefined, '1.0.0')).toBe('missing');
    expect(assessHostVersion('', '1.0.0')).toBe('missing');
    expect(assessHostVersion('0.0.0', '1.0.0')).toBe('missing');
    expect(assessHostVersion('v0.0', '1.0.0')).toBe('missing');
    expect(assessHostVersion('not a version', '1.0.0')).toBe('unparsable');
    expect(assessHostVersion('0.9.9', '1.0.0')).toBe('older');
    expect(assessHostVersion('1.0.000', '1.0.0')).toBe('equal');
    expect(assessHostVersion(utf16le('1.0.0'), '1.0.0')).toBe('equal');
    expect(assessHostVersion('1.0.1', '1.0.0')).toBe('newer');
  });

  it('agrees with tuple order for any pair', () => {
    fc.assert(
      fc.property(triple, triple, (host, bundled) => {
        fc.pre(host.some((n) => n > 0));
        const expected = ['older', 'equal', 'newer'][tupleOrder(host, bundled) + 1];
        return assessHostVersion(host.join('.'), bundled.join('.')) === expected;
      }),
    );
  });

  it('deploys over missing, unparsable and older agents; leaves equal and newer alone', () => {
    expect(needsDeployment('equal')).toBe(false);
    expect(needsDeployment('newer')).toBe(false);
    for (const a of ['missing', 'unparsable', 'older'] as const)
      expect(needsDeployment(a)).toBe(true);
  });

  it('refuses a bundled version that is not a version', () => {
    expect(() => assessHostVersion('1.0.0', 'latest')).toThrow(/agent\/version/);
  });
});
