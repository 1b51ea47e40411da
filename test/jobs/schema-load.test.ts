import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, describe, expect, test } from 'vitest';
import { checkSchemaDocument, createJobsModule, defaultSchemaPath, fileSchemaCheckMemo, JobSchemaInvalid, loadJobSchema } from '../../src/main/jobs';
import type { ServiceContext } from '../../src/main/service-module';
import { tempDir } from '../support/temp';

type Doc = { version: number; fields: Record<string, unknown>[]; parameterSets: Record<string, unknown>[]; sections: Record<string, unknown>[] };
const bundled = () => yaml.load(readFileSync(defaultSchemaPath(), 'utf8')) as Doc;
const field = (doc: Doc, id: string) => doc.fields.find((f) => f.id === id)!;
const problemsOf = (mutate: (doc: Doc) => void) => {
  const doc = bundled();
  mutate(doc);
  return checkSchemaDocument(doc).problems.join('\n');
};

describe('job input schema: loading and checks', () => {
  const temp = tempDir();
  afterAll(() => temp.cleanup());

  test('the bundled schema loads, is versioned and describes the create-VM inputs', () => {
    const schema = loadJobSchema();
    expect(schema.version).toBe(1);
    expect(schema.id).toBe('vm-create');
    const ids = schema.fields.map((f) => f.id);
    for (const id of ['vmName', 'imagePath', 'cpuCount', 'memoryGB', 'adminPassword', 'ipv4Address', 'domainName', 'ansibleSshKey', 'switchName', 'vmRootPath']) expect(ids).toContain(id);
    expect(new Set(schema.fields.map((f) => f.type))).toEqual(new Set(['string', 'secret', 'integer', 'boolean', 'ipv4', 'multiline', 'hostname']));
    expect(schema.fields.find((f) => f.id === 'switchName')).toMatchObject({ source: 'host.networks' });
    expect(schema.fields.find((f) => f.id === 'vmRootPath')).toMatchObject({ source: 'host.storage' });
    expect(schema.parameterSets.map((s) => `${s.id}:${s.kind}`)).toEqual(['staticIpv4:variants', 'domainJoin:variants', 'ansibleAccess:allOrNone']);
  });

  test.each([
    ['a duplicate field id', (d: Doc) => d.fields.push({ ...field(d, 'cpuCount'), target: { field: 'other' } }), /field id "cpuCount" is used more than once/],
    ['a set naming an unknown field', (d: Doc) => ((d.parameterSets[2]!.members as string[])[1] = 'sshKey'), /parameter set "ansibleAccess" names unknown field "sshKey"/],
    ['a default above its maximum', (d: Doc) => (field(d, 'cpuCount').default = 65), /field "cpuCount": default must be between 1 and 64/],
    ['a default breaking its pattern', (d: Doc) => (field(d, 'vmName').default = 'bad name'), /field "vmName": default must be letters, digits/],
    ['a secret with a default', (d: Doc) => (field(d, 'adminPassword').default = 'Passw0rd!'), /fields\[\d+ \(adminPassword\)\]: unknown key "default"/],
    ['an unknown type', (d: Doc) => (field(d, 'vlanId').type = 'number'), /fields\[\d+ \(vlanId\)\]\.type: must be one of string, secret/],
    ['a bound of the wrong type', (d: Doc) => (field(d, 'memoryGB').maximum = 'lots'), /fields\[\d+ \(memoryGB\)\]\.maximum: must be integer/],
    ['minimum above maximum', (d: Doc) => Object.assign(field(d, 'vlanId'), { minimum: 10, maximum: 5 }), /field "vlanId": minimum 10 is above maximum 5/],
    ['an invalid regular expression', (d: Doc) => (field(d, 'adminUser').pattern = '^[a-z'), /field "adminUser": pattern is not a valid regular expression/],
    ['a required field inside a set', (d: Doc) => (field(d, 'ipv4Gateway').required = true), /field "ipv4Gateway" is required but also in parameter set "staticIpv4"/],
    ['a variant without required fields', (d: Doc) => ((d.parameterSets[0]!.variants as { required: string[] }[])[0]!.required = []), /parameterSets\[0 \(staticIpv4\)\]\.variants\.0\.required: must NOT have fewer than 1 items/],
    ['a set of an unknown kind', (d: Doc) => (d.parameterSets[1]!.kind = 'oneOf'), /parameterSets\[1 \(domainJoin\)\]\.kind: must be "variants" or "allOrNone"/],
    ['a field in no set and no section', (d: Doc) => delete field(d, 'vlanId').section, /field "vlanId" is in no parameter set and names no section/],
    ['a missing version', (d: Doc) => delete (d as Partial<Doc>).version, /schema: missing "version"/],
    ['an empty field list', (d: Doc) => (d.fields = []), /schema\.fields: must NOT have fewer than 1 items/],
    ['a set mixing OS families', (d: Doc) => (field(d, 'domainOu').appliesTo = ['linux']), /parameter set "domainJoin" mixes fields that apply to different OS families/],
    ['a field naming a kind that is no choice', (d: Doc) => (field(d, 'isoPath').kinds = ['blank', 'golden']), /field "isoPath" names kind "golden", which is not a choice of field "provisioning" \(blank, template, customised\)/],
    ['a default that is not one of the choices', (d: Doc) => (field(d, 'provisioning').default = 'golden'), /field "provisioning": default must be one of blank, template, customised/],
    ['a set mixing kinds of VM', (d: Doc) => (field(d, 'ipv4Dns2').kinds = ['customised', 'template']), /parameter set "staticIpv4" mixes fields that apply to different kinds of VM \("ipv4Address", "ipv4Dns2"\)/],
    ['kinds without the kind field', (d: Doc) => (d.fields = d.fields.filter((f) => f.id !== 'provisioning')), /field "imagePath" names kind "template", which is not a choice of field "provisioning" \(there is no such field with choices\)/],
  ])('refuses %s, naming the problem', (_name, mutate, expected) => {
    expect(problemsOf(mutate)).toMatch(expected);
  });

  test('every bad default is named, with its own field, when several are wrong at once', () => {
    const problems = problemsOf((d) => {
      field(d, 'cpuCount').default = 65;
      field(d, 'vmName').default = 'bad name';
      field(d, 'memoryGB').default = 1024;
    });
    expect(problems).toMatch(/field "cpuCount": default must be between 1 and 64/);
    expect(problems).toMatch(/field "vmName": default must be letters, digits/);
    expect(problems).toMatch(/field "memoryGB": default must be between 1 and 512/);
    expect(problems.split('\n')).toHaveLength(3);
  });

  test('a file that is missing or not YAML is refused with the file named', () => {
    const missing = path.join(temp.dir, 'nope.yaml');
    expect(() => loadJobSchema(missing)).toThrow(JobSchemaInvalid);
    expect(() => loadJobSchema(missing)).toThrow(/nope\.yaml is invalid: cannot be read \(ENOENT\)/);
    const broken = path.join(temp.dir, 'broken.yaml');
    writeFileSync(broken, 'version: 1\nfields: [\n  - id: x\n');
    expect(() => loadJobSchema(broken)).toThrow(/broken\.yaml is invalid: is not valid YAML/);
  });

  test('a bad schema puts the module in diagnostic mode with the file and problem, and serves no commands', async () => {
    const file = path.join(temp.dir, 'bad-schema.yaml');
    const doc = bundled();
    field(doc, 'memoryGB').default = 1024;
    writeFileSync(file, yaml.dump(doc));
    const errors: string[] = [];
    const ctx = { dataDir: temp.dir, log: { info: () => undefined, warn: () => undefined, error: (m: string) => errors.push(m) }, started: new Map() } as unknown as ServiceContext;
    const started = await createJobsModule({ schemaPath: file }).start(ctx);
    expect(started.problems).toHaveLength(1);
    expect(started.problems![0]).toContain(file);
    expect(started.problems![0]).toMatch(/field "memoryGB": default must be between 1 and 512/);
    expect(started.status().state).toBe('failed');
    expect(started.handlers).toBeUndefined();
    expect(errors).toEqual(['job input schema rejected']);
  });

  test('the schema text that passed is remembered with its document; any other text is parsed and checked again', () => {
    const memoFile = path.join(temp.dir, 'job-schema-checked.json');
    const memo = fileSchemaCheckMemo(memoFile);
    const file = path.join(temp.dir, 'memo-schema.yaml');
    writeFileSync(file, readFileSync(defaultSchemaPath(), 'utf8'));
    const added: string[] = [];
    const spy = { get: (d: string) => memo.get(d), add: (d: string, doc: unknown) => (added.push(d), memo.add(d, doc)) };

    const first = loadJobSchema(file, spy);
    expect(first.id).toBe('vm-create');
    expect(added).toHaveLength(1);
    expect(JSON.parse(readFileSync(memoFile, 'utf8'))).toEqual({ digest: added[0], doc: first });
    expect(loadJobSchema(file, spy)).toEqual(first); // remembered: nothing new to add
    expect(added).toHaveLength(1);

    // A structural problem in a changed text is found (the memo names the old text only) and never remembered.
    const doc = bundled();
    (field(doc, 'memoryGB') as Record<string, unknown>).maximum = 'lots';
    writeFileSync(file, yaml.dump(doc));
    expect(() => loadJobSchema(file, spy)).toThrow(/fields\[\d+ \(memoryGB\)\]\.maximum: must be integer/);
    expect(added).toHaveLength(1);

    // A damaged memo file only means parsing and checking again.
    writeFileSync(memoFile, '{not json');
    writeFileSync(file, readFileSync(defaultSchemaPath(), 'utf8'));
    expect(loadJobSchema(file, spy)).toEqual(first);
    expect(added).toHaveLength(2);
    expect(existsSync(`${memoFile}.tmp`)).toBe(false);
  });

  test('the semantic rules run even for a remembered text', () => {
    const file = path.join(temp.dir, 'semantic.yaml');
    const doc = bundled();
    field(doc, 'cpuCount').default = 65;
    writeFileSync(file, yaml.dump(doc));
    const trustEverything = { get: () => yaml.load(readFileSync(file, 'utf8')), add: () => undefined };
    expect(() => loadJobSchema(file, trustEverything)).toThrow(/field "cpuCount": default must be between 1 and 64/);
  });
});
