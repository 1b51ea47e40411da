import { KIND_FIELD, SECRET_MASK, type JobField, type OsFamily } from '../../../src/shared/contract';
import { compileJobSchema, loadJobSchema, type CompiledJobSchema } from '../../../src/main/jobs';
import { maskSecrets, validateJobInput, type JobInput } from '../../../src/main/jobs/validation/validate';
import type { FuzzTarget, Rng } from '../fuzz-target';
import { hostileNumber, longString, mutate, nonJsonValue, randomJson, randomString, VALUE_MARKER } from '../support/values';

/**
 * The job input validator (src/main/jobs/validation) with the real create-VM schema
 * (schemas/job-inputs.yaml), fed what jobs.validate and jobs.submit pass it after the contract
 * check: an OS family and a `fields` object of anything. Inputs: complete valid forms, forms with
 * values a person types (text numbers, yes/no, padded text, Windows line endings), hostile values,
 * long text built to stress each field's pattern, unknown and prototype keys.
 * Checked: a success holds one value of the field's type per known field, passes the schema's own
 * value checks and masks every secret; a refusal names fields with a rule and a message, prints
 * unknown keys short and printable, and never repeats a value.
 */
let compiled: CompiledJobSchema;
const RULES = new Set(['required', 'type', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'ipv4', 'hostname', 'unknown', 'applicability', 'allOrNone', 'variants', 'subnet', 'switch', 'choice', 'bootSource']);

export const target: FuzzTarget = {
  name: 'job-input',
  setup() {
    compiled = compileJobSchema(loadJobSchema());
  },
  generate(rng: Rng): JobInput {
    const imageOsFamily: OsFamily = rng.pick(['windows', 'linux'] as const);
    const fields: Record<string, unknown> = {};
    for (const field of compiled.schema.fields) {
      if (rng.chance(field.required ? 0.9 : 0.4)) fields[field.id] = typedValue(field, rng);
    }
    switch (rng.int(10)) {
      case 0:
      case 1:
      case 2:
        return { imageOsFamily, fields };
      case 3:
        return { imageOsFamily, fields: rng.chance(0.7) ? (randomJson(rng) as Record<string, unknown>) : (nonJsonValue(rng) as Record<string, unknown>) };
      default:
        return { imageOsFamily, fields: mutate(fields, rng, rng.chance(0.1)) as Record<string, unknown> };
    }
  },
  run(input) {
    const job = input as JobInput;
    const result = validateJobInput(compiled, job);
    if (result.ok) return checkSuccess(result.values);
    if (result.errors.length === 0) throw new Error('a refusal without errors');
    for (const error of result.errors) {
      if (typeof error.field !== 'string' || error.field === '' || error.field.length > 64 || /[^\x20-\x7e]/.test(error.field)) throw new Error(`an error names an unprintable field: ${JSON.stringify(error.field).slice(0, 80)}`);
      if (!RULES.has(error.rule)) throw new Error(`an error with an unknown rule "${error.rule}"`);
      if (!error.message || error.message.includes(VALUE_MARKER)) throw new Error(`field ${error.field}: a message that is empty or repeats the value`);
    }
  },
};

function checkSuccess(values: Record<string, unknown>): void {
  for (const [id, value] of Object.entries(values)) {
    const field = compiled.fields.get(id);
    if (!field) throw new Error(`accepted an unknown field ${id}`);
    const expected = field.type === 'integer' ? 'number' : field.type === 'boolean' ? 'boolean' : 'string';
    if (typeof value !== expected || (field.type === 'integer' && !Number.isSafeInteger(value))) throw new Error(`accepted ${id} as ${typeof value}`);
  }
  if (!compiled.valueChecks(values)) throw new Error('accepted values that break the schema value checks');
  // The provisioning kind rules: no accepted value belongs to another kind of VM.
  const kind = values[KIND_FIELD];
  for (const id of Object.keys(values)) {
    const kinds = compiled.fields.get(id)?.kinds;
    if (kinds && !kinds.includes(String(kind))) throw new Error(`accepted ${id} for a ${String(kind)} VM`);
  }
  if (kind === 'blank' && values.bootSource === 'iso' && !('isoPath' in values)) throw new Error('accepted an ISO-booting blank VM without an ISO path');
  const masked = maskSecrets(compiled, values as never);
  for (const field of compiled.schema.fields) {
    if (field.type === 'secret' && field.id in masked && masked[field.id] !== SECRET_MASK) throw new Error(`secret ${field.id} is not masked`);
  }
}

/** What a form or API client might send for a field: a valid example, a typed variant of it, or stress. */
function typedValue(field: JobField, rng: Rng): unknown {
  const example = exampleFor(field, rng);
  // Long text costs the generator more than the validator: kept rare so a million inputs stay quick.
  if (rng.chance(0.03)) return rng.pick([`${example}${longString(rng)}`, `${longString(rng)}${example}`, `${String(example).slice(0, 4)}${longString(rng)}`]);
  switch (rng.int(7)) {
    case 0:
    case 1:
    case 2:
      return example;
    case 3: // as a person types it
      return typeof example === 'string' ? rng.pick([` ${example} `, example.replace(/\n/g, '\r\n') + '\r\n', example.toUpperCase()]) : String(example);
    case 4:
      return rng.chance(0.5) ? `${VALUE_MARKER}${rng.int(1e6)}` : randomString(rng);
    case 5:
      return hostileNumber(rng, rng.chance(0.1));
    default:
      return rng.pick([true, false, null, '', 'yes', 'off', 1, 0, [], {}, [example]]);
  }
}

const EXAMPLES: Record<string, readonly string[]> = {
  vmName: ['web01', 'a', 'x-1'],
  imagePath: ['D:\\Images\\ws2022.vhdx', '\\\\fs\\share\\img.vhd'],
  isoPath: ['D:\\ISOs\\ubuntu.iso', '\\\\fs\\share\\WIN.ISO'],
  vmRootPath: ['C:\\ClusterStorage\\Volume1\\VMs', 'D:\\'],
  switchName: ['External'],
  adminUser: ['Administrator', 'admin'],
  domainOu: ['OU=Servers,DC=corp,DC=example,DC=com'],
  ansibleUser: ['ansible', '_svc'],
  ansibleSshKey: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG ansible@control', 'ssh-rsa AAAAB3Nza'],
  domainJoinUser: ['CORP\\svc-join'],
};

function exampleFor(field: JobField, rng: Rng): unknown {
  switch (field.type) {
    case 'integer': {
      const min = field.minimum ?? 0;
      const max = field.maximum ?? 4096;
      return min + rng.int(max - min + 1);
    }
    case 'boolean':
      return rng.chance(0.5);
    case 'ipv4':
      return rng.pick(['10.0.10.21', '192.0.2.1', '0.0.0.0']);
    case 'hostname':
      return rng.pick(['corp.example.com', 'example', 'a-b.c']);
    case 'secret':
      return `${VALUE_MARKER}-${rng.int(1e9)}-Passw0rd!`;
    default:
      if (field.type === 'string' && field.choices) return rng.pick(field.choices.map((c) => c.value));
      return rng.pick(EXAMPLES[field.id] ?? [field.hint ?? 'value']);
  }
}
