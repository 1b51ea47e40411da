// The TypeScript stand-ins (test/lab/agent) answer inventory for benchmarks with hundreds of
// hosts; the real Get-HostInventory.ps1 is what hosts run. For one 20-host model, both must give
// the app the same parsed inventory, or the fast tests test something the hosts never say.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseFullInventory, parseQuickInventory } from '../../src/main/inventory';
import { fullInventoryData, quickInventoryData } from '../lab/agent/inventory';
import { takeCheckpoint } from '../lab/agent/jobs/checkpoints';
import { startRealAgentLab, type RealAgentLab } from './support';

const OBSERVED_AT = '2026-12-01T00:00:00.000Z';
/** Uptime is read a few seconds apart by the two sides; it may differ by that much, no more. */
const UPTIME_SLACK_S = 120;

/** Fields that depend on when each side looked: compared loosely, then blanked. */
function withoutClockFields<T extends { agentTimestamp?: string | null; vms: Array<{ uptimeS?: number | null; hot?: { uptimeS: number | null } }> }>(input: T): T {
  return {
    ...input,
    agentTimestamp: null,
    vms: input.vms.map((vm) => ({ ...vm, ...('uptimeS' in vm ? { uptimeS: null } : {}), ...(vm.hot ? { hot: { ...vm.hot, uptimeS: null } } : {}) })),
  };
}

function uptimes(input: { vms: Array<{ vmId: string; uptimeS?: number | null; hot?: { uptimeS: number | null } }> }): Map<string, number | null> {
  return new Map(input.vms.map((vm) => [vm.vmId, vm.hot ? vm.hot.uptimeS : (vm.uptimeS ?? null)]));
}

function expectUptimesClose(real: Map<string, number | null>, standIn: Map<string, number | null>): void {
  expect([...real.keys()].sort()).toEqual([...standIn.keys()].sort());
  for (const [id, value] of real) {
    const other = standIn.get(id) ?? null;
    if (value === null || other === null) expect(value, id).toBe(other);
    else expect(Math.abs(value - other), id).toBeLessThanOrEqual(UPTIME_SLACK_S);
  }
}

/** Runs `task` over `items` with at most `limit` at once (each real run is a pwsh process). */
async function eachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await task(items[next++]!);
  }));
}

describe('stand-in versus real Get-HostInventory.ps1 for a 20-host model', () => {
  let rig: RealAgentLab;

  beforeAll(async () => {
    rig = await startRealAgentLab({ hosts: 20, vmsPerHost: 6, clusters: 2, seed: 11 });
    // The shapes that break scripts: no VMs, exactly one VM (5.1 unrolls it), a VM without a
    // network adapter and one with a single adapter and no disk. Host 0 has non-ASCII VM names.
    const models = rig.lab.hosts.map((h) => rig.host(h.name).model);
    models[1]!.vms = [];
    models[2]!.vms = models[2]!.vms.slice(0, 1);
    models[3]!.vms[0]!.nics = [];
    models[3]!.vms[0]!.ipAddresses = [];
    models[3]!.vms[1]!.nics = models[3]!.vms[1]!.nics.slice(0, 1);
    models[3]!.vms[1]!.ipAddresses = [...models[3]!.vms[1]!.nics[0]!.ipAddresses];
    models[3]!.vms[1]!.disks = [];
    // A switch no VM is connected to: only Get-VMSwitch can report it (agent 1.2.0).
    models[4]!.virtualSwitches.push('vSwitch-Spare');
    // Checkpoints (agent 1.4.0): a chain of two, and a second branch from the first after applying it.
    const withCheckpoints = models[5]!.vms[0]!;
    withCheckpoints.checkpoints = [];
    const root = takeCheckpoint(withCheckpoints, 'before patch', 'Standard', new Date('2026-11-01T10:00:00.123Z'));
    takeCheckpoint(withCheckpoints, 'after patch', 'Production', new Date('2026-11-02T10:00:00Z'));
    withCheckpoints.parentCheckpointId = root.id;
    takeCheckpoint(withCheckpoints, 'branch', 'Standard', new Date('2026-11-03T10:00:00Z'));
    for (const host of rig.lab.hosts) rig.install(host.name);
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  test('inventory and inventory.quick parse to the same result on every host', async () => {
    const checked: string[] = [];
    await eachLimited(rig.lab.hosts, 3, async ({ name }) => {
      const host = rig.host(name);
      const realData = (await rig.invoke('inventory', {}, { host: name })) as { VirtualMachines: Array<Record<string, unknown>> };
      const standInData = fullInventoryData(host) as { VirtualMachines: Array<Record<string, unknown>> };
      // The checkpoint report, raw (the parser's view of it is compared below with everything else).
      const checkpointsOf = (data: { VirtualMachines: Array<Record<string, unknown>> }) =>
        [data.VirtualMachines].flat().map((vm) => ({ id: vm.Id, checkpoints: vm.Checkpoints ?? null, parent: vm.ParentCheckpointId }));
      expect(checkpointsOf(realData), name).toEqual(checkpointsOf(standInData));
      const realFull = parseFullInventory(realData, name, OBSERVED_AT);
      const standInFull = parseFullInventory(standInData, name, OBSERVED_AT);
      expectUptimesClose(uptimes(realFull), uptimes(standInFull));
      expect(withoutClockFields(realFull), name).toEqual(withoutClockFields(standInFull));
      expect(realFull.host.switches, name).toEqual(host.model.virtualSwitches);
      expect(realFull.agentTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);

      const realQuick = parseQuickInventory(await rig.invoke('inventory.quick', {}, { host: name }), name, OBSERVED_AT);
      const standInQuick = parseQuickInventory(quickInventoryData(host), name, OBSERVED_AT);
      expectUptimesClose(uptimes(realQuick), uptimes(standInQuick));
      expect(withoutClockFields(realQuick), name).toEqual(withoutClockFields(standInQuick));
      checked.push(name);
    });
    expect(checked.length).toBe(20);
    // The model covers what breaks scripts: no VMs, VMs without adapters, clustered and standalone hosts.
    const models = rig.lab.hosts.map((h) => rig.host(h.name).model);
    expect(models.some((m) => m.cluster)).toBe(true);
    expect(models.some((m) => !m.cluster)).toBe(true);
    expect(models[5]!.vms[0]!.checkpoints).toHaveLength(3);
    // The generator gives some VMs checkpoints of their own: the comparison covered more than one.
    expect(models.flatMap((m) => m.vms).filter((vm) => vm.checkpoints?.length).length).toBeGreaterThan(1);
  }, 300_000);
});
