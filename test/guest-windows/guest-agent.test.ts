// The real Windows guest agent (AetherV-Guest.ps1) run in real PowerShell with its seam filled
// (seam.ps1: the registry is two JSON files, system commands are recorded), against the real host
// side (agent/New-AetherVm.ps1 + AetherV.Kvp.ps1 in real PowerShell on a real-agent lab host); the
// lab's KVP registry bridge moves items between the simulated Msvm_KvpExchange* classes and the
// guest's "registry", as the Hyper-V KVP service does in a Windows VM.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { AgentLogEntry, AgentOperationFailed } from '../../src/main/agent';
import { setJobKnobs } from '../lab/agent/jobs';
import { setHyperVSimKnobs } from '../lab/pwsh/hyperv-rpc';
import { readRegistryItems, registryExternalFile, registryGuestFile, startKvpRegistryBridge, writeRegistryItems } from '../lab/pwsh/kvp-registry-bridge';
import { INSTALL_DIR, startRealAgentLab, type RealAgentLab } from '../agent-real/support';
import { AGENT_VERSION, makeWindowsGuest, runWindowsAgent, secretLeaks, type WindowsGuest } from './rig';

// More than 100 code points, some outside the BMP: chunked by code point on the host, joined here.
const PASSWORD = `Win-Admin-4417-${'\u{1F511}ö'.repeat(50)}`;
const DOMAIN_PASSWORD = 'Join-Only-9023-qx';
const SECRETS = [PASSWORD, DOMAIN_PASSWORD];
const VM_NAMES = ['wg-static', 'wg-dhcp', 'wg-wrongkey', 'wg-truncated', 'wg-tampered', 'wg-checksum', 'wg-silent', 'wg-wrongname'];

const DOMAIN_SETTINGS = {
  guest_la_uid: 'ops',
  guest_la_pw: PASSWORD,
  guest_v4_ip_addr: '10.20.30.40',
  guest_v4_cidr_prefix: '24',
  guest_v4_default_gw: '10.20.30.1',
  guest_v4_dns1: '10.20.30.2',
  guest_v4_dns2: '10.20.30.3',
  guest_net_dns_suffix: 'corp.example',
  guest_domain_join_target: 'corp.example',
  guest_domain_join_uid: 'joiner',
  guest_domain_join_pw: DOMAIN_PASSWORD,
  guest_domain_join_ou: 'OU=Servers,DC=corp,DC=example',
};

