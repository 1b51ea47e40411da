import type { StatementSync } from 'node:sqlite';
import type { HygieneHostFacts, HygieneVmFacts } from '../../shared/hygiene/rules';
import { vmKey, type InventoryStore } from '../store';

/**
 * The facts the hygiene rules need, gathered from the store: the rows it holds in memory (state,
 * heartbeat and when they last changed, checkpoints, memory, addresses) plus two columns of the
 * file read in one pass each (configuration version and memory maximum; adapter MACs). At 10,000
 * VMs this is two table scans, not 10,000 detail reads.
 */
export class HygieneFacts {
  private readonly config: StatementSync;
  private readonly macs: StatementSync;

  constructor(private readonly store: InventoryStore) {
    this.config = store.db.prepare('SELECT host_id, vm_id, configuration_version, memory_max_mb FROM vm_config');
    this.config.setReturnArrays(true);
    this.macs = store.db.prepare("SELECT host_id, vm_id, mac_address FROM vm_nics WHERE mac_address <> ''");
    this.macs.setReturnArrays(true);
  }

  gather(hostName: (hostId: string, computerName: string | null) => string): { vms: HygieneVmFacts[]; hosts: Map<string, HygieneHostFacts> } {
    type Cell = string | number | null;
    const config = new Map<string, { version: string | null; maxMb: number | null }>();
    for (const [h, v, version, max] of this.config.all() as unknown as Cell[][]) {
      config.set(vmKey(String(h), String(v)), { version: version === null ? null : String(version), maxMb: max === null ? null : Number(max) });
    }
    const macs = new Map<string, string[]>();
    for (const [h, v, mac] of this.macs.all() as unknown as Cell[][]) {
      const key = vmKey(String(h), String(v));
      const list = macs.get(key);
      if (list) list.push(String(mac));
      else macs.set(key, [String(mac)]);
    }
    const records = this.store.records();
    const hosts = new Map<string, HygieneHostFacts>();
    for (const h of records.hosts) {
      hosts.set(h.hostId, { hostId: h.hostId, name: hostName(h.hostId, h.computerName), cluster: h.cluster, defaultVmVersion: h.defaultVmVersion ?? null });
    }
    const vms: HygieneVmFacts[] = [];
    for (const r of records.vms) {
      const key = vmKey(r.hostId, r.vmId);
      const c = config.get(key);
      vms.push({
        hostId: r.hostId,
        vmId: r.vmId,
        name: r.name,
        state: r.hot.state,
        heartbeat: r.hot.heartbeat,
        stateSince: r.hot.stateSince || null,
        heartbeatSince: r.hot.heartbeatSince || null,
        oldestCheckpointAt: r.config.oldestCheckpointAt,
        checkpointCount: r.config.checkpointCount,
        configurationVersion: c?.version ?? null,
        clustered: r.config.clustered,
        dynamicMemory: r.config.dynamicMemory,
        memoryAssignedMb: r.hot.memoryAssignedMb,
        memoryDemandMb: r.hot.memoryDemandMb,
        memoryMaxMb: c?.maxMb ?? null,
        macAddresses: macs.get(key) ?? [],
        ipAddresses: r.config.ipAddresses,
      });
    }
    return { vms, hosts };
  }
}
