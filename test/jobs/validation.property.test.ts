import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { assertJobInput, JobValidationFailed, validateJobInput } from '../../src/main/jobs';
import type { OsFamily } from '../../src/shared/contract';
import { compiled } from './fixtures';

/**
 * Property-based checks over the bundled schema: generated valid submissions pass; each single
 * mutation that breaks one rule is refused with that field named; unknown keys are always refused;
 * nothing but the typed validation error ever escapes; no secret reaches an error message.
 */

const SECRET_MARK = 'ZkSecret';
const word = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z][A-Za-z0-9]{${min - 1},${max - 1}}$`));
const spaced = (a: fc.Arbitrary<string>) => fc.tuple(fc.constantFrom('', ' ', '  ', '\t'), a, fc.constantFrom('', ' ', '\n')).map(([l, v, r]) => `${l}${v}${r}`);
const int = (min: number, max: number) => fc.integer({ min, max }).chain((n) => fc.constantFrom<unknown>(n, String(n), ` ${n} `));
const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
// A static IPv4 setting that can work: prefix /8–/24, a host address (neither the network nor the
// broadcast address: last octet 2–254) and the gateway .1 in the same subnet.
const staticNet = fc
  .record({ a: fc.integer({ min: 1, max: 223 }), b: octet, c: octet, d: fc.integer({ min: 2, max: 254 }), prefix: fc.integer({ min: 8, max: 24 }) })
  .chain(({ a, b, c, d, prefix }) => {
    const subnetSize = 2 ** (32 - prefix);
    const network = Math.floor((((a * 256 + b) * 256 + c) * 256) / subnetSize) * subnetSize;
    const gw = network + 1;
    const gateway = [24, 16, 8, 0].map((shift) => Math.floor(gw / 2 ** shift) % 256).join('.');
    return fc.record({ ipv4Address: fc.constant(`${a}.${b}.${c}.${d}`), ipv4PrefixLength: fc.constantFrom<unknown>(prefix, String(prefix), ` ${prefix} `), ipv4Gateway: fc.constant(gateway) });
  })
  .filter((n) => n.ipv4Address !== n.ipv4Gateway);
const dnsName = fc.array(word(1, 12), { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
const secret = fc.stringMatching(/^[A-Za-z0-9!#%&*+\-=?@^_~]{4,60}$/).map((s) => `${SECRET_MARK}${s}`);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

type Generated = { family: OsFamily; fields: Record<string, unknown> };

const validSubmission: fc.Arbitrary<Generated> = fc
  .record({
    family: fc.constantFrom<OsFamily>('windows', 'linux'),
    base: fc.record({
      vmName: spaced(fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/)),
      imagePath: fc.tuple(fc.constantFrom('C', 'd'), word(1, 10), word(1, 10), fc.constantFrom('vhdx', 'vhd')).map(([d, a, b, e]) => `${d}:\\${a}\\${b}.${e}`),
      vmRootPath: fc.tuple(fc.constantFrom('C', 'E'), word(1, 10)).map(([d, a]) => `${d}:\\${a}`),
      adminUser: spaced(word(1, 20)),
      adminPassword: secret,
    }),
    optional: fc.record(
      {
        cpuCount: int(1, 64),
        memoryGB: int(1, 512),
        generation: int(1, 2),
        diskSizeGB: int(1, 65536),
        vlanId: int(1, 4094),
        clustered: fc.constantFrom<unknown>(true, false, 'yes', 'No', 'on', 'OFF', 'true', '0'),
        switchName: spaced(word(1, 30)),
        dnsSuffix: dnsName,
      },
      { requiredKeys: [] },
    ),
    staticIp: fc.oneof(
      fc.constant({}),
      staticNet,
      fc.tuple(staticNet, fc.record({ ipv4Dns1: ipv4, ipv4Dns2: maybe(ipv4) })).map(([n, dns]) => ({ ...n, ...dns })),
    ),
    domain: fc.oneof(
      fc.constant({}),
      fc.record({ domainName: dnsName, domainJoinUser: word(1, 20), domainJoinPassword: secret, domainOu: maybe(word(1, 8).map((o) => `OU=${o},DC=corp,DC=example`)) }),
    ),
    ansible: fc.oneof(fc.constant({}), fc.record({ ansibleUser: fc.stringMatching(/^[a-z_][a-z0-9_-]{0,20}$/), ansibleSshKey: fc.stringMatching(/^[A-Za-z0-9+/]{8,80}$/).map((k) => `ssh-ed25519 ${k} ctl\r\n`) })),
  })
  .map(({ family, base, optional, staticIp, domain, ansible }) => ({
    family,
    fields: { ...base, ...optional, ...staticIp, ...(family === 'windows' ? domain : ansible) },
  }));

function present(fields: Record<string, unknown>, id: string): boolean {
  const v = fields[id];
  return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
}

/** A mutation breaks exactly one rule of one field, and says which field must be named. */
type Mutation = { field: string; rules: string[]; apply(g: Generated): Generated };
const withField = (id: string, value: unknown): Mutation['apply'] => (g) => ({ ...g, fields: { ...g.fields, [id]: value } });
const without = (id: string): Mutation['apply'] => (g) => {
  const fields = { ...g.fields };
  delete fields[id];
  return { ...g, fields };
};

function mutations(g: Generated): Mutation[] {
  const out: Mutation[] = [
    { field: 'cpuCount', rules: ['maximum'], apply: withField('cpuCount', 65) },
    { field: 'memoryGB', rules: ['minimum'], apply: withField('memoryGB', '0') },
    { field: 'vlanId', rules: ['maximum'], apply: withField('vlanId', 4095) },
    { field: 'cpuCount', rules: ['type'], apply: withField('cpuCount', '2.5') },
    { field: 'generation', rules: ['type'], apply: withField('generation', true) },
    { field: 'clustered', rules: ['type'], apply: withField('clustered', 1) },
    { field: 'vmName', rules: ['maxLength'], apply: withField('vmName', 'a'.repeat(64)) },
    { field: 'vmName', rules: ['pattern'], apply: withField('vmName', 'web_01') },
    { field: 'vmName', rules: ['required'], apply: without('vmName') },
    { field: 'adminPassword', rules: ['required'], apply: withField('adminPassword', '   ') },
    { field: 'adminPassword', rules: ['maxLength'], apply: withField('adminPassword', `${SECRET_MARK}${'q'.repeat(130)}`) },
    { field: 'adminUser', rules: ['type'], apply: withField('adminUser', ['admin']) },
    { field: 'dnsSuffix', rules: ['hostname'], apply: withField('dnsSuffix', 'bad_name.example') },
    { field: g.family === 'windows' ? 'ansibleUser' : 'domainName', rules: ['applicability'], apply: withField(g.family === 'windows' ? 'ansibleUser' : 'domainName', 'x') },
  ];
  if (present(g.fields, 'ipv4Address')) {
    out.push({ field: 'ipv4Gateway', rules: ['ipv4'], apply: withField('ipv4Gateway', '10.0.0.256') });
    out.push({ field: 'ipv4PrefixLength', rules: ['variants'], apply: without('ipv4PrefixLength') });
    out.push({ field: 'ipv4PrefixLength', rules: ['maximum'], apply: withField('ipv4PrefixLength', 33) });
    // Another first octet is outside any subnet of /8 or longer.
    const first = Number(String(g.fields.ipv4Address).split('.')[0]);
    out.push({ field: 'ipv4Gateway', rules: ['subnet'], apply: withField('ipv4Gateway', `${(first % 223) + 1}.0.0.1`) });
    if (present(g.fields, 'ipv4Dns1')) out.push({ field: 'ipv4Dns1', rules: ['variants'], apply: (x) => withField('ipv4Dns2', '10.0.0.2')(without('ipv4Dns1')(x)) });
  } else {
    out.push({ field: 'ipv4Gateway', rules: ['variants'], apply: withField('ipv4Address', '10.1.2.3') });
  }
  if (present(g.fields, 'domainName')) out.push({ field: 'domainJoinPassword', rules: ['variants'], apply: without('domainJoinPassword') });
  if (present(g.fields, 'ansibleUser')) out.push({ field: 'ansibleSshKey', rules: ['allOrNone'], apply: without('ansibleSshKey') });
  if (g.family === 'linux' && !present(g.fields, 'ansibleUser')) out.push({ field: 'ansibleUser', rules: ['allOrNone'], apply: withField('ansibleSshKey', 'ssh-rsa AAAAB3 k') });
  return out;
}

const secretsOf = (fields: Record<string, unknown>) => ['adminPassword', 'domainJoinPassword'].map((k) => fields[k]).filter((v): v is string => typeof v === 'string' && v.includes(SECRET_MARK));

describe('job input validation: properties', () => {
  test('every generated valid submission passes, with coerced types and the secret kept intact', () => {
    fc.assert(
      fc.property(validSubmission, (g) => {
        const result = validateJobInput(compiled, { imageOsFamily: g.family, fields: g.fields });
        expect(result.ok ? [] : result.errors).toEqual([]);
        if (!result.ok) return;
        expect(typeof result.values.cpuCount).toBe('number');
        expect(typeof result.values.clustered).toBe('boolean');
        expect(result.values.adminPassword).toBe(g.fields.adminPassword);
        expect(result.values.vmName).toBe(String(g.fields.vmName).trim());
      }),
      { numRuns: 300 },
    );
  });

  test('each single rule-breaking mutation is refused with that field and rule named, and no secret in any message', () => {
    fc.assert(
      fc.property(validSubmission.chain((g) => fc.tuple(fc.constant(g), fc.constantFrom(...mutations(g)))), ([g, mutation]) => {
        const mutated = mutation.apply(g);
        const result = validateJobInput(compiled, { imageOsFamily: mutated.family, fields: mutated.fields });
        expect(result.ok).toBe(false);
        if (result.ok) return;
        const named = result.errors.filter((e) => e.field === mutation.field).map((e) => e.rule);
        expect(named, `${mutation.field} ${JSON.stringify(result.errors)}`).toEqual(mutation.rules);
        const text = JSON.stringify(result.errors);
        for (const s of secretsOf(mutated.fields)) expect(text).not.toContain(s);
        expect(text).not.toContain(SECRET_MARK);
      }),
      { numRuns: 400 },
    );
  });

  test('unknown fields are always refused by name, whatever else is sent', () => {
    const known = new Set(compiled.fields.keys());
    const unknownKey = fc.string({ minLength: 1, maxLength: 30 }).filter((k) => !known.has(k) && /^[\x20-\x7e]+$/.test(k));
    fc.assert(
      fc.property(validSubmission, unknownKey, fc.anything(), (g, key, value) => {
        const result = validateJobInput(compiled, { imageOsFamily: g.family, fields: { ...g.fields, [key]: value } });
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.errors.filter((e) => e.rule === 'unknown').map((e) => e.field)).toEqual([key]);
      }),
      { numRuns: 300 },
    );
  });

  test('arbitrary input never throws anything but the typed validation error', () => {
    const ids = [...compiled.fields.keys()];
    const fieldsArb = fc.oneof(
      fc.dictionary(fc.constantFrom(...ids), fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true })),
      fc.dictionary(fc.string(), fc.anything()),
    );
    fc.assert(
      fc.property(fc.constantFrom<OsFamily>('windows', 'linux'), fieldsArb, (family, fields) => {
        try {
          assertJobInput(compiled, { imageOsFamily: family, fields });
        } catch (error) {
          expect(error).toBeInstanceOf(JobValidationFailed);
          expect((error as JobValidationFailed).fields.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
