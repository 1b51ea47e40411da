import { describe, expect, test } from 'vitest';
import { compareNatural } from '../../src/renderer/components/natural-compare';
import { groupHosts, STANDALONE } from '../../src/renderer/features/shell/tree-rows';
import { makeHostView } from './fixtures';

const sorted = (names: string[]) => [...names].sort(compareNatural);

describe('compareNatural', () => {
  test('digit runs compare by value: HV2 before HV10', () => {
    expect(sorted(['HV10', 'HV2', 'HV1', 'HV100', 'HV20'])).toEqual(['HV1', 'HV2', 'HV10', 'HV20', 'HV100']);
    expect(sorted(['rack10-hv2', 'rack2-hv10', 'rack2-hv9'])).toEqual([
      'rack2-hv9',
      'rack2-hv10',
      'rack10-hv2',
    ]);
    // Runs longer than a safe integer still order by value.
    expect(compareNatural('n12345678901234567890', 'n12345678901234567891')).toBeLessThan(0);
  });

  test('letters compare without regard to case', () => {
    expect(sorted(['beta', 'Alpha', 'gamma', 'BETA2'])).toEqual(['Alpha', 'beta', 'BETA2', 'gamma']);
    // Beyond ASCII: by the lower-case letter's code point (no locale rules, no accent folding).
    expect(sorted(['Émile', 'zeta', 'éclair'])).toEqual(['zeta', 'éclair', 'Émile']);
  });

  test('a prefix comes first, and leading zeros do not change a value', () => {
    expect(sorted(['hv01a', 'hv1', 'hv'])).toEqual(['hv', 'hv1', 'hv01a']);
    expect(compareNatural('hv007', 'hv7x')).toBeLessThan(0);
    expect(compareNatural('hv07', 'hv8')).toBeLessThan(0);
  });

  test('one total order: names equal under the rules fall back to code-unit order, so any input order sorts the same', () => {
    const names = ['hv2', 'HV2', 'hv02', 'Hv2', 'hv10'];
    expect(compareNatural('HV2', 'hv2')).not.toBe(0);
    expect(compareNatural('hv02', 'hv2')).not.toBe(0);
    expect(compareNatural('hv2', 'hv2')).toBe(0);
    const once = sorted(names);
    expect(sorted([...names].reverse())).toEqual(once);
    expect(once.at(-1)).toBe('hv10');
    for (const a of names)
      for (const b of names)
        expect(Math.sign(compareNatural(a, b)) + Math.sign(compareNatural(b, a))).toBe(0);
  });
});

describe('tree grouping order', () => {
  test('hosts and clusters in natural order, standalone hosts last', () => {
    const hosts = [
      makeHostView('hv10', { cluster: 'CL-10' }),
      makeHostView('hv2', { cluster: 'CL-2' }),
      makeHostView('hv9', { cluster: 'CL-2' }),
      makeHostView('hv1'),
    ];
    const groups = groupHosts(hosts);
    expect(groups.map(([g]) => g)).toEqual(['CL-2', 'CL-10', STANDALONE]);
    expect(groups[0]![1].map((h) => h.id)).toEqual(['hv2', 'hv9']);
  });
});
