// The three kinds of vm.create (blank, template, customised) run by the real New-AetherVm.ps1 in
// real PowerShell against the simulated Hyper-V module: what each kind leaves on the host model
// (disks, DVD drives, first boot device, KVP items, cluster role) and what it refuses.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AgentLogEntry, AgentOperationFailed } from '../../src/main/agent';
import { setJobKnobs } from '../lab/agent/jobs';
import type { SimHost } from '../lab';
import { INSTALL_DIR, startRealAgentLab, type RealAgentLab } from './support';

const GIB = 1024 ** 3;
const ISO = 'D:\\ISOs\\ubuntu-24.04-live-server-amd64.iso';

const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as AgentOperationFailed;
  }
  throw new Error('the operation succeeded; a failure was expected');
};

describe('vm.create kinds in real PowerShell (clustered host, standalone host)', () => {
  let rig: RealAgentLab;
  let clustered: string;
  let standalone: string;

  beforeAll(async () => {
    rig = await startRealAgentLab({ hosts: 3, vmsPerHost: 1, clusters: 1, seed: 14 });
    clustered = rig.lab.hosts.find((h) => h.cluster)!.name;
    standalone = rig.lab.hosts.find((h) => !h.cluster)!.name;
    for (const h of rig.lab.hosts) {
      rig.install(h.name);
      await rig.host(h.name).setKnobs({ slowFactor: 0.05 });
      setJobKnobs(rig.host(h.name), { actionMs: 50 });
      // Provisioning media are present: the kinds without customisation must still not use them.
      rig.host(h.name).files.put(`${INSTALL_DIR}\\LinuxProvisioning.iso`, 'lab stand-in for the provisioning ISO\n');
      rig.host(h.name).files.put(`${INSTALL_DIR}\\WindowsProvisioning.iso`, 'lab stand-in for the provisioning ISO\n');
      rig.host(h.name).files.put(ISO, 'lab installation ISO\n');
    }
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  const vmOf = (host: SimHost, id: unknown) => host.model.vms.find((v) => v.id === id)!;

  test('blank, ISO boot, clustered: a new empty dynamic VHDX, the ISO in a DVD drive booting first, no KVP, a cluster role', async () => {
    const host = rig.host(clustered);
    const logs: AgentLogEntry[] = [];
    const created = (await rig.invoke(
      'vm.create',
      { vmName: 'blank-iso-01', osFamily: 'linux', provisioning: 'blank', bootSource: 'iso', isoPath: ISO, diskSizeGB: 40, vmRootPath: 'D:\\VMs', generation: 2, clustered: true },
      { host: clustered, logs },
    )) as Record<string, unknown>;
    const disk = 'D:\\VMs\\blank-iso-01\\Virtual Hard Disks\\blank-iso-01.vhdx';
    expect(created).toMatchObject({ vmName: 'blank-iso-01', status: 'created', provisioning: 'blank', provisioned: false, clustered: true });
    expect(String(created.vhdPath).replace(/\//g, '\\')).toBe(disk);
    const vm = vmOf(host, created.vmId);
    expect(vm.state).toBe('Running');
    expect(vm.disks.map((d) => d.path.replace(/\//g, '\\'))).toEqual([disk]);
    // The lab writes a new VHD's metadata as its content: a 40 GiB dynamic VHDX, not a copied image.
    const content = host.files.getText(disk);
    expect(content).toContain('"type":"Dynamic"');
    expect(content).toContain(`"sizeBytes":${40 * GIB}`);
    expect(vm.dvdDrives!.map((d) => d.path)).toEqual([ISO]);
    expect(vm.firmware?.firstBootDeviceId?.toLowerCase()).toBe(vm.dvdDrives![0]!.id.toLowerCase());
    expect(vm.firmware?.secureBootTemplate).toBe('MicrosoftUEFICertificateAuthority');
    expect(vm.kvp?.host ?? {}).toEqual({});
    expect(vm.isClustered).toBe(true);
    const steps = logs.map((l) => l.step);
    expect(steps).toEqual(expect.arrayContaining(['new-disk', 'register', 'attach-iso', 'start', 'cluster']));
    for (const step of ['copy-image', 'copy-iso', 'wait-key', 'publish']) expect(steps).not.toContain(step);
    expect(host.files.exists('D:\\VMs\\blank-iso-01\\LinuxProvisioning.iso')).toBe(false);
  }, 120_000);

  test('blank, network boot, no disk: no VHDX at all, no DVD drive, the network adapter boots first', async () => {
    const host = rig.host(standalone);
    const created = (await rig.invoke(
      'vm.create',
      { vmName: 'blank-pxe-01', osFamily: 'windows', provisioning: 'blank', bootSource: 'network', vmRootPath: 'D:\\VMs', generation: 2, switchName: host.model.virtualSwitches[0] },
      { host: standalone },
    )) as Record<string, unknown>;
    expect(created).toMatchObject({ provisioning: 'blank', provisioned: false, vhdPath: null });
    const vm = vmOf(host, created.vmId);
    expect(vm.disks).toEqual([]);
    expect(vm.dvdDrives ?? []).toEqual([]);
    expect(vm.firmware?.firstBootDeviceId?.toLowerCase()).toBe(vm.nics[0]!.id.toLowerCase());
    expect(vm.kvp?.host ?? {}).toEqual({});
  }, 120_000);

  test('blank, generation 1, ISO boot: the ISO replaces the empty default drive on IDE 1:0', async () => {
    const host = rig.host(standalone);
    const created = (await rig.invoke(
      'vm.create',
      { vmName: 'blank-gen1-01', osFamily: 'windows', provisioning: 'blank', isoPath: ISO, diskSizeGB: 20, vmRootPath: 'D:\\VMs', generation: 1 },
      { host: standalone },
    )) as Record<string, unknown>;
    const vm = vmOf(host, created.vmId);
    expect(vm.dvdDrives!.map((d) => [d.path, d.controllerNumber, d.controllerLocation])).toEqual([[ISO, 1, 0]]);
    expect(vm.disks).toHaveLength(1);
  }, 120_000);

  test('template without customisation: the image is copied and started; no provisioning ISO, no KVP item', async () => {
    const host = rig.host(standalone);
    const logs: AgentLogEntry[] = [];
    const created = (await rig.invoke(
      'vm.create',
      { vmName: 'tmpl-01', osFamily: 'linux', provisioning: 'template', imagePath: 'D:\\Images\\ubuntu-22.04.vhdx', vmRootPath: 'D:\\VMs', generation: 2 },
      { host: standalone, logs },
    )) as Record<string, unknown>;
    expect(created).toMatchObject({ provisioning: 'template', provisioned: false });
    const vm = vmOf(host, created.vmId);
    expect(vm.state).toBe('Running');
    expect(vm.dvdDrives ?? []).toEqual([]);
    expect(vm.kvp?.host ?? {}).toEqual({});
    expect(vm.firmware?.firstBootDeviceId?.toLowerCase()).toBe(vm.disks[0]!.id.toLowerCase());
    expect(host.files.getText('D:\\VMs\\tmpl-01\\Virtual Hard Disks\\tmpl-01.vhdx')).toContain('lab golden image');
    expect(host.files.exists('D:\\VMs\\tmpl-01\\LinuxProvisioning.iso')).toBe(false);
    const steps = logs.map((l) => l.step);
    expect(steps).toContain('copy-image');
    for (const step of ['copy-iso', 'wait-key', 'publish', 'new-disk', 'attach-iso']) expect(steps).not.toContain(step);
  }, 120_000);

  test('each kind refuses the fields of another, a missing ISO and gen 1 network boot, and leaves nothing behind', async () => {
    const base = { osFamily: 'windows', vmRootPath: 'D:\\VMs', generation: 2 };
    const refusals: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ provisioning: 'blank', isoPath: ISO, imagePath: 'D:\\Images\\ws2022.vhdx' }, 'INVALID_FIELDS', /Field 'imagePath' does not apply to a blank VM/],
      [{ provisioning: 'blank', isoPath: ISO, guest: { guest_la_uid: 'a', guest_la_pw: 'Secret-Pass-1' } }, 'INVALID_FIELDS', /Field 'guest' does not apply to a blank VM/],
      [{ provisioning: 'blank', bootSource: 'iso' }, 'INVALID_FIELDS', /Field 'isoPath' is required/],
      [{ provisioning: 'blank', bootSource: 'network', isoPath: ISO }, 'INVALID_FIELDS', /Field 'isoPath' does not apply to network boot/],
      [{ provisioning: 'blank', bootSource: 'network', generation: 1 }, 'INVALID_FIELDS', /network boot needs a generation 2 VM/],
      [{ provisioning: 'blank', isoPath: 'D:\\ISOs\\missing.iso' }, 'ISO_NOT_FOUND', /ISO image D:\\ISOs\\missing\.iso does not exist/],
      [{ provisioning: 'blank', isoPath: 'D:\\ISOs\\..\\x.iso' }, 'INVALID_FIELDS', /Field 'isoPath' must be an absolute Windows path/],
      [{ provisioning: 'template', imagePath: 'D:\\Images\\ws2022.vhdx', guest: { guest_la_uid: 'a', guest_la_pw: 'Secret-Pass-1' } }, 'INVALID_FIELDS', /Field 'guest' does not apply to a VM from a template without customisation/],
      [{ provisioning: 'template', imagePath: 'D:\\Images\\ws2022.vhdx', isoPath: ISO }, 'INVALID_FIELDS', /Field 'isoPath' does not apply to a VM from a template/],
      [{ provisioning: 'template' }, 'INVALID_FIELDS', /Required field 'imagePath' is missing/],
      [{ provisioning: 'customised', imagePath: 'D:\\Images\\ws2022.vhdx' }, 'INVALID_FIELDS', /Field 'guest' is required for a customised VM/],
      [{ provisioning: 'golden', imagePath: 'D:\\Images\\ws2022.vhdx' }, 'INVALID_FIELDS', /Field 'provisioning' must be 'blank', 'template' or 'customised'/],
    ];
    const host = rig.host(standalone);
    const before = host.model.vms.length;
    for (const [fields, code, message] of refusals) {
      const error = await failure(rig.invoke('vm.create', { vmName: 'refused-01', ...base, ...fields }, { host: standalone }));
      expect(error, JSON.stringify(fields)).toMatchObject({ code });
      expect(error.message, JSON.stringify(fields)).toMatch(message);
      expect(error.message).not.toContain('Secret-Pass-1');
    }
    expect(host.model.vms.length).toBe(before);
    expect(host.files.exists('D:\\VMs\\refused-01')).toBe(false);
  }, 180_000);
});
