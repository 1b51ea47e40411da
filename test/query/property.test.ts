import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FIELD_UNITS, NUMBER_FIELDS, TEXT_FIELDS, compileQuery, parseQuery, printQuery, type CompareOp, type QueryNode } from '../../src/shared/query';
import { makeVm } from '../renderer/fixtures';

// Seeded, so a failure reproduces; fast-check prints the seed and the shrunk counterexample.
const RUNS = { numRuns: 2000, seed: 16 };

/** Characters that stress the lexer: every operator and quote, spaces, a backslash, non-ASCII. */
const LEXER_CHARS = fc.constantFrom(...'ab OR-():"\\*<>=!.5mGBd%\t\nü测'.split(''), 'OR', 'name:', 'mem>', '"', ' -');
const queryish = fc.array(LEXER_CHARS, { maxLength: 40 }).map((parts) => parts.join(''));

describe('random text never crashes the parser', () => {
  test('arbitrary strings: ok, or an error with a range inside the text and a message', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 30 }), queryish), (text) => {
        const result = parseQuery(text);
        if (result.ok) return;
        expect(result.error.message.length).toBeGreaterThan(0);
        expect(result.error.start).toBeGreaterThanOrEqual(0);
        expect(result.error.start).toBeLessThanOrEqual(result.error.end);
        expect(result.error.end).toBeLessThanOrEqual(text.length);
      }),
      RUNS,
    );
  });

  test('whatever parses also compiles and evaluates without throwing', () => {
    const vm = makeVm('h1', 1, { notes: 'x' });
    const ctx = { hostName: () => 'hv01', clusterOf: () => null, tags: () => ['a'], now: Date.now() };
    fc.assert(
      fc.property(queryish, (text) => {
        const result = parseQuery(text);
        if (result.ok) expect(typeof compileQuery(result.query)(vm, ctx)).toBe('boolean');
      }),
      RUNS,
    );
  });
});

/** Any text a value may hold: quotes, backslashes, spaces, parentheses, "OR", a leading minus… */
const value = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('OR', '-x', 'a:b', 'name:x', '"', '\\', 'web 01', '*', 'db*', ''));
const amount = fc.oneof(fc.nat({ max: 100_000 }), fc.integer({ min: 0, max: 10_000 }).map((n) => n / 100), fc.double({ min: 0, max: 1e300, noNaN: true }));
const op = fc.constantFrom<CompareOp>('>', '>=', '<', '<=', '=');

const leaf: fc.Arbitrary<QueryNode> = fc.oneof(
  value.map((v) => ({ kind: 'text', value: v }) as QueryNode),
  fc.record({ field: fc.constantFrom(...TEXT_FIELDS), value }).map(({ field, value }) => ({ kind: 'match', field, value }) as QueryNode),
  fc
    .record({ field: fc.constantFrom(...NUMBER_FIELDS), op, amount })
    .chain(({ field, op, amount }) => {
      const spec = FIELD_UNITS[field];
      const units: Array<string | null> = [...Object.keys(spec.units), ...(field === 'uptime' || field === 'age' ? [] : [null])];
      return fc.constantFrom(...units).map((unit) => ({ kind: 'compare', field, op, amount, unit }) as QueryNode);
    }),
);

/** Trees the parser can produce: `and`/`or` with two or more terms (an empty `and` only at the top). */
const { tree } = fc.letrec<{ tree: QueryNode }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('tree'), { minLength: 2, maxLength: 4 }).map((terms) => ({ kind: 'and', terms }) as QueryNode),
    fc.array(tie('tree'), { minLength: 2, maxLength: 4 }).map((terms) => ({ kind: 'or', terms }) as QueryNode),
    tie('tree').map((term) => ({ kind: 'not', term }) as QueryNode),
  ),
}));

describe('printing and parsing again gives the same query', () => {
  test('random query trees', () => {
    fc.assert(
      fc.property(fc.oneof(tree, fc.constant<QueryNode>({ kind: 'and', terms: [] })), (query) => {
        const text = printQuery(query);
        const again = parseQuery(text);
        if (!again.ok) throw new Error(`${JSON.stringify(text)} did not parse: ${again.error.message}`);
        expect(again.query).toEqual(query);
      }),
      RUNS,
    );
  });
});
