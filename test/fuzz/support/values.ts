import type { Rng } from '../fuzz-target';

/**
 * Generators shared by the fuzz targets: hostile strings and numbers, random JSON, values shaped
 * by a JSON schema (the contract's TypeBox schemas), and mutations of a valid value.
 */

/** Marks generated values so a target can check that no error message ever repeats one. */
export const VALUE_MARKER = 'V4LU3';

const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t\r\n',
  '\u0000',
  'a\u0000b',
  '\ud800', // a lone surrogate: not valid UTF-16 text
  '\udfff\ud800',
  '\u202e\u2066evil', // bidi overrides
  '\ufeff',
  '\u00e9\u0301',
  '😀'.repeat(3),
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  "'; Remove-Item C:\\ -Recurse; '",
  '$(Stop-Computer)',
  '`n`r',
  '\u2018\u2019\u201a\u201b', // the typographic quotes PowerShell also ends strings with
  '../../../../etc/passwd',
  '..\\..\\Windows\\System32',
  'C:\\',
  '\\\\server\\share\\x.vhdx',
  '%00',
  '%FF%FE',
  '<script>alert(1)</script>',
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
  '{"id":1}',
  'null',
  'NaN',
  '-0',
  '1e309',
  '0x10',
  ' 42 ',
  '+7',
  'true',
  'yes',
  '127.0.0.1',
  '256.256.256.256',
  '::1',
  'fe80::1%eth0',
  'hv01.corp.local',
  'a'.repeat(64),
  'a'.repeat(254),
  '-'.repeat(300),
  'OU=' + ',DC=x'.repeat(200),
  'ssh-ed25519 ' + 'A'.repeat(500),
];

const HOSTILE_NUMBERS: readonly number[] = [0, -0, 1, -1, 0.5, 4.7, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER, 65_535, 65_536];
/** Not JSON, but Electron IPC (structured clone) carries them. */
const NON_JSON_NUMBERS: readonly number[] = [NaN, Infinity, -Infinity];

/** A string from one of several families: printable, any code unit, hostile, marked, or long. */
export function randomString(rng: Rng, maxLength = 40): string {
  switch (rng.int(8)) {
    case 0:
      return rng.pick(HOSTILE_STRINGS);
    case 1:
      return asciiString(rng, rng.int(maxLength + 1));
    case 2:
      return String.fromCharCode(...Array.from({ length: rng.int(maxLength + 1) }, () => rng.int(0x10000)));
    case 3:
      return `${VALUE_MARKER}${rng.int(1e6)}${rng.pick(HOSTILE_STRINGS)}`;
    case 4:
      return rng.chance(0.3) ? longString(rng) : asciiString(rng, maxLength * 4);
    case 5:
      return rng.pick(HOSTILE_STRINGS) + asciiString(rng, rng.int(8)) + rng.pick(HOSTILE_STRINGS);
    default:
      return asciiString(rng, 1 + rng.int(12), ALNUM);
  }
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

export function asciiString(rng: Rng, length: number, alphabet = PRINTABLE): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[rng.int(alphabet.length)];
  return out;
}

/** Long text built to stress regular expressions: repeats of separators, almost-matching tails. */
export function longString(rng: Rng): string {
  const unit = rng.pick(['a', '-', '.', 'a.', 'a-', ':', '0', ' ', '\\a', ',DC=', 'A:', '1.', 'ab', '\\\\', '%', '\u00e9']);
  const length = rng.pick([100, 1_000, 10_000, rng.chance(0.05) ? 200_000 : 20_000]);
  const tail = rng.pick(['', '!', '\n', ' ', '\u0000', '.', '-', '..']);
  return unit.repeat(Math.ceil(length / unit.length)) + tail;
}

export function hostileNumber(rng: Rng, allowNonJson = false): number {
  if (allowNonJson && rng.chance(0.2)) return rng.pick(NON_JSON_NUMBERS);
  return rng.chance(0.7) ? rng.pick(HOSTILE_NUMBERS) : (rng.next() - 0.5) * 10 ** rng.int(20);
}

