import type { InventoryDelta, InventoryHost, InventoryVm } from '../../shared/contract';

/** Collects one apply's changes; a later upsert cancels an earlier remove of the same key and back. */
export class DeltaBuilder {
  private readonly hostUpserts = new Map<string, InventoryHost>();
  private readonly hostRemoves = new Set<string>();
  private readonly vmUpserts = new Map<string, InventoryVm>();
  private readonly vmRemoves = new Set<string>();

  upsertHost(host: InventoryHost): void {
    this.hostRemoves.delete(host.hostId);
    this.hostUpserts.set(host.hostId, host);
  }

  removeHost(hostId: string): void {
    this.hostUpserts.delete(hostId);
    this.hostRemoves.add(hostId);
  }

  upsertVm(vm: InventoryVm): void {
    this.vmRemoves.delete(vm.key);
    this.vmUpserts.set(vm.key, vm);
  }

  removeVm(key: string): void {
    this.vmUpserts.delete(key);
    this.vmRemoves.add(key);
  }

  merge(other: InventoryDelta): void {
    other.hosts.remove.forEach((id) => this.removeHost(id));
    other.hosts.upsert.forEach((h) => this.upsertHost(h));
    other.vms.remove.forEach((k) => this.removeVm(k));
    other.vms.upsert.forEach((v) => this.upsertVm(v));
  }

  get empty(): boolean {
    return this.hostUpserts.size + this.hostRemoves.size + this.vmUpserts.size + this.vmRemoves.size === 0;
  }

  build(): InventoryDelta {
    return {
      hosts: { upsert: [...this.hostUpserts.values()], remove: [...this.hostRemoves] },
      vms: { upsert: [...this.vmUpserts.values()], remove: [...this.vmRemoves] },
    };
  }
}

export function isEmptyDelta(delta: InventoryDelta): boolean {
  return delta.hosts.upsert.length + delta.hosts.remove.length + delta.vms.upsert.length + delta.vms.remove.length === 0;
}
