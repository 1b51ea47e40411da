/**
 * A real inventory store (SQLite file) holding a generated fleet, for the hygiene benchmark and
 * its test: each lab host's VMs go in through applyFull as a refresh would put them.
 */
import path from 'node:path';
import { InventoryStore, defaultSync, type FullInventoryInput } from '../src/main/store';
import { generateLabModel } from '../test/lab/model';

export function hygieneFleetStore(dir: string, hosts: number, vmsPerHost: number): { store: InventoryStore; vms: number } {
  const model = generateLabModel({ hosts, vmsPerHost, seed: 16, clusters: Math.max(1, Math.floor(hosts / 8)) });
  const store = InventoryStore.open(path.join(dir, 'inventory.db'));
  store.syncConfiguredHosts(model.hosts.map((h) => ({ id: h.name })));
  const observedAt = new Date().toISOString();
  let count = 0;
  for (const h of model.hosts) {
    const input: FullInventoryInput = {
      host: { computerName: h.name.toUpperCase(), cluster: h.cluster ?? null, cpuCores: h.logicalProcessors, memoryGb: h.memoryTotalMiB / 1024, memoryAvailableGb: null, switches: h.virtualSwitches, defaultVmVersion: '10.0', warnings: [] },
      vms: h.vms.map((vm) => ({
        vmId: vm.id,
        name: vm.name,
        state: vm.state,
        hot: { uptimeS: null, cpuPercent: vm.cpuUsagePercent, memoryAssignedMb: vm.memoryAssignedMiB, memoryDemandMb: Math.round(vm.memoryAssignedMiB * 0.7), heartbeat: vm.state === 'Running' ? 'OkApplicationsHealthy' : null },
        config: {
          processorCount: vm.processorCount, memoryStartupMb: vm.memoryStartupMiB, memoryMinMb: vm.memoryMinimumMiB, memoryMaxMb: vm.memoryMaximumMiB,
          dynamicMemory: vm.dynamicMemoryEnabled, generation: vm.generation, configurationVersion: vm.configurationVersion, notes: vm.notes,
          operatingSystem: vm.operatingSystem, createdAt: vm.creationTime, clustered: Boolean(h.cluster), ipAddresses: vm.ipAddresses,
          disks: vm.disks.map((d) => ({ id: d.id, name: d.name, path: d.path, type: d.diskType, capacityGb: d.capacityBytes / 2 ** 30, fileSizeGb: d.fileSizeBytes / 2 ** 30 })),
          nics: vm.nics.map((n) => ({ id: n.id, name: n.name, switchName: n.switchName, vlan: n.vlan, macAddress: n.macAddress, ipAddresses: n.ipAddresses, networkName: null })),
        },
      })),
      observedAt,
      agentTimestamp: null,
      complete: true,
      keep: { nics: false, disks: false, os: false },
    };
    store.applyFull(h.name, input, { ...defaultSync(), state: 'fresh', lastSuccessAt: observedAt });
    count += h.vms.length;
  }
  return { store, vms: count };
}