describe('Windows guest agent (PowerShell) with the real host side over the registry KVP', () => {
  let rig: RealAgentLab;
  const guests: WindowsGuest[] = [];
  const bridges: { stop(): void }[] = [];

  beforeAll(async () => {
    rig = await startRealAgentLab({ hosts: 1, vmsPerHost: 2, seed: 15 });
    rig.install();
    await rig.host().setKnobs({ slowFactor: 0.05 });
    setJobKnobs(rig.host(), { actionMs: 50 });
    setHyperVSimKnobs(rig.host(), { externalKvpGuests: VM_NAMES });
    rig.host().files.put(`${INSTALL_DIR}\\WindowsProvisioning.iso`, 'lab stand-in for the provisioning ISO\n');
  }, 120_000);
  afterEach(() => {
    for (const bridge of bridges.splice(0)) bridge.stop();
  });
  afterAll(async () => {
    for (const guest of guests) guest.cleanup();
    await rig?.close();
  });

  const newGuest = (...args: Parameters<typeof makeWindowsGuest>) => {
    const guest = makeWindowsGuest({ secrets: SECRETS, ...args[0] });
    guests.push(guest);
    return guest;
  };

  /** vm.create through the app's invokeAgent, with the PowerShell agent answering through the bridge. */
  async function provision(
    vmName: string,
    guest: WindowsGuest,
    settings: Record<string, string>,
    hooks: Pick<Parameters<typeof startKvpRegistryBridge>[0], 'toGuest' | 'toHost'> = {},
    extraFields: Record<string, unknown> = {},
    script?: string,
  ) {
    bridges.push(startKvpRegistryBridge({ host: rig.host(), vmName, registryDir: guest.registryDir, ...hooks }));
    const logs: AgentLogEntry[] = [];
    const agent = runWindowsAgent(guest, 60_000, script);
    const created = rig
      .invoke(
        'vm.create',
        { vmName, osFamily: 'windows', imagePath: 'D:\\Images\\ws2022.vhdx', vmRootPath: 'D:\\VMs', guest: settings, publishSettleSeconds: 0, guestKeyTimeoutSeconds: 40, guestApplyTimeoutSeconds: 40, ...extraFields },
        { logs },
      )
      .then(
        (data) => ({ ok: true as const, data: data as Record<string, unknown> }),
        (error: unknown) => ({ ok: false as const, error: error as AgentOperationFailed }),
      );
    const [run, result] = await Promise.all([agent, created]);
    return { run, result, logs };
  }

  test('happy path, static IPv4 + domain join with OU: the recorded cmdlets and parameters, passwords only as SecureStrings; phase two unregisters the task; a third run does nothing', async () => {
    const guest = newGuest();
    const started = Date.now();
    const { run, result, logs } = await provision('wg-static', guest, DOMAIN_SETTINGS);
    const elapsed = Date.now() - started;
    expect(run.code, run.output).toBe(0);
    expect(result.ok, result.ok ? '' : result.error.message).toBe(true);
    if (result.ok) expect(result.data).toMatchObject({ vmName: 'wg-static', status: 'created', provisioned: true });
    expect(logs.map((l) => l.message)).toContain('Guest state: provisioningapplied');
    expect(elapsed).toBeLessThan(45_000);

    const ifIndex = '7';
    expect(guest.commands()).toEqual([
      {
        command: 'New-LocalUser',
        // '<secret #0>': the SecureString the cmdlet got is exactly PASSWORD (the seam compares digests).
        parameters: { AccountNeverExpires: true, Description: 'Local administrator set by Aether-V', Name: 'ops', Password: '<secret #0>', PasswordNeverExpires: true },
      },
      { command: 'Add-LocalGroupMember', parameters: { ErrorAction: 'SilentlyContinue', Member: 'ops', SID: 'S-1-5-32-544' } },
      { command: 'Set-NetIPInterface', parameters: { AddressFamily: 'IPv4', Dhcp: 'Disabled', InterfaceIndex: ifIndex } },
      { command: 'Remove-NetRoute', parameters: { AddressFamily: 'IPv4', Confirm: false, DestinationPrefix: '0.0.0.0/0', ErrorAction: 'SilentlyContinue', InterfaceIndex: ifIndex } },
      { command: 'Remove-NetIPAddress', parameters: { AddressFamily: 'IPv4', Confirm: false, ErrorAction: 'SilentlyContinue', InterfaceIndex: ifIndex } },
      { command: 'New-NetIPAddress', parameters: { AddressFamily: 'IPv4', DefaultGateway: '10.20.30.1', IPAddress: '10.20.30.40', InterfaceIndex: ifIndex, PrefixLength: '24' } },
      { command: 'Set-DnsClientServerAddress', parameters: { InterfaceIndex: ifIndex, ServerAddresses: ['10.20.30.2', '10.20.30.3'] } },
      { command: 'Set-DnsClient', parameters: { ConnectionSpecificSuffix: 'corp.example', InterfaceIndex: ifIndex } },
      { command: 'Set-DnsClientGlobalSetting', parameters: { SuffixSearchList: ['corp.example'] } },
      {
        command: 'Add-Computer',
        parameters: { Credential: { UserName: 'corp.example\\joiner', Password: '<secret #1>' }, DomainName: 'corp.example', Force: true, NewName: 'wg-static', OUPath: 'OU=Servers,DC=corp,DC=example' },
      },
      { command: 'Restart-Computer', parameters: { Force: true } },
    ]);

    const items = readRegistryItems(registryGuestFile(guest.registryDir));
    expect(items['hlvmm.meta.guest_provisioning_system_state']).toBe('provisioningapplied');
    expect(items['hlvmm.meta.guest_provisioning_error']).toBe('');
    expect(items['hlvmm.meta.guest_provisioning_step']).toBe('done');
    // A CryptoAPI PUBLICKEYBLOB (06 02 ...) of a 2048-bit key: 20 header bytes + 256 modulus bytes.
    const blob = Buffer.from(items['hlvmm.meta.guest_provisioning_public_key'] ?? '', 'base64');
    expect([blob[0], blob[1], blob.length]).toEqual([0x06, 0x02, 276]);
    expect(readFileSync(join(guest.stateDir, 'service_phase_status'), 'utf8')).toBe('phase_one\n');
    const guestLog = readFileSync(join(guest.stateDir, 'aetherv-guest.log'), 'utf8');
    expect(guestLog).toContain(
      'received 13 settings: guest_domain_join_ou guest_domain_join_pw guest_domain_join_target guest_domain_join_uid guest_host_name guest_la_pw guest_la_uid guest_net_dns_suffix guest_v4_cidr_prefix guest_v4_default_gw guest_v4_dns1 guest_v4_dns2 guest_v4_ip_addr\n',
    );
    expect(secretLeaks(guest, SECRETS, { 'agent output': run.output, 'job log': JSON.stringify(logs), 'job result': JSON.stringify(result) })).toEqual([]);

    // Phase two (next boot): removes its working folder only, keeps a stranger's file, unregisters the task.
    const work = join(guest.stateDir, 'work');
    mkdirSync(work);
    writeFileSync(join(work, 'scratch.txt'), 'x');
    writeFileSync(join(guest.stateDir, 'not-ours.txt'), 'keep me\n');
    const second = await runWindowsAgent(guest);
    expect(second.code, second.output).toBe(0);
    expect(readFileSync(join(guest.stateDir, 'service_phase_status'), 'utf8')).toBe('phase_two\n');
    expect(existsSync(work)).toBe(false);
    expect(readFileSync(join(guest.stateDir, 'not-ours.txt'), 'utf8')).toBe('keep me\n');
    expect(guest.commands().at(-1)).toEqual({ command: 'Unregister-ScheduledTask', parameters: { Confirm: false, TaskName: 'AetherV-Guest' } });

    // Runs once per VM: a third start changes nothing.
    const before = guest.commands().length;
    const third = await runWindowsAgent(guest);
    expect(third.code).toBe(0);
    expect(third.output).toContain('already provisioned');
    expect(guest.commands().length).toBe(before);
  }, 90_000);

  // --- bad input: each ends with a named error on both sides and nothing secret on disk ----------

  async function expectFailure(vmName: string, summary: string, settings: Record<string, string>, hooks: Parameters<typeof provision>[3] = {}, extraFields: Record<string, unknown> = {}, env: Record<string, string> = {}) {
    const guest = newGuest({ env });
    const { run, result, logs } = await provision(vmName, guest, settings, hooks, extraFields);
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain(`provisioning failed: ${summary}`);
    const items = readRegistryItems(registryGuestFile(guest.registryDir));
    expect(items['hlvmm.meta.guest_provisioning_error']).toBe(summary);
    expect(items['hlvmm.meta.guest_provisioning_system_state']).toBe('provisioningfailed');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('GUEST_PROVISIONING_FAILED');
      expect(result.error.message).toContain(summary);
    }
    expect(readFileSync(join(guest.stateDir, 'service_phase_status'), 'utf8')).toBe('failed\n');
    expect(secretLeaks(guest, SECRETS, { 'agent output': run.output, 'job log': JSON.stringify(logs), 'job result': JSON.stringify(result) })).toEqual([]);
    return guest;
  }

  test('a wrong key: the host wraps the AES key for a key that is not the guest\'s → error decrypting:shared_aes_key', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64');
    const guest = await expectFailure('wg-wrongkey', 'error decrypting:shared_aes_key', DOMAIN_SETTINGS, {
      toHost: (items) => ('hlvmm.meta.guest_provisioning_public_key' in items ? { ...items, 'hlvmm.meta.guest_provisioning_public_key': stranger } : items),
    });
    expect(guest.commands()).toEqual([]);
  }, 90_000);

  test('a truncated chunk → error decrypting:provisioning_data', async () => {
    const guest = await expectFailure('wg-truncated', 'error decrypting:provisioning_data', DOMAIN_SETTINGS, {
      toGuest: (items) => {
        const chunk = items['hlvmm.data.guest_la_pw._1'];
        return chunk ? { ...items, 'hlvmm.data.guest_la_pw._1': chunk.slice(0, 40) } : items;
      },
    });
    expect(guest.commands()).toEqual([]);
  }, 90_000);

  test('a tampered chunk (one IV byte flipped, padding still valid) → error validating:checksum, nothing applied', async () => {
    const guest = await expectFailure('wg-tampered', 'error validating:checksum', DOMAIN_SETTINGS, {
      toGuest: (items) => {
        const chunk = items['hlvmm.data.guest_la_pw._1'];
        if (!chunk) return items;
        const raw = Buffer.from(chunk, 'base64');
        raw[3] = raw[3]! ^ 0x01;
        return { ...items, 'hlvmm.data.guest_la_pw._1': raw.toString('base64') };
      },
    });
    expect(guest.commands()).toEqual([]);
  }, 90_000);

  test('a checksum that does not match the values → error validating:checksum, nothing applied', async () => {
    const guest = await expectFailure('wg-checksum', 'error validating:checksum', DOMAIN_SETTINGS, {
      toGuest: (items) => ('hlvmm.meta.provisioning_system_checksum' in items ? { ...items, 'hlvmm.meta.provisioning_system_checksum': Buffer.alloc(32, 7).toString('base64') } : items),
    });
    expect(guest.commands()).toEqual([]);
  }, 90_000);

  test('a host whose "settings published" signal never arrives: short guest timeout → error waiting:provisioning_data, reported by the host job', async () => {
    const withheld = (items: Record<string, string>) =>
      items['hlvmm.meta.host_provisioning_system_state'] === 'provisioningdatapublished' ? { ...items, 'hlvmm.meta.host_provisioning_system_state': 'waitingforpublickey' } : items;
    const guest = await expectFailure('wg-silent', 'error waiting:provisioning_data', { guest_la_uid: 'ops', guest_la_pw: PASSWORD }, { toGuest: withheld }, {}, { AETHERV_DATA_TIMEOUT: '3' });
    expect(guest.commands()).toEqual([]);
    expect(readFileSync(join(guest.stateDir, 'aetherv-guest.log'), 'utf8')).toContain('the host did not reach provisioningdatapublished within 3 s');
  }, 90_000);

  test('DHCP with DNS servers and no domain, started from an older copy installed in the template: the media\'s agent takes over; DHCP kept, DNS servers set, renamed', async () => {
    const guest = newGuest({ env: { AETHERV_REBOOT: '0' } });
    const installed = join(guest.root, 'installed');
    mkdirSync(installed);
    writeFileSync(join(installed, 'AetherV-Guest.ps1'), `${readFileSync(join(guest.mediaDir, 'AetherV-Guest.ps1'), 'utf8')}# an older build\n`);
    const { run, result } = await provision('wg-dhcp', guest, { guest_la_uid: 'Administrator', guest_la_pw: PASSWORD, guest_v4_dns1: '192.0.2.53' }, {}, {}, join(installed, 'AetherV-Guest.ps1'));
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`running the agent from the provisioning media (version ${AGENT_VERSION})`);
    expect(readFileSync(join(guest.stateDir, 'service_phase_status'), 'utf8')).toBe('phase_one\n');
    expect(result.ok).toBe(true);
    expect(guest.commands()).toEqual([
      // The template's own (disabled) Administrator: password set and account enabled.
      { command: 'Set-LocalUser', parameters: { Name: 'Administrator', Password: '<secret #0>', PasswordNeverExpires: true } },
      { command: 'Enable-LocalUser', parameters: { Name: 'Administrator' } },
      { command: 'Add-LocalGroupMember', parameters: { ErrorAction: 'SilentlyContinue', Member: 'Administrator', SID: 'S-1-5-32-544' } },
      { command: 'Set-NetIPInterface', parameters: { AddressFamily: 'IPv4', Dhcp: 'Enabled', InterfaceIndex: '7' } },
      { command: 'Set-DnsClientServerAddress', parameters: { InterfaceIndex: '7', ServerAddresses: ['192.0.2.53'] } },
      { command: 'Rename-Computer', parameters: { Force: true, NewName: 'wg-dhcp' } },
    ]);
    expect(secretLeaks(guest, SECRETS, { 'agent output': run.output })).toEqual([]);
  }, 90_000);

  test('a computer name Windows cannot take (over 15 characters) → error applying:hostname after the earlier steps', async () => {
    const guest = await expectFailure('wg-wrongname', 'error applying:hostname', { guest_la_uid: 'ops', guest_la_pw: PASSWORD, guest_host_name: 'a-name-far-too-long-for-netbios' });
    expect(guest.commands().map((c) => c.command)).toEqual(['New-LocalUser', 'Add-LocalGroupMember', 'Set-NetIPInterface', 'Set-DnsClientServerAddress']);
  }, 90_000);
});

