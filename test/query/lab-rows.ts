import type { InventoryVm } from '../../src/shared/contract';
import { GUEST_UP, toGiB, vmHeartbeat, vmUptimeSeconds } from '../lab/agent/inventory';
import type { LabModel } from '../lab/model';

/**
 * The lab model's VMs as inventory rows, shaped the way the agent reports them (memory in GiB with
 * two decimals, heartbeat and uptime from the lab's own rules) — for the query benchmark, which
 * needs 50,000 realistic rows without running 2,000 simulated hosts.
 */
export function labInventoryRows(model: LabModel, at = Date.now()): { vms: InventoryVm[]; hostName(hostId: string): string; clusterOf(hostId: string): string | null } {
  const vms: InventoryVm[] = [];
  const clusters = new Map<string, string | null>();
  const observedAt = new Date(at).toISOString();
  for (const host of model.hosts) {
    clusters.set(host.name, host.cluster ?? null);
    for (const vm of host.vms) {
      const guestUp = GUEST_UP.has(vm.state);
      vms.push({
        key: `${host.name}:${vm.id}`,
        vmId: vm.id,
        hostId: host.name,
        name: vm.name,
        state: vm.state,
        cpuPercent: vm.cpuUsagePercent,
        memoryAssignedMb: Math.round(toGiB(vm.memoryAssignedMiB * 1024 * 1024) * 1024),
        memoryDemandMb: null,
        uptimeS: vmUptimeSeconds(vm, at),
        heartbeat: vmHeartbeat(vm),
        observedAt,
        processorCount: vm.processorCount,
        memoryStartupMb: vm.memoryStartupMiB,
        dynamicMemory: vm.dynamicMemoryEnabled,
        generation: vm.generation,
        operatingSystem: vm.operatingSystem,
        osFamily: vm.osFamily ?? 'unknown',
        createdAt: vm.creationTime,
        clustered: Boolean(host.cluster),
        ipAddresses: guestUp ? vm.ipAddresses : [],
        diskCount: vm.disks.length,
        checkpointCount: vm.checkpoints?.length ?? 0,
        oldestCheckpointAt: null,
        notes: vm.notes,
        detailsHash: '',
        stale: false,
        staleSince: null,
        placeholder: false,
        pending: null,
      });
    }
  }
  return { vms, hostName: (h) => h, clusterOf: (h) => clusters.get(h) ?? null };
}
