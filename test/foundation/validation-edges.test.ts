import { describe, expect, test } from 'vitest';
import { commands, ContractError } from '../../src/shared/contract';
import { assertValid } from '../../src/main/validation/validator';
import { compileJobSchema, loadJobSchema } from '../../src/main/jobs';
import { validateJobInput } from '../../src/main/jobs/validation/validate';

// Edges the fuzz targets (test/fuzz/targets) found: field names that are request input, and text far
// longer than its field allows.

const refusal = (schema: (typeof commands)[keyof typeof commands]['request'], value: unknown) => {
  try {
    assertValid(schema, value);
  } catch (error) {
    if (error instanceof ContractError) return error;
  }
  throw new Error('expected a refusal');
};

describe('request validation names every field a person can see', () => {
  test('an empty, long or control-character key is named visibly, and a nested one with its path', () => {
    expect(refusal(commands['app.info'].request, { '': 1 }).details).toEqual({ fields: [{ field: '""', message: 'is not a known field; remove it' }] });
    const long = refusal(commands['app.info'].request, { ['k'.repeat(500)]: 1 }).details as { fields: { field: string }[] };
    expect(long.fields[0]!.field).toBe('k'.repeat(61) + '...');
    const control = refusal(commands['app.info'].request, { 'a\u0000\u202eb': 1 }).details as { fields: { field: string }[] };
    expect(control.fields[0]!.field).toBe('a??b');
    const nested = refusal(commands['jobs.list'].request, { filter: { 'a/b': 1 } }).details as { fields: { field: string }[] };
    expect(nested.fields[0]!.field).toBe('filter.a/b');
  });
});

describe('job input validator', () => {
  const compiled = compileJobSchema(loadJobSchema());

  test('an empty key is refused under a visible name', () => {
    const result = validateJobInput(compiled, { imageOsFamily: 'windows', fields: { '': 'x' } });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.find((e) => e.rule === 'unknown')?.field).toBe('""');
  });

  test('text far longer than its field is refused as too long, before its pattern, and still counts as given', () => {
    const result = validateJobInput(compiled, { imageOsFamily: 'windows', fields: { vmName: 'a'.repeat(1_000_000) + '!', domainOu: 'OU=' + ',DC=x'.repeat(300_000) } });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.find((e) => e.field === 'vmName')).toEqual({ field: 'vmName', rule: 'maxLength', message: 'must be at most 63 characters' });
    expect(errors.find((e) => e.field === 'domainOu')).toMatchObject({ rule: 'maxLength' });
    // domainOu belongs to the domain-join set: given (though refused), it asks for its companions.
    expect(errors.some((e) => e.rule === 'variants')).toBe(true);
    expect(JSON.stringify(errors)).not.toContain('aaaa');
  });
});
