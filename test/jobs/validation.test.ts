import { describe, expect, test } from 'vitest';
import { assertJobInput, JobValidationFailed, validateJobInput } from '../../src/main/jobs';
import type { JobFieldError } from '../../src/shared/contract';
import { compiled, DOMAIN, STATIC_IP, windowsForm } from './fixtures';

const check = (fields: Record<string, unknown>, imageOsFamily: 'windows' | 'linux' = 'windows') => validateJobInput(compiled, { imageOsFamily, fields });
const errorsOf = (fields: Record<string, unknown>, family: 'windows' | 'linux' = 'windows'): JobFieldError[] => {
  const result = check(fields, family);
  if (result.ok) throw new Error('expected errors');
  return result.errors;
};
const ruleOf = (errors: JobFieldError[], field: string) => errors.filter((e) => e.field === field).map((e) => e.rule);

describe('job input validation: examples of every rule', () => {
  test('form text is cleaned: trimmed, integers and booleans coerced, defaults filled, absent optionals left out', () => {
    const result = check(windowsForm({ vmName: '  web01 ', cpuCount: ' 6 ', clustered: 'Yes', memoryGB: '', generation: undefined, vlanId: '  ' }));
    expect(result).toEqual({
      ok: true,
      values: {
        vmName: 'web01',
        imagePath: 'D:\\Images\\ws2022.vhdx',
        cpuCount: 6,
        memoryGB: 4,
        generation: 2,
        provisioning: 'customised',
        clustered: true,
        vmRootPath: 'C:\\ClusterStorage\\Volume1\\VMs',
        switchName: 'External',
        adminUser: 'admin',
        adminPassword: 'Adm1n-Secret-7731',
      },
    });
  });

  test('multiline values get normalised line endings', () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7 ansible@ctl';
    const result = check(windowsForm({ ansibleUser: 'ansible', ansibleSshKey: `${key}\r\n\r\n` }), 'linux');
    expect(result.ok && result.values.ansibleSshKey).toBe(key);
  });

  test('types: a float, a boolean number and an object are refused, not truncated or guessed', () => {
    const errors = errorsOf(windowsForm({ cpuCount: 4.7, clustered: 1, vmName: { name: 'x' } }));
    expect(ruleOf(errors, 'cpuCount')).toEqual(['type']);
    expect(ruleOf(errors, 'clustered')).toEqual(['type']);
    expect(ruleOf(errors, 'vmName')).toEqual(['type']);
    expect(errors.find((e) => e.field === 'cpuCount')!.message).toBe('must be a whole number');
  });

  test('bounds: ranges, lengths and patterns, each naming the rule', () => {
    const errors = errorsOf(windowsForm({ cpuCount: '65', memoryGB: 0, vmName: 'a'.repeat(64), adminPassword: 'short', imagePath: 'relative\\disk.vhdx' }));
    expect(ruleOf(errors, 'cpuCount')).toEqual(['maximum']);
    expect(errors.find((e) => e.field === 'cpuCount')!.message).toBe('must be between 1 and 64');
    expect(ruleOf(errors, 'memoryGB')).toEqual(['minimum']);
    expect(ruleOf(errors, 'vmName')).toEqual(['maxLength']);
    expect(ruleOf(errors, 'adminPassword')).toEqual(['minLength']);
    expect(ruleOf(errors, 'imagePath')).toEqual(['pattern']);
    expect(errors.find((e) => e.field === 'imagePath')!.message).toMatch(/full path to a \.vhdx/);
  });

  test('a path escaping with .. is refused', () => {
    expect(ruleOf(errorsOf(windowsForm({ imagePath: 'D:\\Images\\..\\secret.vhdx' })), 'imagePath')).toEqual(['pattern']);
  });

  test('IPv4: canonical dotted quads only (no leading zeros, no ranges over 255, no short forms)', () => {
    for (const bad of ['256.1.1.1', '010.0.0.1', '10.0.1', '10.0.0.1.5', '10.0.0.a', '::1']) {
      expect(ruleOf(errorsOf(windowsForm({ ...STATIC_IP, ipv4Address: bad })), 'ipv4Address'), bad).toEqual(['ipv4']);
    }
    // .255 is a host address in a /16 (only the subnet's own broadcast address is refused; network-rules.test.ts).
    expect(check(windowsForm({ ...STATIC_IP, ipv4PrefixLength: '16', ipv4Address: ' 10.0.10.255 ' }))).toMatchObject({ ok: true, values: { ipv4Address: '10.0.10.255' } });
  });

  test('host names: RFC 1123 labels', () => {
    for (const bad of ['-corp.example', 'corp..example', 'corp_example.com', `${'a'.repeat(64)}.com`, 'corp.example.']) {
      expect(ruleOf(errorsOf(windowsForm({ dnsSuffix: bad })), 'dnsSuffix'), bad).toEqual(['hostname']);
    }
    expect(check(windowsForm({ dnsSuffix: 'Corp-1.example.com' })).ok).toBe(true);
  });

  test('required fields are named', () => {
    const errors = errorsOf({ cpuCount: 2 });
    for (const id of ['vmName', 'imagePath', 'vmRootPath', 'adminUser', 'adminPassword']) expect(ruleOf(errors, id)).toEqual(['required']);
  });

  test('unknown fields are refused, each by name, alongside other errors', () => {
    const errors = errorsOf(windowsForm({ vm_name: 'x', osFamily: 'windows', cpuCount: 'many' }));
    expect(ruleOf(errors, 'vm_name')).toEqual(['unknown']);
    expect(ruleOf(errors, 'osFamily')).toEqual(['unknown']);
    expect(ruleOf(errors, 'cpuCount')).toEqual(['type']);
  });

  test('applicability: a field of the other OS family is refused with a message, never dropped', () => {
    const linux = errorsOf(windowsForm(DOMAIN), 'linux');
    expect(ruleOf(linux, 'domainName')).toEqual(['applicability']);
    expect(linux.find((e) => e.field === 'domainName')!.message).toMatch(/applies only to Windows images, and this image is Linux/);
    const windows = errorsOf(windowsForm({ ansibleUser: 'ansible' }), 'windows');
    expect(ruleOf(windows, 'ansibleUser')).toEqual(['applicability']);
    // Blank values of the other family are what a form sends for hidden inputs: not an error.
    expect(check(windowsForm({ domainName: '', domainJoinPassword: '  ' }), 'linux').ok).toBe(true);
  });

  test('static IPv4 variants: all or none of the core, DNS optional, secondary DNS needs the primary', () => {
    expect(check(windowsForm({ ipv4Address: '10.0.0.5', ipv4PrefixLength: 24, ipv4Gateway: '10.0.0.1' })).ok).toBe(true);
    expect(check(windowsForm({ ...STATIC_IP, ipv4Dns2: '10.0.0.54' })).ok).toBe(true);
    const partial = errorsOf(windowsForm({ ipv4Address: '10.0.0.5' }));
    expect(partial.map((e) => `${e.field}:${e.rule}`).sort()).toEqual(['ipv4Gateway:variants', 'ipv4PrefixLength:variants']);
    expect(partial[0]!.message).toMatch(/^is required when IPv4 address is given \(Static IPv4: /);
    const dns2Only = errorsOf(windowsForm({ ipv4Address: '10.0.0.5', ipv4PrefixLength: 24, ipv4Gateway: '10.0.0.1', ipv4Dns2: '10.0.0.54' }));
    expect(dns2Only.map((e) => `${e.field}:${e.rule}`)).toEqual(['ipv4Dns1:variants']);
  });

  test('domain join: domain, account and password together, OU optional', () => {
    expect(check(windowsForm(DOMAIN)).ok).toBe(true);
    expect(check(windowsForm({ ...DOMAIN, domainOu: 'OU=Servers,DC=corp,DC=example,DC=com' })).ok).toBe(true);
    const noPassword = errorsOf(windowsForm({ ...DOMAIN, domainJoinPassword: '' }));
    expect(noPassword.map((e) => `${e.field}:${e.rule}`)).toEqual(['domainJoinPassword:variants']);
    const ouOnly = errorsOf(windowsForm({ domainOu: 'OU=Servers,DC=corp,DC=example,DC=com' }));
    expect(ouOnly.map((e) => e.field).sort()).toEqual(['domainJoinPassword', 'domainJoinUser', 'domainName']);
  });

  test('Ansible access: both or neither', () => {
    const errors = errorsOf(windowsForm({ ansibleSshKey: 'ssh-ed25519 AAAAC3Nza ctl' }), 'linux');
    expect(errors).toEqual([{ field: 'ansibleUser', rule: 'allOrNone', message: expect.stringMatching(/required together with SSH public key/) }]);
  });

  test('a value that fails its own check still counts as given for its set', () => {
    const errors = errorsOf(windowsForm({ ipv4Address: '300.0.0.1' }));
    expect(ruleOf(errors, 'ipv4Address')).toEqual(['ipv4']);
    expect(ruleOf(errors, 'ipv4Gateway')).toEqual(['variants']);
  });

  test('assertJobInput throws the typed error carrying every field error; secrets never appear in it', () => {
    let thrown: unknown;
    try {
      assertJobInput(compiled, { imageOsFamily: 'linux', fields: windowsForm({ ...DOMAIN, adminPassword: 'x'.repeat(200) }) });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(JobValidationFailed);
    const failure = thrown as JobValidationFailed;
    expect(failure.code).toBe('VALIDATION_FAILED');
    expect(failure.fields.map((f) => f.field)).toContain('domainJoinPassword');
    expect(failure.message).not.toContain('J0in-Secret-5512');
    expect(failure.message).not.toContain('xxxxxxxx');
  });
});

/** The machine fields every kind shares, as a form sends them. */
const MACHINE = { vmName: 'lab01', cpuCount: '2', memoryGB: '4', generation: '2', vmRootPath: 'D:\\VMs' };

describe('job input validation: the three kinds of VM', () => {
  test('blank VM booting from an ISO: the new disk size and the ISO path, no image and no guest settings', () => {
    const result = check({ ...MACHINE, provisioning: 'blank', bootSource: 'iso', isoPath: 'D:\\ISOs\\ubuntu.iso', diskSizeGB: '40' }, 'linux');
    expect(result).toEqual({
      ok: true,
      values: { vmName: 'lab01', provisioning: 'blank', bootSource: 'iso', isoPath: 'D:\\ISOs\\ubuntu.iso', cpuCount: 2, memoryGB: 4, generation: 2, diskSizeGB: 40, clustered: false, vmRootPath: 'D:\\VMs' },
    });
  });

  test('blank VM booting from the network with no disk at all; ISO boot is the default boot source', () => {
    const result = check({ ...MACHINE, provisioning: 'blank', bootSource: 'network' });
    expect(result.ok && result.values).toMatchObject({ provisioning: 'blank', bootSource: 'network' });
    expect(result.ok && 'diskSizeGB' in result.values).toBe(false);
    expect(ruleOf(errorsOf({ ...MACHINE, provisioning: 'blank' }), 'isoPath')).toEqual(['required']);
  });

  test('blank VM: an image, guest settings and (for network boot) an ISO path are refused, each by name', () => {
    const errors = errorsOf({ ...MACHINE, provisioning: 'blank', bootSource: 'iso', isoPath: 'D:\\ISOs\\x.iso', imagePath: 'D:\\Images\\ws.vhdx', adminUser: 'admin', ...DOMAIN });
    for (const field of ['imagePath', 'adminUser', 'domainName', 'domainJoinUser', 'domainJoinPassword']) expect(ruleOf(errors, field)).toEqual(['applicability']);
    expect(errors.find((e) => e.field === 'imagePath')!.message).toBe('applies only to "From a template" or "From a template, customised", and this is "Blank VM"; clear it or choose another kind of VM');
    expect(errors).toHaveLength(5);
    // The secret never reaches a message.
    expect(JSON.stringify(errors)).not.toContain(DOMAIN.domainJoinPassword);
    const network = errorsOf({ ...MACHINE, provisioning: 'blank', bootSource: 'network', isoPath: 'D:\\ISOs\\x.iso' });
    expect(network).toEqual([{ field: 'isoPath', rule: 'applicability', message: expect.stringMatching(/booting from an ISO image/) }]);
  });

  test('blank VM: network boot needs generation 2; a bad ISO path or boot source names its rule', () => {
    expect(errorsOf({ ...MACHINE, generation: '1', provisioning: 'blank', bootSource: 'network' })).toEqual([
      { field: 'bootSource', rule: 'bootSource', message: expect.stringMatching(/^network boot needs a generation 2 VM/) },
    ]);
    expect(check({ ...MACHINE, generation: '1', provisioning: 'blank', isoPath: 'C:\\ISOs\\w.iso' }).ok).toBe(true);
    const errors = errorsOf({ ...MACHINE, provisioning: 'blank', bootSource: 'floppy', isoPath: 'C:\\ISOs\\w.img' });
    expect(errors.find((e) => e.field === 'bootSource')).toEqual({ field: 'bootSource', rule: 'choice', message: 'must be one of iso, network' });
    expect(ruleOf(errors, 'isoPath')).toEqual(['pattern']);
    expect(ruleOf(errorsOf({ ...MACHINE, provisioning: 'blank', isoPath: 'C:\\ISOs\\..\\w.iso' }), 'isoPath')).toEqual(['pattern']);
  });

  test('template without customisation: the image is required; guest settings and boot fields are refused', () => {
    const ok = check({ ...MACHINE, provisioning: 'template', imagePath: 'D:\\Images\\ws2022.vhdx', diskSizeGB: '80' });
    expect(ok).toEqual({ ok: true, values: expect.objectContaining({ provisioning: 'template', imagePath: 'D:\\Images\\ws2022.vhdx', diskSizeGB: 80 }) });
    expect(ok.ok && 'adminUser' in ok.values).toBe(false);
    expect(ruleOf(errorsOf({ ...MACHINE, provisioning: 'template' }), 'imagePath')).toEqual(['required']);
    const errors = errorsOf({ ...MACHINE, provisioning: 'template', imagePath: 'D:\\Images\\u.vhdx', adminUser: 'admin', adminPassword: 'Adm1n-Secret-7731', ansibleUser: 'ansible', isoPath: 'D:\\ISOs\\x.iso', bootSource: 'network' }, 'linux');
    expect(errors.map((e) => `${e.field}:${e.rule}`).sort()).toEqual(['adminPassword:applicability', 'adminUser:applicability', 'ansibleUser:applicability', 'bootSource:applicability', 'isoPath:applicability']);
    expect(errors.find((e) => e.field === 'adminUser')!.message).toMatch(/applies only to "From a template, customised", and this is "From a template"/);
  });

  test('customised (also what a form that sends no kind means): image and administrator are required', () => {
    expect(check(windowsForm({ provisioning: 'customised' })).ok).toBe(true);
    const errors = errorsOf({ ...MACHINE, provisioning: 'customised' });
    expect(errors.map((e) => `${e.field}:${e.rule}`).sort()).toEqual(['adminPassword:required', 'adminUser:required', 'imagePath:required']);
    expect(ruleOf(errorsOf(windowsForm({ isoPath: 'D:\\ISOs\\x.iso' })), 'isoPath')).toEqual(['applicability']);
  });

  test('an unknown kind is one error on the kind field; no other field is judged by kind', () => {
    const errors = errorsOf(windowsForm({ provisioning: 'golden', isoPath: 'D:\\ISOs\\x.iso' }));
    expect(errors).toEqual([{ field: 'provisioning', rule: 'choice', message: 'must be one of blank, template, customised' }]);
  });
});