/** Any JSON value, up to `depth` levels. */
export function randomJson(rng: Rng, depth = 3): unknown {
  const kind = rng.int(depth > 0 ? 8 : 5);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return hostileNumber(rng);
    case 3:
    case 4:
      return randomString(rng);
    case 5:
    case 6: {
      const out: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--) out[randomKey(rng)] = randomJson(rng, depth - 1);
      return out;
    }
    default:
      return Array.from({ length: rng.int(5) }, () => randomJson(rng, depth - 1));
  }
}

export function randomKey(rng: Rng): string {
  return rng.chance(0.3) ? rng.pick(['__proto__', 'constructor', 'prototype', '', ' ', 'id', 'toString', '\u0000', 'a'.repeat(300)]) : asciiString(rng, 1 + rng.int(10), ALNUM);
}

/** Arrays or objects nested `depth` deep: for recursion limits in validators and serialisers. */
export function deeplyNested(rng: Rng, depth: number): unknown {
  let value: unknown = rng.chance(0.5) ? 1 : 'x';
  for (let i = 0; i < depth; i++) value = rng.chance(0.5) ? [value] : { a: value };
  return value;
}

/** Values only structured clone (Electron IPC) can carry, plus a cyclic object. */
export function nonJsonValue(rng: Rng): unknown {
  switch (rng.int(9)) {
    case 0:
      return undefined;
    case 1:
      return rng.pick(NON_JSON_NUMBERS);
    case 2:
      return BigInt(rng.int(1000));
    case 3:
      return new Date(rng.chance(0.5) ? NaN : rng.int(2 ** 31) * 1000);
    case 4:
      return new Map([['a', 1]]);
    case 5:
      return new Uint8Array(rng.int(8));
    case 6: {
      const sparse: unknown[] = [];
      sparse[rng.int(50)] = 1;
      return sparse;
    }
    case 7:
      return Object.assign(Object.create(null) as object, { id: 'x' });
    default: {
      const cyclic: Record<string, unknown> = { id: 'x' };
      cyclic.self = cyclic;
      return cyclic;
    }
  }
}

type Schema = Record<string, unknown>;

/** Examples tried, in order, for a string with a pattern or format: the first that fits is used. */
const STRING_EXAMPLES: readonly string[] = [
  'hv01.corp.local',
  '10.0.0.5',
  'fe80::1',
  'C:\\ProgramData\\Aether-V\\agent',
  'http://10.0.0.20:8765',
  '',
  'AB:'.repeat(31) + 'AB',
  'ab'.repeat(32),
  'vmName',
  'vm-create',
  'CORP\\admin',
  'web01',
  'x',
];

/**
 * A value meant to satisfy `schema` (TypeBox JSON schema: objects, arrays, anyOf, const, strings
 * with bounds/pattern/format, integers and numbers with bounds, booleans, null, unknown). Best
 * effort: a pattern no example fits gets a plain word, which the validator then refuses.
 */
export function fromSchema(schema: Schema, rng: Rng, depth = 0): unknown {
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return rng.pick(schema.enum as unknown[]);
  if (Array.isArray(schema.anyOf)) return fromSchema(rng.pick(schema.anyOf as Schema[]), rng, depth);
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set((schema.required as string[] | undefined) ?? []);
      for (const [key, child] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) {
        if (required.has(key) || rng.chance(0.5)) out[key] = fromSchema(child, rng, depth + 1);
      }
      const patterned = schema.patternProperties as Record<string, Schema> | undefined;
      if (patterned) for (let i = rng.int(4); i > 0; i--) out[asciiString(rng, 1 + rng.int(8), ALNUM)] = fromSchema(Object.values(patterned)[0]!, rng, depth + 1);
      return out;
    }
    case 'array': {
      const min = (schema.minItems as number | undefined) ?? 0;
      const max = Math.min((schema.maxItems as number | undefined) ?? 5, min + 5);
      return Array.from({ length: min + rng.int(max - min + 1) }, () => fromSchema((schema.items as Schema | undefined) ?? {}, rng, depth + 1));
    }
    case 'string':
      return stringFor(schema, rng);
    case 'integer':
    case 'number': {
      const min = (schema.minimum as number | undefined) ?? -1000;
      const max = (schema.maximum as number | undefined) ?? 100_000;
      const n = min + rng.int(Math.min(max - min, 1e9) + 1);
      return schema.type === 'number' && rng.chance(0.3) ? n + 0.5 : n;
    }
    case 'boolean':
      return rng.chance(0.5);
    case 'null':
      return null;
    default:
      return depth > 4 ? null : randomJson(rng, 2); // Type.Unknown(): anything
  }
}

