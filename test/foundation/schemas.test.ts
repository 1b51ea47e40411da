import { describe, expect, test } from 'vitest';
import type { TSchema } from '@sinclair/typebox';
import { AllOrNoneSet, commandNames, commands, fieldSchemasByType, InventorySnapshotWire, JobInputSchemaRoot, topicNames, topics, VariantsSet } from '../../src/shared/contract';
import { SettingsDocument } from '../../src/main/settings/settings-store';
import { compile, createAjv } from '../../src/main/validation/validator';

// The app compiles these without checking them against the JSON Schema meta-schema (it costs the
// start ~60 ms); this is where that check happens, for every schema the app compiles.
const schemas: Array<[string, TSchema]> = [
  ...commandNames.flatMap((name): Array<[string, TSchema]> => [
    [`${name} request`, commands[name].request],
    [`${name} response`, commands[name].response],
  ]),
  ...topicNames.flatMap((name): Array<[string, TSchema]> => [
    [`topic ${name} snapshot`, topics[name].snapshot],
    [`topic ${name} delta`, topics[name].delta],
  ]),
  ['settings document', SettingsDocument],
  ['job input schema root', JobInputSchemaRoot],
  ['variants parameter set', VariantsSet],
  ['all-or-none parameter set', AllOrNoneSet],
  ...Object.entries(fieldSchemasByType).map(([type, schema]): [string, TSchema] => [`job field ${type}`, schema]),
  ['inventory snapshot wire', InventorySnapshotWire],
];

describe('contract schemas', () => {
  const checking = createAjv({ validateMetaSchema: true });

  test.each(schemas)('%s is a valid JSON schema that compiles in strict mode', (_name, schema) => {
    expect(checking.validateSchema(schema), JSON.stringify(checking.errors)).toBe(true);
    expect(() => checking.compile(schema)).not.toThrow();
  });

  test('this check catches a malformed schema', () => {
    const broken = { type: 'object', properties: { port: { type: 'integer', minimum: 'one' } } } as unknown as TSchema;
    expect(checking.validateSchema(broken)).toBe(false);
  });

  test('the app validates with these schemas as before (field errors name the field)', () => {
    const validate = compile(commands['events.snapshot'].request);
    expect(validate({ topic: 'inventory' })).toBe(true);
    expect(validate({ topic: 'elsewhere' })).toBe(false);
  });
});
