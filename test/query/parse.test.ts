import { describe, expect, test } from 'vitest';
import { parseQuery, printQuery, type QueryNode } from '../../src/shared/query';

function parsed(text: string): QueryNode {
  const result = parseQuery(text);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(text)} to parse, got: ${result.error.message}`);
  return result.query;
}

function failure(text: string) {
  const result = parseQuery(text);
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} to be refused, got ${JSON.stringify(result.query)}`);
  return { ...result.error, marked: text.slice(result.error.start, result.error.end) };
}

const match = (field: string, value: string) => ({ kind: 'match', field, value });
const cmp = (field: string, op: string, amount: number, unit: string | null) => ({ kind: 'compare', field, op, amount, unit });

describe('parsing the four examples of issue 16', () => {
  test('state:running host:hv0* mem>8GB', () => {
    expect(parsed('state:running host:hv0* mem>8GB')).toEqual({ kind: 'and', terms: [match('state', 'running'), match('host', 'hv0*'), cmp('mem', '>', 8, 'GB')] });
  });
  test('-state:off os:windows heartbeat:lost', () => {
    expect(parsed('-state:off os:windows heartbeat:lost')).toEqual({
      kind: 'and',
      terms: [{ kind: 'not', term: match('state', 'off') }, match('os', 'windows'), match('heartbeat', 'lost')],
    });
  });
  test('name:"web 01" OR name:db*', () => {
    expect(parsed('name:"web 01" OR name:db*')).toEqual({ kind: 'or', terms: [match('name', 'web 01'), match('name', 'db*')] });
  });
  test('cluster:CLU-A vcpu>=4 uptime>30d', () => {
    expect(parsed('cluster:CLU-A vcpu>=4 uptime>30d')).toEqual({ kind: 'and', terms: [match('cluster', 'CLU-A'), cmp('vcpu', '>=', 4, null), cmp('uptime', '>', 30, 'd')] });
  });
});

describe('terms, operators and units', () => {
  test('every field parses; field names are case-insensitive and values keep their case', () => {
    for (const field of ['name', 'state', 'host', 'cluster', 'os', 'ip', 'tag', 'heartbeat', 'notes']) expect(parsed(`${field}:Ab*`)).toEqual(match(field, 'Ab*'));
    expect(parsed('NAME:Web')).toEqual(match('name', 'Web'));
    expect(parsed('name=web')).toEqual(match('name', 'web')); // '=' reads as ':' on text
    expect(parsed('ip:fe80::1')).toEqual(match('ip', 'fe80::1')); // colons after the first belong to the value
  });

  test('comparisons with every operator, and ":" on a number meaning "="', () => {
    expect(parsed('cpu>50')).toEqual(cmp('cpu', '>', 50, null));
    expect(parsed('cpu>=50%')).toEqual(cmp('cpu', '>=', 50, '%'));
    expect(parsed('vcpu<4')).toEqual(cmp('vcpu', '<', 4, null));
    expect(parsed('vcpu<=4')).toEqual(cmp('vcpu', '<=', 4, null));
    expect(parsed('vcpu=4')).toEqual(cmp('vcpu', '=', 4, null));
    expect(parsed('checkpoints:0')).toEqual(cmp('checkpoints', '=', 0, null));
  });

  test('units: memory MB/GB/TB (bare = GB), durations s/m/h/d/w, case-insensitive, decimals', () => {
    expect(parsed('mem>512MB')).toEqual(cmp('mem', '>', 512, 'MB'));
    expect(parsed('mem>8gb')).toEqual(cmp('mem', '>', 8, 'GB'));
    expect(parsed('mem<1.5TB')).toEqual(cmp('mem', '<', 1.5, 'TB'));
    expect(parsed('mem>8')).toEqual(cmp('mem', '>', 8, null));
    expect(parsed('uptime>30d')).toEqual(cmp('uptime', '>', 30, 'd'));
    expect(parsed('uptime<12h')).toEqual(cmp('uptime', '<', 12, 'h'));
    expect(parsed('uptime<15m')).toEqual(cmp('uptime', '<', 15, 'm'));
    expect(parsed('age>2W')).toEqual(cmp('age', '>', 2, 'w'));
    expect(parsed('age>90s')).toEqual(cmp('age', '>', 90, 's'));
  });

  test('OR binds tighter than the implied AND; parentheses group; - negates a term or a group', () => {
    expect(parsed('state:running host:a OR host:b')).toEqual({ kind: 'and', terms: [match('state', 'running'), { kind: 'or', terms: [match('host', 'a'), match('host', 'b')] }] });
    expect(parsed('a OR b OR c')).toEqual({ kind: 'or', terms: [{ kind: 'text', value: 'a' }, { kind: 'text', value: 'b' }, { kind: 'text', value: 'c' }] });
    expect(parsed('(a b) OR c')).toEqual({ kind: 'or', terms: [{ kind: 'and', terms: [{ kind: 'text', value: 'a' }, { kind: 'text', value: 'b' }] }, { kind: 'text', value: 'c' }] });
    expect(parsed('-(state:off OR state:saved)')).toEqual({ kind: 'not', term: { kind: 'or', terms: [match('state', 'off'), match('state', 'saved')] } });
    expect(parsed('web-01')).toEqual({ kind: 'text', value: 'web-01' }); // a minus inside a word is part of it
    expect(parsed('or')).toEqual({ kind: 'text', value: 'or' }); // only upper-case OR is the operator
  });

  test('quotes: spaces, escaped quotes and backslashes; the empty query matches everything', () => {
    expect(parsed('"web 01"')).toEqual({ kind: 'text', value: 'web 01' });
    expect(parsed('notes:"say \\"hi\\" \\\\ bye"')).toEqual(match('notes', 'say "hi" \\ bye'));
    expect(parsed('')).toEqual({ kind: 'and', terms: [] });
    expect(parsed('   ')).toEqual({ kind: 'and', terms: [] });
  });
});