function stringFor(schema: Schema, rng: Rng): string {
  const min = (schema.minLength as number | undefined) ?? 0;
  const max = (schema.maxLength as number | undefined) ?? 64;
  const pattern = typeof schema.pattern === 'string' ? patternOf(schema.pattern) : undefined;
  const format = schema.format as string | undefined;
  if (pattern || format) {
    const fits = STRING_EXAMPLES.filter((s) => s.length >= min && s.length <= max && (!pattern || pattern.test(s)) && fitsFormat(format, s));
    if (fits.length) return rng.pick(fits);
  }
  return asciiString(rng, Math.max(min, Math.min(max, 1 + rng.int(12))), ALNUM);
}

const patterns = new Map<string, RegExp>();
function patternOf(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) patterns.set(source, (re = new RegExp(source, 'u')));
  return re;
}

function fitsFormat(format: string | undefined, s: string): boolean {
  if (!format) return true;
  if (format === 'ipv4') return /^\d+\.\d+\.\d+\.\d+$/.test(s);
  if (format === 'ipv6') return s.includes(':') && !s.includes('.') && !s.includes('\\') && !s.includes('/');
  return true;
}

/**
 * A hostile variant of a valid value: one node replaced (wrong type, hostile string, extreme
 * number, deep nesting, a non-JSON value when `allowNonJson`), a key removed or added, or the
 * whole value swapped.
 */
export function mutate(value: unknown, rng: Rng, allowNonJson = false): unknown {
  if (rng.chance(0.1)) return replacement(rng, allowNonJson);
  const copy = structuredCloneSafe(value);
  const containers: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const visit = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    for (const key of Object.keys(node)) {
      containers.push({ parent: node as Record<string, unknown>, key: Array.isArray(node) ? Number(key) : key });
      visit((node as Record<string, unknown>)[key]);
    }
  };
  visit(copy);
  const edits = 1 + rng.int(3);
  for (let i = 0; i < edits; i++) {
    if (containers.length === 0 || rng.chance(0.15)) {
      if (copy !== null && typeof copy === 'object' && !Array.isArray(copy)) (copy as Record<string, unknown>)[randomKey(rng)] = replacement(rng, allowNonJson);
      continue;
    }
    const { parent, key } = rng.pick(containers);
    const choice = rng.int(3);
    if (choice === 0 && !Array.isArray(parent)) delete parent[key as string];
    else if (choice === 1 && !Array.isArray(parent)) parent[randomKey(rng)] = replacement(rng, allowNonJson);
    else (parent as Record<string | number, unknown>)[key] = replacement(rng, allowNonJson);
  }
  return copy;
}

function replacement(rng: Rng, allowNonJson: boolean): unknown {
  switch (rng.int(allowNonJson ? 7 : 6)) {
    case 0:
      return randomString(rng);
    case 1:
      return hostileNumber(rng, allowNonJson);
    case 2:
      return rng.chance(0.02) ? deeplyNested(rng, rng.pick([100, 1_000, 10_000])) : randomJson(rng, 2);
    case 3:
      return rng.pick([null, true, false, [], {}, [null], { '': null }]);
    case 4:
      return longString(rng);
    case 5:
      return randomJson(rng, 1);
    default:
      return nonJsonValue(rng);
  }
}

function structuredCloneSafe(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}
