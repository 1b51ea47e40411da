// The real Linux guest agent (bash) against KVP pool files in a temp folder, with the host side
// played by the real agent/New-AetherVm.ps1 + AetherV.Kvp.ps1 in real PowerShell on a real-agent
// lab host; the lab's KVP pool bridge moves items between the simulated Msvm_KvpExchange* classes
// and the pool files, as hv_kvp_daemon does in a VM.
import { generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { AgentLogEntry, AgentOperationFailed } from '../../src/main/agent';
import { setJobKnobs } from '../lab/agent/jobs';
import { setHyperVSimKnobs } from '../lab/pwsh/hyperv-rpc';
import { encodeKvpRecord, kvpPoolFile, readKvpPool, startKvpPoolBridge, writeKvpPool, type KvpPoolBridge } from '../lab/pwsh/kvp-pool-bridge';
import { INSTALL_DIR, startRealAgentLab, type RealAgentLab } from '../agent-real/support';
import { AGENT_SOURCE_DIR, AGENT_VERSION, makeGuest, modeOf, runAgent, secretLeaks, type Guest } from './rig';

// More than 100 code points with characters outside the BMP: chunked by code point on the host, joined as bytes here.
const PASSWORD = `Guest-Pass-7731-zq-${'\u{1F511}ä'.repeat(45)}`;
// Longer than 100 code points: the host publishes it in chunks.
const SSH_KEY = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh5ejEyMzQ1Njc4OTBhYmNkZWZnaGlqa2xtbm9wcXJzdHV2 ops@aether-v-${'x'.repeat(60)}`;
const REAL_OPENSSL = execFileSync('bash', ['-c', 'command -v openssl'], { encoding: 'utf8' }).trim();
const VM_NAMES = ['lg-silent', 'lg-static', 'lg-dhcp', 'lg-foreign', 'lg-wrongkey', 'lg-truncated', 'lg-tampered', 'lg-checksum'];

describe('Linux guest agent (bash) with the real host side over KVP pool files', () => {
  let rig: RealAgentLab;
  const guests: Guest[] = [];
  const bridges: KvpPoolBridge[] = [];

  beforeAll(async () => {
    rig = await startRealAgentLab({ hosts: 1, vmsPerHost: 2, seed: 14 });
    rig.install();
    await rig.host().setKnobs({ slowFactor: 0.05 });
    setJobKnobs(rig.host(), { actionMs: 50 });
    setHyperVSimKnobs(rig.host(), { externalKvpGuests: VM_NAMES });
    rig.host().files.put(`${INSTALL_DIR}\\LinuxProvisioning.iso`, 'lab stand-in for the provisioning ISO\n');
  }, 120_000);
  afterEach(() => {
    for (const bridge of bridges.splice(0)) bridge.stop();
  });
  afterAll(async () => {
    for (const guest of guests) guest.cleanup();
    await rig?.close();
  });

  const newGuest = (...args: Parameters<typeof makeGuest>) => {
    const guest = makeGuest(...args);
    guests.push(guest);
    return guest;
  };

  /** vm.create through the app's invokeAgent, with the bash agent answering through the bridge. */
  async function provision(vmName: string, guest: Guest, settings: Record<string, string>, hooks: Pick<Parameters<typeof startKvpPoolBridge>[0], 'toGuest' | 'toHost'> = {}, script?: string) {
    bridges.push(startKvpPoolBridge({ host: rig.host(), vmName, poolDir: guest.poolDir, ...hooks }));
    const logs: AgentLogEntry[] = [];
    const agent = runAgent(guest, 60_000, script);
    const created = rig
      .invoke(
        'vm.create',
        { vmName, osFamily: 'linux', imagePath: 'D:\\Images\\ubuntu-22.04.vhdx', vmRootPath: 'D:\\VMs', guest: settings, publishSettleSeconds: 0, guestKeyTimeoutSeconds: 30, guestApplyTimeoutSeconds: 30 },
        { logs },
      )
      .then(
        (data) => ({ ok: true as const, data: data as Record<string, unknown> }),
        (error: unknown) => ({ ok: false as const, error: error as AgentOperationFailed }),
      );
    const [run, result] = await Promise.all([agent, created]);
    return { run, result, logs };
  }

  const guestItems = (guest: Guest) => Object.fromEntries(readKvpPool(kvpPoolFile(guest.poolDir, 1)).map((r) => [r.key, r.value]));

  test('happy path, static IPv4 on netplan: host name, local admin, SSH user with key, files written, secrets wiped; phase two cleans up; a third run does nothing', async () => {
    const guest = newGuest();
    // Every openssl the agent starts goes through a wrapper that records its command line.
    const argvLog = join(guest.root, 'openssl-argv.log');
    const wrapperDir = join(guest.root, 'bin');
    mkdirSync(wrapperDir);
    writeFileSync(join(wrapperDir, 'openssl'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec '${REAL_OPENSSL}' "$@"\n`, { mode: 0o755 });
    guest.env.PATH = `${wrapperDir}:${guest.env.PATH ?? ''}`;
    const started = Date.now();
    const { run, result, logs } = await provision('lg-static', guest, {
      guest_la_uid: 'ops',
      guest_la_pw: PASSWORD,
      guest_v4_ip_addr: '10.20.30.40',
      guest_v4_cidr_prefix: '24',
      guest_v4_default_gw: '10.20.30.1',
      guest_v4_dns1: '10.20.30.2',
      guest_v4_dns2: '10.20.30.3',
      guest_net_dns_suffix: 'lab.example',
      ansible_ssh_user: 'ansible',
      ansible_ssh_key: SSH_KEY,
    });
    const elapsed = Date.now() - started;
    expect(run.code, run.output).toBe(0);
    expect(result.ok, result.ok ? '' : result.error.message).toBe(true);
    if (result.ok) expect(result.data).toMatchObject({ vmName: 'lg-static', status: 'created', provisioned: true });
    expect(logs.map((l) => l.message)).toContain('Guest state: provisioningapplied');
    expect(elapsed).toBeLessThan(30_000);

    const etc = join(guest.targetRoot, 'etc');
    expect(readFileSync(join(etc, 'hostname'), 'utf8')).toBe('lg-static\n');
    expect(readFileSync(join(etc, 'hosts'), 'utf8')).toContain('127.0.1.1\tlg-static\n');
    expect(readFileSync(join(etc, 'netplan', '90-aetherv.yaml'), 'utf8')).toBe(
      [
        'network:',
        '  version: 2',
        '  ethernets:',
        '    eth0:',
        '      dhcp4: false',
        '      addresses: [10.20.30.40/24]',
        '      routes:',
        '        - to: default',
        '          via: 10.20.30.1',
        '      nameservers:',
        '        addresses: [10.20.30.2, 10.20.30.3]',
        '        search: [lab.example]',
        '',
      ].join('\n'),
    );
    expect(modeOf(join(etc, 'netplan', '90-aetherv.yaml'))).toBe(0o600);
    const authorized = join(guest.targetRoot, 'home', 'ansible', '.ssh', 'authorized_keys');
    expect(readFileSync(authorized, 'utf8')).toBe(`${SSH_KEY}\n`);
    expect(modeOf(authorized)).toBe(0o600);
    expect(modeOf(join(guest.targetRoot, 'home', 'ansible', '.ssh'))).toBe(0o700);
    expect(readFileSync(join(etc, 'sudoers.d', '90-aetherv-ansible'), 'utf8')).toBe('ansible ALL=(ALL) NOPASSWD:ALL\n');
    expect(modeOf(join(etc, 'sudoers.d', '90-aetherv-ansible'))).toBe(0o440);
    expect(guest.commands()).toEqual([
      'hostnamectl set-hostname lg-static',
      'useradd -m -s /bin/bash -G sudo ops',
      // "ops:" + password + newline, on stdin; the dry run records only its length.
      `chpasswd <stdin ${Buffer.byteLength(`ops:${PASSWORD}\n`)} bytes>`,
      'useradd -m -s /bin/bash -G sudo ansible',
      'chown -R ansible: /home/ansible/.ssh',
      'netplan apply',
      'systemctl --no-block reboot',
    ]);

    const items = guestItems(guest);
    expect(items['hlvmm.meta.guest_provisioning_system_state']).toBe('provisioningapplied');
    expect(items['hlvmm.meta.guest_provisioning_error']).toBe('');
    expect(items['hlvmm.meta.guest_provisioning_public_key']).toMatch(/^MIIBCgKCAQEA[A-Za-z0-9+/]+=*$/);
    expect(readFileSync(join(guest.stateDir, 'service_phase_status'), 'utf8')).toBe('phase_one\n');
    // Nothing secret is left: the run folder holds no key or value file.
    expect(existsSync(join(guest.runDir, 'secrets'))).toBe(false);
    expect(existsSync(join(guest.runDir, 'values'))).toBe(false);
    expect(secretLeaks(guest, [PASSWORD], { 'agent output': run.output, 'job log': JSON.stringify(logs) })).toEqual([]);
    // No secret on a command line: openssl ran (key made, values opened with cms), never with a raw key.
    const argv = readFileSync(argvLog, 'utf8').split('\n').filter(Boolean);
    expect(argv.some((line) => line.startsWith('genpkey '))).toBe(true);
    expect(argv.filter((line) => line.startsWith('cms -decrypt ')).length).toBeGreaterThanOrEqual(10);
    for (const line of argv) {
      expect(line).not.toMatch(/(^| )-(K|iv|pass|kfile)( |$)|hexkey|[0-9a-f]{64}/i);
    }

    // Phase two (next boot): removes exactly its own working files, keeps a stranger's, disables the unit.
    writeFileSync(join(guest.stateDir, 'not-ours.txt'), 'keep me\n');
    const second = await runAgent(guest);
    expect(second.code, second.output).toBe(0);
    expect(readFileSync(join(guest.stateDir, 'service_phase_status'), 'utf8')).toBe('phase_two\n');
    expect(readdirSync(guest.stateDir).sort()).toEqual(['.lock', 'not-ours.txt', 'service_phase_status']);
    expect(existsSync(guest.runDir)).toBe(false);
    expect(guest.commands().at(-1)).toBe('systemctl disable aetherv-guest.service');
    expect(readFileSync(authorized, 'utf8')).toBe(`${SSH_KEY}\n`);

    // Runs once per VM: a third start changes nothing.
    const before = guest.commands().length;
    const third = await runAgent(guest);
    expect(third.code).toBe(0);
    expect(third.output).toContain('already provisioned');
    expect(guest.commands().length).toBe(before);
  }, 60_000);

  test('DHCP on NetworkManager, started from an older copy installed in the template: the media\'s agent takes over', async () => {
    const guest = newGuest({ network: 'networkmanager', env: { AETHERV_REBOOT: '0' } });
    const installed = join(guest.root, 'installed');
    mkdirSync(installed);
    writeFileSync(join(installed, 'aetherv-guest.sh'), `${readFileSync(join(guest.mediaDir, 'aetherv-guest.sh'), 'utf8')}# an older build\n`, { mode: 0o700 });
    const { run, result } = await provision('lg-dhcp', guest, { guest_la_uid: 'admin', guest_la_pw: PASSWORD, guest_v4_dns1: '192.0.2.53' }, {}, join(installed, 'aetherv-guest.sh'));
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`running the agent from the provisioning media (version ${AGENT_VERSION})`);
    expect(result.ok).toBe(true);
    const file = join(guest.targetRoot, 'etc', 'NetworkManager', 'system-connections', 'aetherv-eth0.nmconnection');
    const body = readFileSync(file, 'utf8');
    expect(body).toContain('[ipv4]\nmethod=auto\ndns=192.0.2.53;\n');
    expect(body).not.toContain('address1=');
    expect(modeOf(file)).toBe(0o600);
    expect(readFileSync(join(guest.targetRoot, 'etc', 'hostname'), 'utf8')).toBe('lg-dhcp\n');
    expect(guest.commands()).toContain('nmcli connection up aetherv-eth0');
    expect(guest.commands()).not.toContain('systemctl --no-block reboot');
    expect(secretLeaks(guest, [PASSWORD], { 'agent output': run.output })).toEqual([]);
  }, 60_000);

  test('a pool file with foreign records and a former run\'s items: other records kept byte for byte, stale ones replaced; on ifupdown', async () => {
    const guest = newGuest({ network: 'ifupdown', env: { AETHERV_REBOOT: '0' } });
    // Records other programs put in the guest pool, one with bytes after its terminating NUL.
    const odd = encodeKvpRecord('vendor.tool', 'v=1');
    odd.write('garbage-after-nul', 600, 'utf8');
    const foreignGuest = [encodeKvpRecord('OSBuild', '22.04'), odd, encodeKvpRecord('hlvmm.meta.guest_provisioning_system_state_backup', 'x')];
    // A template captured with a former run's items in its pool: the host must never see them.
    const stale = [encodeKvpRecord('hlvmm.meta.guest_provisioning_system_state', 'provisioningfailed'), encodeKvpRecord('hlvmm.meta.guest_provisioning_error', 'error applying:old')];
    writeKvpPool(kvpPoolFile(guest.poolDir, 1), Buffer.concat([foreignGuest[0]!, stale[0]!, foreignGuest[1]!, stale[1]!, foreignGuest[2]!]));
    writeKvpPool(kvpPoolFile(guest.poolDir, 0), [{ key: 'Other.External', value: 'kept' }]);
    const { run, result } = await provision('lg-foreign', guest, { guest_la_uid: 'ops', guest_la_pw: PASSWORD, guest_v4_ip_addr: '10.9.8.7', guest_v4_cidr_prefix: '16', guest_v4_default_gw: '10.9.0.1' });
    expect(run.code, run.output).toBe(0);
    expect(result.ok).toBe(true);
    const raw = readFileSync(kvpPoolFile(guest.poolDir, 1));
    expect(raw.length % 2560).toBe(0);
    for (let i = 0; i < foreignGuest.length; i++) expect(raw.subarray(i * 2560, (i + 1) * 2560).equals(foreignGuest[i]!), `record ${i}`).toBe(true);
    const items = guestItems(guest);
    expect(items['hlvmm.meta.guest_provisioning_system_state']).toBe('provisioningapplied');
    expect(items['hlvmm.meta.guest_provisioning_error']).toBe('');
    expect(readKvpPool(kvpPoolFile(guest.poolDir, 1)).filter((r) => r.key === 'hlvmm.meta.guest_provisioning_system_state')).toHaveLength(1);
    expect(readKvpPool(kvpPoolFile(guest.poolDir, 0)).find((r) => r.key === 'Other.External')?.value).toBe('kept');
    expect(readFileSync(join(guest.targetRoot, 'etc', 'network', 'interfaces.d', '90-aetherv-eth0'), 'utf8')).toBe('auto eth0\niface eth0 inet static\n    address 10.9.8.7/16\n    gateway 10.9.0.1\n');
    expect(readFileSync(join(guest.targetRoot, 'etc', 'network', 'interfaces'), 'utf8')).toContain('# disabled by aetherv-guest: iface eth0 inet dhcp');
    expect(guest.commands().slice(-2)).toEqual(['ifdown --force eth0', 'ifup eth0']);
  }, 60_000);

  // --- bad input: each ends with a named error on both sides and nothing secret on disk ----------

  async function expectFailure(vmName: string, summary: string, hooks: Parameters<typeof provision>[3]) {
    const guest = newGuest();
    const { run, result, logs } = await provision(vmName, guest, { guest_la_uid: 'ops', guest_la_pw: PASSWORD, ansible_ssh_user: 'ansible', ansible_ssh_key: SSH_KEY }, hooks);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(`provisioning failed: ${summary}`);
    const items = guestItems(guest);
    expect(items['hlvmm.meta.guest_provisioning_error']).toBe(summary);
    expect(items['hlvmm.meta.guest_provisioning_system_state']).toBe('provisioningfailed');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('GUEST_PROVISIONING_FAILED');
      expect(result.error.message).toContain(summary);
    }
    expect(readFileSync(join(guest.stateDir, 'service_phase_status'), 'utf8')).toBe('failed\n');
    expect(existsSync(join(guest.targetRoot, 'etc', 'hostname'))).toBe(false);
    expect(guest.commands()).toEqual([]);
    expect(existsSync(join(guest.runDir, 'secrets'))).toBe(false);
    expect(existsSync(join(guest.runDir, 'values'))).toBe(false);
    expect(secretLeaks(guest, [PASSWORD], { 'agent output': run.output, 'job log': JSON.stringify(logs) })).toEqual([]);
  }

  test('a wrong key: the host wraps the AES key for a key that is not the guest\'s → error decrypting:shared_aes_key', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64');
    await expectFailure('lg-wrongkey', 'error decrypting:shared_aes_key', {
      toHost: (items) => ('hlvmm.meta.guest_provisioning_public_key' in items ? { ...items, 'hlvmm.meta.guest_provisioning_public_key': stranger } : items),
    });
  }, 60_000);

  test('a truncated chunk → error decrypting:provisioning_data', async () => {
    await expectFailure('lg-truncated', 'error decrypting:provisioning_data', {
      toGuest: (items) => {
        const chunk = items['hlvmm.data.ansible_ssh_key._1'];
        return chunk ? { ...items, 'hlvmm.data.ansible_ssh_key._1': chunk.slice(0, 40) } : items;
      },
    });
  }, 60_000);

  test('a tampered chunk (one IV byte flipped, padding still valid) → error validating:checksum', async () => {
    await expectFailure('lg-tampered', 'error validating:checksum', {
      toGuest: (items) => {
        const chunk = items['hlvmm.data.ansible_ssh_key._0'];
        if (!chunk) return items;
        const raw = Buffer.from(chunk, 'base64');
        raw[3] = raw[3]! ^ 0x01;
        return { ...items, 'hlvmm.data.ansible_ssh_key._0': raw.toString('base64') };
      },
    });
  }, 60_000);

  test('a guest that never answers (no agent in the template): the host gives up at its timeout with GUEST_TIMEOUT naming the step, and keeps the VM', async () => {
    const created = await rig
      .invoke('vm.create', { vmName: 'lg-silent', osFamily: 'linux', imagePath: 'D:\\Images\\ubuntu-22.04.vhdx', vmRootPath: 'D:\\VMs', guest: { guest_la_uid: 'ops', guest_la_pw: PASSWORD }, publishSettleSeconds: 0, guestKeyTimeoutSeconds: 10, guestApplyTimeoutSeconds: 10 })
      .then(() => undefined, (error: unknown) => error as AgentOperationFailed);
    expect(created?.code).toBe('GUEST_TIMEOUT');
    expect(created?.message).toMatch(/Step wait-key: the guest did not reach waitingforaeskey within 10 s/);
    expect(created?.message).toMatch(/^host hv01: VM 'lg-silent' was created/);
    const vm = rig.host().model.vms.find((v) => v.name === 'lg-silent');
    expect(vm, 'the VM is kept for diagnosis').toBeDefined();
    expect(created?.details).toMatchObject({ vmId: vm!.id, step: 'wait-key' });
  });

  test('a checksum that does not match the values → error validating:checksum', async () => {
    await expectFailure('lg-checksum', 'error validating:checksum', {
      toGuest: (items) => ('hlvmm.meta.provisioning_system_checksum' in items ? { ...items, 'hlvmm.meta.provisioning_system_checksum': Buffer.alloc(32, 7).toString('base64') } : items),
    });
  }, 60_000);
});

