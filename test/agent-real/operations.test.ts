// Every agent operation, run for real: the app's command text and envelope go over WinRM to a lab
// host, which runs Invoke-AgentOperation.ps1 in PowerShell under Set-StrictMode -Version Latest
// against the simulated Hyper-V modules, and the app's own code parses what comes back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { agentCommandText, AgentNotDeployed, AgentOperationFailed, type AgentLogEntry } from '../../src/main/agent';
import { parseFullInventory, parseQuickInventory } from '../../src/main/inventory';
import { setJobKnobs } from '../lab/agent/jobs';
import { setHyperVSimKnobs } from '../lab/pwsh/hyperv-rpc';
import { BUNDLED_AGENT_VERSION } from '../support/agent-version';
import { resultOf } from '../support/result-line';
import { INSTALL_DIR, startRealAgentLab, type RealAgentLab } from './support';

const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as AgentOperationFailed;
  }
  throw new Error('the operation succeeded; a failure was expected');
};

describe('agent operations in real PowerShell (clustered host hv01, standalone host hv03)', () => {
  let rig: RealAgentLab;
  let clustered: string;
  let standalone: string;

  beforeAll(async () => {
    rig = await startRealAgentLab({ hosts: 3, vmsPerHost: 4, clusters: 1, seed: 5 });
    clustered = rig.lab.hosts.find((h) => h.cluster)!.name;
    standalone = rig.lab.hosts.find((h) => !h.cluster)!.name;
    for (const h of rig.lab.hosts) {
      rig.install(h.name);
      await rig.host(h.name).setKnobs({ slowFactor: 0.05 });
      setJobKnobs(rig.host(h.name), { actionMs: 50 });
    }
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  test('version: the bundled version, read by the real script, and the PowerShell that ran it', async () => {
    const data = (await rig.invoke('version')) as Record<string, unknown>;
    expect(data.agentVersion).toBe(BUNDLED_AGENT_VERSION);
    expect(data.computerName).toBe(clustered.toUpperCase());
    expect(String(data.psVersion)).toMatch(/^\d+\.\d+/);
    expect(data.schemaVersion).toBe(1);
  });

  test('inventory on a clustered and a standalone host parses with the app and matches the model', async () => {
    for (const name of [clustered, standalone]) {
      const model = rig.host(name).model;
      const parsed = parseFullInventory(await rig.invoke('inventory', {}, { host: name }), name, new Date().toISOString());
      expect(parsed.complete).toBe(true);
      expect(parsed.host.cluster).toBe(model.cluster ?? null);
      expect(parsed.host.warnings).toEqual([]);
      expect(parsed.vms.map((v) => v.vmId).sort()).toEqual(model.vms.map((v) => v.id).sort());
      for (const vm of parsed.vms) expect(vm.config.clustered).toBe(Boolean(model.cluster));
      const quick = parseQuickInventory(await rig.invoke('inventory.quick', {}, { host: name }), name, new Date().toISOString());
      expect(quick.vms.map((v) => [v.vmId, v.state]).sort()).toEqual(model.vms.map((v) => [v.id, v.state]).sort());
      expect(quick.hostMemoryAvailableGb).toBeGreaterThan(0);
    }
  }, 60_000);

  test('every power action walks a VM through its states, and the model follows', async () => {
    const vm = rig.host(standalone).model.vms[0]!;
    if (vm.state !== 'Off') await rig.invoke('vm.action', { vmId: vm.id, action: 'turnoff' }, { host: standalone });
    const steps: Array<[string, string]> = [
      ['start', 'Running'],
      ['pause', 'Paused'],
      ['resume', 'Running'],
      ['save', 'Saved'],
      ['start', 'Running'],
      ['restart', 'Running'],
      ['shutdown', 'Off'],
      ['start', 'Running'],
      ['turnoff', 'Off'],
    ];
    for (const [action, state] of steps) {
      const logs: AgentLogEntry[] = [];
      const data = (await rig.invoke('vm.action', { vmId: vm.id, action }, { host: standalone, logs })) as Record<string, unknown>;
      expect(data, action).toMatchObject({ vmId: vm.id, vmName: vm.name, action, state });
      expect(rig.host(standalone).model.vms.find((v) => v.id === vm.id)!.state, action).toBe(state);
      expect(logs.map((l) => l.step)).toContain(action);
    }
  }, 120_000);

  test('refusals carry the documented codes: INVALID_STATE, VM_NOT_FOUND, INVALID_FIELDS', async () => {
    const off = rig.host(standalone).model.vms.find((v) => v.state === 'Off')!;
    const invalid = await failure(rig.invoke('vm.action', { vmId: off.id, action: 'resume' }, { host: standalone }));
    expect(invalid).toBeInstanceOf(AgentOperationFailed);
    expect(invalid).toMatchObject({ code: 'INVALID_STATE', details: { vmId: off.id, state: 'Off' } });
    expect(await failure(rig.invoke('vm.action', { vmId: randomUUID(), action: 'start' }, { host: standalone }))).toMatchObject({ code: 'VM_NOT_FOUND' });
    expect(await failure(rig.invoke('vm.action', { vmId: off.id, action: 'explode' }, { host: standalone }))).toMatchObject({ code: 'INVALID_FIELDS' });
    expect(await failure(rig.invoke('vm.action', { vmId: 'not-a-guid', action: 'start' }, { host: standalone }))).toMatchObject({ code: 'INVALID_FIELDS' });
  }, 60_000);

  test('envelope errors: schema version, unknown operation, undecodable input', async () => {
    const raw = async (stdin: string) => {
      const out = await rig.client(standalone).powershell(agentCommandText(INSTALL_DIR), { stdin });
      return { exitCode: out.exitCode, result: resultOf(out.stdout) as { status: string; error: { code: string } } };
    };
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
    const mismatch = await raw(b64({ operation: 'inventory', correlationId: 'c', schemaVersion: 2, fields: {} }));
    expect(mismatch).toMatchObject({ exitCode: 1, result: { status: 'error', error: { code: 'SCHEMA_VERSION_MISMATCH' } } });
    expect((await raw(b64({ operation: 'vm.teleport', correlationId: 'c', schemaVersion: 1 }))).result.error.code).toBe('UNKNOWN_OPERATION');
    expect((await raw('%%% not base64 %%%')).result.error.code).toBe('BAD_ENVELOPE');
  }, 60_000);

  test('create a VM from a template without guest settings, on the cluster, then delete it with its disks', async () => {
    const logs: AgentLogEntry[] = [];
    const created = (await rig.invoke(
      'vm.create',
      { vmName: 'real-web-01', osFamily: 'windows', imagePath: 'D:\\Images\\ws2022.vhdx', vmRootPath: 'D:\\VMs', cpuCount: 2, memoryGB: 2, clustered: true },
      { host: clustered, logs },
    )) as Record<string, unknown>;
    expect(created).toMatchObject({ vmName: 'real-web-01', status: 'created', provisioned: false, clustered: true });
    expect(String(created.vhdPath).replace(/\//g, '\\')).toBe('D:\\VMs\\real-web-01\\Virtual Hard Disks\\real-web-01.vhdx');
    expect(logs.map((l) => l.step)).toEqual(expect.arrayContaining(['copy-image', 'register', 'start', 'cluster']));
    const host = rig.host(clustered);
    const vm = host.model.vms.find((v) => v.id === created.vmId)!;
    expect(vm).toMatchObject({ name: 'real-web-01', state: 'Running', processorCount: 2, memoryStartupMiB: 2048 });
    expect(host.files.getText('D:\\VMs\\real-web-01\\Virtual Hard Disks\\real-web-01.vhdx')).toContain('lab golden image');

    expect(await failure(rig.invoke('vm.create', { vmName: 'real-web-01', osFamily: 'windows', imagePath: 'D:\\Images\\ws2022.vhdx', vmRootPath: 'D:\\VMs' }, { host: clustered }))).toMatchObject({ code: 'VM_EXISTS' });
    expect(await failure(rig.invoke('vm.create', { vmName: 'real-web-02', osFamily: 'windows', imagePath: 'D:\\Images\\missing.vhdx', vmRootPath: 'D:\\VMs' }, { host: clustered }))).toMatchObject({ code: 'IMAGE_NOT_FOUND' });
    // Drive-relative paths are not absolute ([IO.Path]::IsPathRooted said they were).
    expect(await failure(rig.invoke('vm.create', { vmName: 'real-web-02', osFamily: 'windows', imagePath: 'D:ws2022.vhdx', vmRootPath: 'D:\\VMs' }, { host: clustered }))).toMatchObject({ code: 'INVALID_FIELDS' });

    const running = await failure(rig.invoke('vm.delete', { vmId: vm.id, deleteDisks: true }, { host: clustered }));
    expect(running).toMatchObject({ code: 'INVALID_STATE' });
    const deleted = (await rig.invoke('vm.delete', { vmId: vm.id, deleteDisks: true, force: true }, { host: clustered })) as Record<string, unknown>;
    expect(deleted).toMatchObject({ vmId: vm.id, vmName: 'real-web-01', status: 'deleted', disksKept: [] });
    expect((deleted.disksDeleted as string[]).map((p) => p.replace(/\//g, '\\'))).toEqual(['D:\\VMs\\real-web-01\\Virtual Hard Disks\\real-web-01.vhdx']);
    expect(host.model.vms.some((v) => v.id === vm.id)).toBe(false);
    expect(host.files.exists('D:\\VMs\\real-web-01\\Virtual Hard Disks\\real-web-01.vhdx')).toBe(false);
  }, 120_000);

  test('create with guest settings: the real KVP host side publishes encrypted values and the simulated guest applies them', async () => {
    const host = rig.host(standalone);
    // The provisioning media are not built yet (issue 14): a stand-in file where the agent looks.
    host.files.put(`${INSTALL_DIR}\\LinuxProvisioning.iso`, 'lab stand-in for the provisioning ISO\n');
    const secret = 'Kvp-Secret-Pass-6642';
    const logs: AgentLogEntry[] = [];
    const created = (await rig.invoke(
      'vm.create',
      {
        vmName: 'real-kvp-01',
        osFamily: 'linux',
        imagePath: 'D:\\Images\\ubuntu-22.04.vhdx',
        vmRootPath: 'D:\\VMs',
        guest: { guest_la_uid: 'ops', guest_la_pw: secret, guest_v4_ip_addr: '10.1.2.3', guest_v4_cidr_prefix: '24', guest_v4_default_gw: '10.1.2.1', ansible_ssh_user: 'ansible', ansible_ssh_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9vcGxhYiBrZXkgZm9yIHRlc3Rz lab' },
        publishSettleSeconds: 1,
      },
      { host: standalone, logs },
    )) as Record<string, unknown>;
    expect(created).toMatchObject({ vmName: 'real-kvp-01', status: 'created', provisioned: true });
    const steps = logs.map((l) => l.step);
    for (const step of ['copy-iso', 'wait-key', 'publish', 'wait-apply', 'cleanup']) expect(steps).toContain(step);
    expect(logs.map((l) => l.message)).toContain('Guest state: provisioningapplied');
    expect(JSON.stringify(logs)).not.toContain(secret);
    // The ISO copy is gone after provisioning, the VM stays.
    expect(host.files.exists('D:\\VMs\\real-kvp-01\\LinuxProvisioning.iso')).toBe(false);
    expect(host.model.vms.some((v) => v.id === created.vmId)).toBe(true);
  }, 120_000);

  test('a VM property that throws when read: PowerShell reads it as empty, the VM stays listed', async () => {
    const host = rig.host(clustered);
    const vm = host.model.vms[0]!;
    for (const property of ['State', 'Notes', 'Uptime']) {
      setHyperVSimKnobs(host, { throwingProperty: { vmId: vm.id, property } });
      try {
        const parsed = parseFullInventory(await rig.invoke('inventory', {}, { host: clustered }), clustered, new Date().toISOString());
        expect(parsed.complete, property).toBe(true);
        const entry = parsed.vms.find((v) => v.vmId === vm.id)!;
        expect(entry, property).toBeDefined();
        if (property === 'State') expect(entry.state).toBe('Unknown');
        if (property === 'Notes') expect(entry.config.notes).toBeNull();
        if (property === 'Uptime') expect(entry.hot?.uptimeS).toBe(0);
      } finally {
        setHyperVSimKnobs(host, { throwingProperty: null });
      }
    }
  }, 90_000);

  test('delete keeps a disk another VM uses', async () => {
    const host = rig.host(standalone);
    const [victim, neighbour] = host.model.vms.filter((v) => v.disks.length > 0);
    neighbour!.disks.push({ ...victim!.disks[0]!, id: `${victim!.disks[0]!.id}-shared` });
    if (victim!.state !== 'Off') await rig.invoke('vm.action', { vmId: victim!.id, action: 'turnoff' }, { host: standalone });
    const deleted = (await rig.invoke('vm.delete', { vmId: victim!.id, deleteDisks: true }, { host: standalone })) as { disksKept: Array<{ path: string; reason: string }> };
    expect(deleted.disksKept.map((d) => d.path)).toContain(victim!.disks[0]!.path);
    expect(deleted.disksKept.find((d) => d.path === victim!.disks[0]!.path)!.reason).toContain(neighbour!.name);
    expect(host.files.exists(victim!.disks[0]!.path)).toBe(true);
  }, 60_000);

  test('a host without the Hyper-V module, a host that denies access, a missing agent file', async () => {
    const host = rig.host(standalone);
    setHyperVSimKnobs(host, { moduleMissing: true });
    try {
      const missing = await failure(rig.invoke('inventory', {}, { host: standalone }));
      expect(missing).toMatchObject({ code: 'HYPERV_ERROR' });
      expect(missing.message).toMatch(/Get-VM/);
    } finally {
      setHyperVSimKnobs(host, { moduleMissing: false });
    }
    setHyperVSimKnobs(host, { accessDenied: true });
    try {
      expect(await failure(rig.invoke('inventory', {}, { host: standalone }))).toMatchObject({ code: 'ACCESS_DENIED' });
      expect(await failure(rig.invoke('vm.action', { vmId: host.model.vms[0]!.id, action: 'start' }, { host: standalone }))).toMatchObject({ code: 'ACCESS_DENIED' });
    } finally {
      setHyperVSimKnobs(host, { accessDenied: false });
    }
    host.files.delete(`${INSTALL_DIR}\\Get-HostInventory.ps1`);
    try {
      expect(await failure(rig.invoke('inventory', {}, { host: standalone }))).toMatchObject({ code: 'AGENT_INCOMPLETE' });
    } finally {
      rig.install(standalone);
    }
  }, 90_000);

  test('an agent that is not there is AgentNotDeployed (PowerShell 7 words it "as a name of a cmdlet")', async () => {
    const host = rig.host(standalone);
    host.files.delete(`${INSTALL_DIR}\\Invoke-AgentOperation.ps1`);
    try {
      await expect(rig.invoke('version', {}, { host: standalone })).rejects.toBeInstanceOf(AgentNotDeployed);
    } finally {
      rig.install(standalone);
    }
  }, 30_000);
});
