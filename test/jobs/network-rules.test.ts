/**
 * Create-VM network input: a gateway outside the subnet, the subnet's network and broadcast
 * addresses as the VM address, and a virtual switch the host did not report are refused, naming
 * the field and what to do — by the pure rule, by job validation, and by the backend (jobs.validate,
 * which the form's Check calls, and jobs.submit) against an inventoried lab host.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { validateJobInput } from '../../src/main/jobs';
import type { JobFieldError, JobInputSchema, JobValidateResponse } from '../../src/shared/contract';
import { checkStaticIpv4, subnetOf } from '../../src/shared/network-rules';
import { startLab, type Lab } from '../lab';
import { compiled, windowsForm } from './fixtures';
import { startJobsHarness, windowsVmFields, type JobsHarness } from './support';

const net = (address: string, prefix: number, gateway?: string) => ({ ipv4Address: address, ipv4PrefixLength: prefix, ...(gateway ? { ipv4Gateway: gateway } : {}) });
const errorsOf = (fields: Record<string, unknown>, hostNetworks?: { known: boolean; names: string[]; hostName: string }): JobFieldError[] => {
  const result = validateJobInput(compiled, { imageOsFamily: 'windows', fields, ...(hostNetworks ? { hostNetworks } : {}) });
  return result.ok ? [] : result.errors;
};

describe('network rules (shared by the backend and the form)', () => {
  test('subnets are computed without 32-bit sign surprises', () => {
    expect(subnetOf('10.0.10.21', 24)?.cidr).toBe('10.0.10.0/24');
    expect(subnetOf('200.1.2.3', 1)?.cidr).toBe('128.0.0.0/1');
    expect(subnetOf('255.255.255.255', 32)?.cidr).toBe('255.255.255.255/32');
  });

  test('a usable address with a gateway in its subnet passes', () => {
    expect(checkStaticIpv4(net('10.0.10.21', 24, '10.0.10.1'))).toEqual([]);
    // /31 (point-to-point): both addresses are usable hosts.
    expect(checkStaticIpv4(net('10.0.10.0', 31, '10.0.10.1'))).toEqual([]);
    // /32: the gateway is necessarily off-subnet (an on-link route); not judged.
    expect(checkStaticIpv4(net('10.0.10.5', 32, '10.0.0.1'))).toEqual([]);
  });

  test('a gateway outside the subnet is refused on the gateway field, naming the subnet', () => {
    const errors = errorsOf(windowsForm({ ...net('10.0.10.21', 24, '10.0.20.1'), ipv4Dns1: '10.0.0.53' }));
    expect(errors).toEqual([
      {
        field: 'ipv4Gateway',
        rule: 'subnet',
        message: "is outside the VM's subnet 10.0.10.0/24 (from the IPv4 address and prefix length), so the VM could not reach it; enter a gateway in 10.0.10.0/24 or correct the address or prefix length",
      },
    ]);
  });

  test('the network and broadcast addresses are refused as the VM address, with the usable range', () => {
    expect(errorsOf(windowsForm({ ...net('10.0.10.0', 24, '10.0.10.1'), ipv4Dns1: '10.0.0.53' }))).toEqual([
      { field: 'ipv4Address', rule: 'subnet', message: 'is the network address of 10.0.10.0/24 (not usable by a VM); choose an address from 10.0.10.1 to 10.0.10.254, or correct the prefix length' },
    ]);
    expect(errorsOf(windowsForm({ ...net('192.168.7.63', 26, '192.168.7.1'), ipv4Dns1: '10.0.0.53' }))).toEqual([
      { field: 'ipv4Address', rule: 'subnet', message: 'is the broadcast address of 192.168.7.0/26 (not usable by a VM); choose an address from 192.168.7.1 to 192.168.7.62, or correct the prefix length' },
    ]);
  });

  test("a gateway that is the VM's own address, or the subnet's broadcast, is refused", () => {
    expect(checkStaticIpv4(net('10.0.10.21', 24, '10.0.10.21')).map((e) => e.message)).toEqual([
      "is the VM's own IPv4 address; enter the router's address in the subnet",
    ]);
    expect(checkStaticIpv4(net('10.0.10.21', 24, '10.0.10.255')).map((e) => e.message)).toEqual([
      "is the broadcast address of 10.0.10.0/24, not a router; enter the router's address (from 10.0.10.1 to 10.0.10.254)",
    ]);
  });

  test('a switch the host did not report is refused; known ones pass whatever their case; an unknown host is not judged', () => {
    const host = { known: true, names: ['External', 'Internal'], hostName: 'HV01' };
    expect(errorsOf(windowsForm({ switchName: 'Extrenal' }), host)).toEqual([
      { field: 'switchName', rule: 'switch', message: 'is not a virtual switch of HV01 (its inventory reports External, Internal); choose one of those, or leave it empty for no network' },
    ]);
    expect(errorsOf(windowsForm({ switchName: 'external' }), host)).toEqual([]);
    expect(errorsOf(windowsForm({ switchName: '' }), host)).toEqual([]);
    expect(errorsOf(windowsForm({ switchName: 'Anything' }), { known: false, names: [], hostName: 'HV02' })).toEqual([]);
    expect(errorsOf(windowsForm({ switchName: 'Anything' }))).toEqual([]);
    expect(errorsOf(windowsForm({ switchName: 'External' }), { known: true, names: [], hostName: 'HV03' })).toEqual([
      { field: 'switchName', rule: 'switch', message: 'names a switch, but HV03 reports no virtual switches; leave it empty for no network, or create the switch on the host first' },
    ]);
    expect(errorsOf(windowsForm({ switchName: '' }), { known: true, names: [], hostName: 'HV03' })).toEqual([]);
  });
});

describe('network refusals at the backend (jobs.validate and jobs.submit on an inventoried lab host)', () => {
  let lab: Lab;
  let h: JobsHarness;
  let version: number;
  let hostId: string;

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 6, seed: 61, clusters: 0 });
    h = await startJobsHarness(lab);
    version = (await h.ok<JobInputSchema>('jobs.schema', {})).version;
    hostId = h.hostIds.get(lab.hosts[0].name)!;
  }, 90_000);

  afterAll(async () => {
    await h?.close();
    await lab?.close();
  });

  test('Check names every bad network field; a reported switch and a good subnet pass', async () => {
    const bad = await h.ok<JobValidateResponse>('jobs.validate', {
      schemaVersion: version,
      hostId,
      imageOsFamily: 'windows',
      fields: { ...windowsVmFields('net-01'), ipv4Address: '10.20.30.255', ipv4Gateway: '10.20.31.1', switchName: 'vSwitch-Nope' },
    });
    expect(bad.valid).toBe(false);
    const byField = Object.fromEntries((bad.valid ? [] : bad.errors).map((e) => [e.field, e.message]));
    expect(Object.keys(byField).sort()).toEqual(['ipv4Address', 'ipv4Gateway', 'switchName']);
    expect(byField.ipv4Address).toMatch(/^is the broadcast address of 10\.20\.30\.0\/24/);
    expect(byField.ipv4Gateway).toMatch(/^is outside the VM's subnet 10\.20\.30\.0\/24/);
    expect(byField.switchName).toMatch(new RegExp(`^is not a virtual switch of ${lab.hosts[0].name} \\(its inventory reports vSwitch-[A-Za-z, -]+\\)`));

    const good = await h.ok<JobValidateResponse>('jobs.validate', { schemaVersion: version, hostId, imageOsFamily: 'windows', fields: { ...windowsVmFields('net-01'), switchName: 'vSwitch-Prod' } });
    expect(good).toMatchObject({ valid: true });
  });

  test('a switch the host has but no VM uses yet (reported by Get-VMSwitch) passes once the host reports it', async () => {
    const fields = { ...windowsVmFields('net-04'), switchName: 'vSwitch-Spare' };
    const before = await h.ok<JobValidateResponse>('jobs.validate', { schemaVersion: version, hostId, imageOsFamily: 'windows', fields });
    expect(before.valid).toBe(false);
    lab.host(lab.hosts[0].name).model.virtualSwitches.push('vSwitch-Spare');
    await h.inventory.refresh(hostId);
    expect(h.snapshot().hosts.find((x) => x.hostId === hostId)!.switches).toContain('vSwitch-Spare');
    expect(lab.host(lab.hosts[0].name).model.vms.some((v) => v.nics.some((n) => n.switchName === 'vSwitch-Spare'))).toBe(false);
    expect(await h.ok<JobValidateResponse>('jobs.validate', { schemaVersion: version, hostId, imageOsFamily: 'windows', fields })).toMatchObject({ valid: true });
  });

  test('a submission with a switch the host lacks is refused before any job exists', async () => {
    const before = (await h.ok<{ total: number }>('jobs.list', {})).total;
    const error = await h.fail('jobs.submit', { schemaVersion: version, hostId, imageOsFamily: 'windows', fields: { ...windowsVmFields('net-02'), switchName: 'vSwitch-Nope' } });
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(/^switchName: is not a virtual switch of /);
    const submittedGateway = await h.fail('jobs.submit', { schemaVersion: version, hostId, imageOsFamily: 'windows', fields: { ...windowsVmFields('net-03'), ipv4Gateway: '10.99.0.1' } });
    expect(submittedGateway.message).toMatch(/^ipv4Gateway: is outside the VM's subnet 10\.20\.30\.0\/24/);
    expect((await h.ok<{ total: number }>('jobs.list', {})).total).toBe(before);
  });
});