describe('Linux guest agent (bash) on its own', () => {
  const guests: Guest[] = [];
  afterAll(() => {
    for (const guest of guests) guest.cleanup();
  });

  test('a host that never answers: short timeout → error waiting:host_signal, no key left', async () => {
    const guest = makeGuest({ env: { AETHERV_HOST_TIMEOUT: '1' } });
    guests.push(guest);
    const started = Date.now();
    const run = await runAgent(guest, 20_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('provisioning failed: error waiting:host_signal');
    const items = Object.fromEntries(readKvpPool(kvpPoolFile(guest.poolDir, 1)).map((r) => [r.key, r.value]));
    expect(items['hlvmm.meta.guest_provisioning_error']).toBe('error waiting:host_signal');
    expect(items['hlvmm.meta.guest_provisioning_system_state']).toBe('provisioningfailed');
    expect(existsSync(join(guest.runDir, 'secrets'))).toBe(false);
  });

  test('stopped by systemd (SIGTERM) while waiting: reports the step it was at and wipes its key', async () => {
    const guest = makeGuest();
    guests.push(guest);
    writeKvpPool(kvpPoolFile(guest.poolDir, 0), [
      { key: 'hlvmm.meta.version', value: AGENT_VERSION },
      { key: 'hlvmm.meta.host_provisioning_system_state', value: 'waitingforpublickey' },
    ]);
    let keyExisted = false;
    const run = await runAgent(guest, 20_000, undefined, (child) => {
      // Stop it once it waits for the host's data, i.e. after its private key exists.
      const timer = setInterval(() => {
        const items = Object.fromEntries(readKvpPool(kvpPoolFile(guest.poolDir, 1)).map((r) => [r.key, r.value]));
        if (items['hlvmm.meta.guest_provisioning_step'] === 'waiting:provisioning_data') {
          keyExisted = existsSync(join(guest.runDir, 'secrets', 'private.pem'));
          clearInterval(timer);
          child.kill('SIGTERM');
        }
      }, 50);
      child.on('close', () => clearInterval(timer));
    });
    expect(keyExisted).toBe(true);
    expect(run.code, run.output).toBe(143);
    expect(run.output).toContain('provisioning failed: error waiting:provisioning_data');
    const items = Object.fromEntries(readKvpPool(kvpPoolFile(guest.poolDir, 1)).map((r) => [r.key, r.value]));
    expect(items['hlvmm.meta.guest_provisioning_system_state']).toBe('provisioningfailed');
    expect(existsSync(join(guest.runDir, 'secrets'))).toBe(false);
    expect(readFileSync(join(guest.stateDir, 'service_phase_status'), 'utf8')).toBe('failed\n');
  });

  test('a host of another agent version → error validating:manifest before any key is made', async () => {
    const guest = makeGuest({ version: '0.0.1' });
    guests.push(guest);
    writeKvpPool(kvpPoolFile(guest.poolDir, 0), [
      { key: 'hlvmm.meta.version', value: '9.9.9' },
      { key: 'hlvmm.meta.host_provisioning_system_state', value: 'waitingforpublickey' },
    ]);
    const run = await runAgent(guest, 20_000);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('version mismatch: host agent 9.9.9, guest agent 0.0.1');
    const items = Object.fromEntries(readKvpPool(kvpPoolFile(guest.poolDir, 1)).map((r) => [r.key, r.value]));
    expect(items['hlvmm.meta.guest_provisioning_error']).toBe('error validating:manifest');
    expect(items['hlvmm.meta.guest_provisioning_public_key']).toBeUndefined();
  });

  test('the script passes bash -n', async () => {
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync('bash', ['-n', join(AGENT_SOURCE_DIR, 'aetherv-guest.sh')], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
  });
});