describe('Windows guest agent (PowerShell) on its own', () => {
  const guests: WindowsGuest[] = [];
  afterAll(() => {
    for (const guest of guests) guest.cleanup();
  });

  test('a host that never answers: short timeout → error waiting:host_signal, no key published', async () => {
    const guest = makeWindowsGuest({ env: { AETHERV_HOST_TIMEOUT: '1' } });
    guests.push(guest);
    // A former run's items captured with the template: the host must never see them.
    writeRegistryItems(registryGuestFile(guest.registryDir), { 'hlvmm.meta.guest_provisioning_public_key': 'stale', 'Other.Item': 'kept' });
    const started = Date.now();
    const run = await runWindowsAgent(guest, 30_000);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain('provisioning failed: error waiting:host_signal');
    expect(run.output).toContain('the host did not reach waitingforpublickey within 1 s (last host state: unset)');
    const items = readRegistryItems(registryGuestFile(guest.registryDir));
    expect(items).toEqual({
      'Other.Item': 'kept',
      'hlvmm.meta.guest_provisioning_step': 'waiting:host_signal',
      'hlvmm.meta.guest_provisioning_error': 'error waiting:host_signal',
      'hlvmm.meta.guest_provisioning_system_state': 'provisioningfailed',
    });
    expect(readFileSync(join(guest.stateDir, 'service_phase_status'), 'utf8')).toBe('failed\n');
    // A failed run is not retried at the next boot.
    const again = await runWindowsAgent(guest, 30_000);
    expect(again.code).toBe(0);
    expect(again.output).toContain('did not finish (failed); not retrying');
  }, 60_000);

  test('a host of another agent version → error validating:manifest before any key is made', async () => {
    const guest = makeWindowsGuest({ version: '0.0.1' });
    guests.push(guest);
    writeRegistryItems(registryExternalFile(guest.registryDir), { 'hlvmm.meta.version': '9.9.9', 'hlvmm.meta.host_provisioning_system_state': 'waitingforpublickey' });
    const run = await runWindowsAgent(guest, 30_000);
    expect(run.code).toBe(1);
    expect(run.output).toContain('version mismatch: host agent 9.9.9, guest agent 0.0.1');
    const items = readRegistryItems(registryGuestFile(guest.registryDir));
    expect(items['hlvmm.meta.guest_provisioning_error']).toBe('error validating:manifest');
    expect(items['hlvmm.meta.guest_provisioning_public_key']).toBeUndefined();
  }, 60_000);
});
