// Issue 13 item 8 (uptime part): like Hyper-V, a VM's uptime restarts when it boots — a start from
// Off or Saved, or a restart (reset) — and carries on through pause/resume. Checked on both lab
// paths: the stand-in agent (TypeScript vm.action + inventory.quick) and the simulated Hyper-V
// module's RPC layer that the real-PowerShell lab's Get-VM/Start-VM/Restart-VM call.
import { describe, expect, test } from 'vitest';
import { jobOperations, setJobKnobs } from './agent/jobs';
import { quickInventoryData, vmUptimeSeconds } from './agent/inventory';
import type { AgentOperationContext } from './agent/types';
import { SimHost } from './host';
import { generateLabModel } from './model';
import type { SimVm } from './model/types';
import { handleHyperVRpc } from './pwsh/hyperv-rpc';

function newHost(seed: number): SimHost {
  const model = generateLabModel({ hosts: 1, vmsPerHost: 6, seed, clusters: 0 });
  const host = new SimHost({ model: model.hosts[0]!, credentials: { username: 'a', password: 'b' }, allowUnencrypted: true, seed });
  setJobKnobs(host, { actionMs: 5 });
  return host;
}

const running = (host: SimHost): SimVm => {
  const vm = host.model.vms.find((v) => v.state === 'Running');
  expect(vm, 'a Running VM in the generated model').toBeDefined();
  return vm!;
};

describe('stand-in agent (vm.action + inventory.quick)', () => {
  const host = newHost(41);
  const act = (vm: SimVm, action: string) =>
    jobOperations['vm.action']!({
      host,
      envelope: { operation: 'vm.action', fields: { vmId: vm.id, action } },
      signal: new AbortController().signal,
      log: () => undefined,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    } satisfies AgentOperationContext);
  const reported = (vm: SimVm) => {
    const row = (quickInventoryData(host).VirtualMachines as Array<Record<string, unknown>>).find((r) => r.Id === vm.id)!;
    return row.UptimeSeconds as number;
  };

  test('restart resets the uptime the quick listing reports; turn off makes it 0; start counts from the start', async () => {
    const vm = running(host);
    expect(reported(vm)).toBeGreaterThan(60);
    await act(vm, 'restart');
    expect(vm.state).toBe('Running');
    expect(reported(vm)).toBeLessThanOrEqual(1);
    // Uptime keeps counting from the new boot.
    expect(vmUptimeSeconds(vm, Date.now() + 90_000)).toBeGreaterThanOrEqual(89);
    await act(vm, 'turnoff');
    expect(reported(vm)).toBe(0);
    await act(vm, 'start');
    expect(reported(vm)).toBeLessThanOrEqual(1);
  });

  test('pause and resume keep the boot (no reset); save then start is a new boot', async () => {
    const vm = host.model.vms.filter((v) => v.state === 'Running')[1]!;
    const before = reported(vm);
    expect(before).toBeGreaterThan(60);
    await act(vm, 'pause');
    await act(vm, 'resume');
    expect(reported(vm)).toBeGreaterThanOrEqual(before);
    await act(vm, 'save');
    expect(reported(vm)).toBe(0);
    await act(vm, 'start');
    expect(reported(vm)).toBeLessThanOrEqual(1);
  });
});

describe('simulated Hyper-V module (lab RPC behind Get-VM, Restart-VM, Start-VM)', () => {
  const host = newHost(43);
  const rpc = (method: string, params: Record<string, unknown>) => handleHyperVRpc(host, method, params);
  const uptime = async (vm: SimVm) => ((await rpc('vm.list', { ids: [vm.id] })) as Array<{ uptimeSeconds: number }>)[0]!.uptimeSeconds;

  test('Restart-VM (reset) resets Get-VM’s Uptime; Stop-VM -TurnOff zeroes it; Start-VM counts from the start', async () => {
    const vm = running(host);
    expect(await uptime(vm)).toBeGreaterThan(60);
    await rpc('vm.action', { id: vm.id, action: 'reset' });
    expect(vm.state).toBe('Running');
    expect(await uptime(vm)).toBeLessThanOrEqual(1);
    await rpc('vm.action', { id: vm.id, action: 'turnoff' });
    expect(await uptime(vm)).toBe(0);
    await rpc('vm.action', { id: vm.id, action: 'start' });
    expect(await uptime(vm)).toBeLessThanOrEqual(1);
  });

  test('Suspend-VM/Resume-VM keep the boot', async () => {
    const vm = host.model.vms.filter((v) => v.state === 'Running')[1]!;
    const before = await uptime(vm);
    expect(before).toBeGreaterThan(60);
    await rpc('vm.action', { id: vm.id, action: 'pause' });
    await rpc('vm.action', { id: vm.id, action: 'resume' });
    expect(await uptime(vm)).toBeGreaterThanOrEqual(before);
  });
});
