import type { InventoryDelta, InventoryHost, InventorySnapshot, InventoryVm } from '../../shared/contract';
import type { Sample, SampleBatch, SeriesKey } from './metrics-store';

type VmFigures = Pick<InventoryVm, 'vmId' | 'state' | 'cpuPercent' | 'memoryAssignedMb' | 'memoryDemandMb'>;
type HostFigures = Pick<InventoryHost, 'memoryGb' | 'memoryAvailableGb'>;

/**
 * Turns the inventory's events into samples, without touching the inventory: it keeps the latest
 * hot state of every VM (a quick sync's delta carries only the VMs that changed; the others were
 * read again unchanged) and, when a host's quick or full sync succeeded (its lastQuickAt or
 * lastSuccessAt moved), returns that host's figures and its running VMs' as one batch.
 */
export class InventorySampler {
  private readonly vmsByHost = new Map<string, Map<string, VmFigures>>();
  private readonly hosts = new Map<string, HostFigures>();
  /** The sync time each host was last sampled at, so one sync is one sample. */
  private readonly sampledAt = new Map<string, string>();

  /** Starts from the inventory as loaded: those figures are the last run's, so nothing is sampled. */
  reset(snapshot: InventorySnapshot): void {
    this.vmsByHost.clear();
    this.hosts.clear();
    for (const vm of snapshot.vms) if (!vm.placeholder) this.vmsOf(vm.hostId).set(vm.key, vm);
    for (const host of snapshot.hosts) {
      this.hosts.set(host.hostId, host);
      this.sampledAt.set(host.hostId, lastSyncAt(host) ?? '');
    }
  }

  /** Applies one inventory delta; returns a batch per host whose sync just succeeded. */
  apply(delta: InventoryDelta): SampleBatch[] {
    // Removals are rare (deleted, moved): look in every host rather than parse the key's format.
    for (const key of delta.vms.remove) for (const vms of this.vmsByHost.values()) vms.delete(key);
    for (const vm of delta.vms.upsert) if (!vm.placeholder) this.vmsOf(vm.hostId).set(vm.key, vm);
    for (const hostId of delta.hosts.remove) {
      this.hosts.delete(hostId);
      this.vmsByHost.delete(hostId);
      this.sampledAt.delete(hostId);
    }
    const batches: SampleBatch[] = [];
    for (const host of delta.hosts.upsert) {
      this.hosts.set(host.hostId, host);
      const at = lastSyncAt(host);
      if (!at || this.sampledAt.get(host.hostId) === at) continue;
      this.sampledAt.set(host.hostId, at);
      batches.push(this.batch(host.hostId, Date.parse(at)));
    }
    return batches;
  }

  private batch(hostId: string, at: number): SampleBatch {
    const samples: Array<SeriesKey & Sample> = [];
    let cpu: number | null = null;
    let assigned: number | null = null;
    let demand: number | null = null;
    for (const vm of this.vmsByHost.get(hostId)?.values() ?? []) {
      // A VM that is off has no figures worth a row: its chart shows a gap, which is the truth.
      if (!isConsuming(vm)) continue;
      samples.push({ kind: 'vm', hostId, vmId: vm.vmId, cpuPercent: vm.cpuPercent, memoryAssignedMb: vm.memoryAssignedMb, memoryDemandMb: vm.memoryDemandMb, memoryUsedMb: null });
      if (vm.cpuPercent !== null) cpu = (cpu ?? 0) + vm.cpuPercent;
      if (vm.memoryAssignedMb !== null) assigned = (assigned ?? 0) + vm.memoryAssignedMb;
      if (vm.memoryDemandMb !== null) demand = (demand ?? 0) + vm.memoryDemandMb;
    }
    const host = this.hosts.get(hostId);
    const used = host?.memoryGb != null && host.memoryAvailableGb != null ? Math.max(0, (host.memoryGb - host.memoryAvailableGb) * 1024) : null;
    samples.push({ kind: 'host', hostId, vmId: '', cpuPercent: cpu === null ? null : Math.min(100, cpu), memoryAssignedMb: assigned, memoryDemandMb: demand, memoryUsedMb: used });
    return { at, samples };
  }

  private vmsOf(hostId: string): Map<string, VmFigures> {
    let vms = this.vmsByHost.get(hostId);
    if (!vms) this.vmsByHost.set(hostId, (vms = new Map()));
    return vms;
  }
}

function isConsuming(vm: VmFigures): boolean {
  return (vm.cpuPercent !== null && vm.state !== 'Off') || (vm.memoryAssignedMb ?? 0) > 0;
}

/** The newest successful contact: a quick sync or a full one. */
function lastSyncAt(host: InventoryHost): string | null {
  const quick = host.sync.lastQuickAt;
  const full = host.sync.lastSuccessAt;
  if (!quick) return full;
  if (!full) return quick;
  return Date.parse(quick) >= Date.parse(full) ? quick : full;
}
