// What a user sees of a VM, the same from the lab's TypeScript stand-ins (demo, benchmarks) and
// from the real agent in real PowerShell: an Off VM reports no guest IP addresses and no heartbeat
// (Hyper-V learns addresses from the running guest's integration services), and they come back
// when it runs; a new VM is a cluster role only when the create asked for it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AgentOperationFailed, invokeAgent } from '../../src/main/agent';
import { resolveAgentDir } from '../../src/main/deployment/scripts';
import { parseFullInventory } from '../../src/main/inventory';
import { WinrmClient } from '../../src/main/winrm';
import { setJobKnobs } from './agent/jobs';
import { startLab, type Lab } from './index';

const INSTALL_DIR = 'C:\\ProgramData\\Aether-V\\agent';

describe.each([
  { kind: 'stand-in agent', realAgent: false },
  { kind: 'real agent in real PowerShell', realAgent: true },
])('VM facts a user sees: $kind', ({ realAgent }) => {
  let lab: Lab;
  let clustered: string;
  let standalone: string;
  const clients: WinrmClient[] = [];
  let correlation = 0;

  const invoke = (host: string, operation: string, fields: Record<string, unknown> = {}) => {
    const info = lab.hosts.find((h) => h.name === host)!;
    const client = new WinrmClient({ endpoint: info.httpUrl, auth: 'ntlm', username: info.username, password: info.password });
    clients.push(client);
    return invokeAgent(client, { host, installDir: INSTALL_DIR, operation, correlationId: `facts-${++correlation}`, fields });
  };
  const inventory = async (host: string): Promise<ReturnType<typeof parseFullInventory>> => parseFullInventory(await invoke(host, 'inventory'), host, new Date().toISOString());

  beforeAll(async () => {
    lab = await startLab({ hosts: 3, vmsPerHost: 4, clusters: 1, seed: 31, realAgent });
    clustered = lab.hosts.find((h) => h.cluster)!.name;
    standalone = lab.hosts.find((h) => !h.cluster)!.name;
    // The agent's files as a finished deployment leaves them (the stand-in answers for the entry script).
    const agentDir = resolveAgentDir();
    for (const h of lab.hosts) {
      const host = lab.host(h.name);
      for (const file of readdirSync(agentDir).filter((f) => f.endsWith('.ps1'))) host.files.put(`${INSTALL_DIR}\\${file}`, readFileSync(join(agentDir, file)));
      host.files.put(`${INSTALL_DIR}\\version`, readFileSync(join(agentDir, 'version')));
      await host.setKnobs({ slowFactor: 0.05 });
      setJobKnobs(host, { actionMs: 50, stepMs: 20 });
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await lab?.close();
  });

  test('a VM turned off reports no IP addresses and no heartbeat; started again, its addresses are back', async () => {
    const model = lab.host(standalone).model;
    const vm = model.vms.find((v) => v.state === 'Running' && v.nics.some((n) => n.ipAddresses.length > 0))!;
    expect(vm, 'the seed gives a running VM with an address').toBeDefined();
    const addresses = vm.nics.flatMap((n) => n.ipAddresses);

    const running = (await inventory(standalone)).vms.find((v) => v.vmId === vm.id)!;
    expect(running.state).toBe('Running');
    expect(running.config.ipAddresses).toEqual(expect.arrayContaining(addresses));
    expect(running.hot?.heartbeat).toBeTruthy();

    await invoke(standalone, 'vm.action', { vmId: vm.id, action: 'turnoff' });
    const off = (await inventory(standalone)).vms.find((v) => v.vmId === vm.id)!;
    expect(off.state).toBe('Off');
    expect(off.config.ipAddresses).toEqual([]);
    expect(off.config.nics.flatMap((n) => n.ipAddresses)).toEqual([]);
    expect(off.hot).toBeDefined();
    expect(off.hot!.heartbeat).toBeNull();

    await invoke(standalone, 'vm.action', { vmId: vm.id, action: 'start' });
    const again = (await inventory(standalone)).vms.find((v) => v.vmId === vm.id)!;
    expect(again.state).toBe('Running');
    expect(again.config.ipAddresses).toEqual(expect.arrayContaining(addresses));
  }, 120_000);

  test('a new VM on a cluster node is a cluster role only when the create asked for it', async () => {
    const base = { osFamily: 'windows', imagePath: 'D:\\Images\\ws2022.vhdx', vmRootPath: 'D:\\VMs', cpuCount: 1, memoryGB: 1 };
    const plain = (await invoke(clustered, 'vm.create', { ...base, vmName: 'facts-plain' })) as { vmId: string; clustered: boolean };
    const role = (await invoke(clustered, 'vm.create', { ...base, vmName: 'facts-role', clustered: true })) as { vmId: string; clustered: boolean };
    expect(plain.clustered).toBe(false);
    expect(role.clustered).toBe(true);

    const vms = (await inventory(clustered)).vms;
    expect(vms.find((v) => v.vmId === plain.vmId)!.config.clustered).toBe(false);
    expect(vms.find((v) => v.vmId === role.vmId)!.config.clustered).toBe(true);
    // The VMs the host had before are roles of its cluster, as generated.
    expect(vms.filter((v) => v.vmId !== plain.vmId && v.vmId !== role.vmId).every((v) => v.config.clustered)).toBe(true);
  }, 120_000);

  test('asking for a cluster role on a standalone host fails after the VM was created, and keeps the VM', async () => {
    const error = await invoke(standalone, 'vm.create', { osFamily: 'windows', imagePath: 'D:\\Images\\ws2022.vhdx', vmRootPath: 'D:\\VMs', vmName: 'facts-lonely', clustered: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AgentOperationFailed);
    expect((error as AgentOperationFailed).message).toMatch(/was created \(id [0-9a-f-]{36}\) but .*cluster service is not running/i);
    const kept = lab.host(standalone).model.vms.find((v) => v.name === 'facts-lonely');
    expect(kept?.state).toBe('Running');
    expect((await inventory(standalone)).vms.find((v) => v.name === 'facts-lonely')!.config.clustered).toBe(false);
  }, 120_000);
});