describe('errors say what was expected, where', () => {
  test('a missing value marks the field and its operator', () => {
    expect(failure('mem>')).toMatchObject({ message: "expected a value after 'mem>' (e.g. mem>8GB)", start: 0, end: 4 });
    expect(failure('state:running name: x')).toMatchObject({ marked: 'name:', message: expect.stringContaining("expected a value after 'name:'") });
  });

  test('an unknown field names the nearest one', () => {
    expect(failure('memm>8GB')).toMatchObject({ message: 'unknown field \'memm\' (did you mean mem?)', start: 0, end: 4 });
    expect(failure('a hots:hv01')).toMatchObject({ marked: 'hots', message: expect.stringContaining('did you mean host?') });
    expect(failure('zzzzzz:1').message).toContain('fields are name, state, host');
  });

  test('a wrong unit marks the unit and lists the right ones', () => {
    expect(failure('mem>8GX')).toMatchObject({ marked: 'GX', message: "unit 'GX' does not fit 'mem': use MB, GB, TB (e.g. mem>8GB)" });
    expect(failure('uptime>30x')).toMatchObject({ marked: 'x', message: expect.stringContaining('use s, m, h, d, w') });
    expect(failure('vcpu>4GB')).toMatchObject({ marked: 'GB', message: expect.stringContaining("'vcpu' is a plain count") });
    expect(failure('uptime>30')).toMatchObject({ marked: '30', message: expect.stringContaining('expected a unit') });
  });

  test('numbers, operators and structure', () => {
    expect(failure('mem>lots')).toMatchObject({ marked: 'lots', message: expect.stringContaining("expected a number after 'mem>'") });
    expect(failure('name>web')).toMatchObject({ marked: '>', message: expect.stringContaining("use 'name:value'") });
    expect(failure('a OR')).toMatchObject({ marked: 'OR', message: "expected a term after 'OR'" });
    expect(failure('OR a')).toMatchObject({ marked: 'OR', message: "expected a term before 'OR'" });
    expect(failure('a (b c')).toMatchObject({ start: 2, end: 3, message: "expected ')' to close this '('" });
    expect(failure('a b)')).toMatchObject({ start: 3, end: 4, message: expect.stringContaining("unexpected ')'") });
    expect(failure('name:"web 01')).toMatchObject({ start: 5, end: 12, message: expect.stringContaining('closing') });
    expect(failure('state:off - x')).toMatchObject({ start: 10, end: 11, message: expect.stringContaining("after '-'") });
    expect(failure('()')).toMatchObject({ start: 0, end: 2 });
  });
});

describe('printing', () => {
  test('prints the examples as written, quoting only where needed', () => {
    for (const text of ['state:running host:hv0* mem>8GB', '-state:off os:windows heartbeat:lost', 'name:"web 01" OR name:db*', 'cluster:CLU-A vcpu>=4 uptime>30d']) {
      expect(printQuery(parsed(text))).toBe(text);
    }
    expect(printQuery(parsed('vcpu:4 (a b) OR c'))).toBe('vcpu=4 (a b) OR c');
    expect(printQuery({ kind: 'text', value: 'OR' })).toBe('"OR"');
    expect(printQuery({ kind: 'text', value: '-x' })).toBe('"-x"');
    expect(printQuery({ kind: 'text', value: 'name:x' })).toBe('"name:x"');
    expect(printQuery({ kind: 'match', field: 'notes', value: 'a "b"' })).toBe('notes:"a \\"b\\""');
  });
});
