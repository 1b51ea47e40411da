import type { InventoryDelta, InventoryHost, InventorySnapshot, InventoryVm } from '../../shared/contract';

/**
 * The renderer's copy of the inventory: exactly what the backend sent (snapshot + deltas), held
 * in Maps so a delta costs O(changed rows), not O(fleet). Side indexes (VMs per host, lowercase
 * search text) are kept in step on every apply, so views and search never rebuild them per frame.
 * Mutable on purpose: the zustand store owns one instance and bumps version counters after
 * applying a batch, which is what components subscribe to.
 */
export class InventoryModel {
  readonly vms = new Map<string, InventoryVm>();
  readonly hosts = new Map<string, InventoryHost>();
  /** hostId → keys of its VMs. */
  readonly byHost = new Map<string, Set<string>>();
  /** key → lowercase "name ips guid", built on the first search and dropped when the VM changes. */
  private readonly searchCache = new Map<string, string>();
  /** hostId → VM counts, adjusted per upsert/remove so no view ever loops over the fleet for them. */
  readonly counts = new Map<string, HostVmCounts>();
  /**
   * Old key → new key of VMs that moved host (a delta that removes one key and adds another of
   * the same VM ID: the backend's move). A page open on the old key follows the VM. Bounded.
   */
  private readonly moves = new Map<string, string>();
  /** Bumped when any VM or host changes. */
  version = 0;
  /** Bumped only when VMs are added, removed or move host (lists and sort orders depend on it). */
  membershipVersion = 0;
  /** Bumped when hosts change (clusters, sync state). */
  hostsVersion = 0;

  replace(snapshot: InventorySnapshot): void {
    this.vms.clear();
    this.hosts.clear();
    this.byHost.clear();
    this.searchCache.clear();
    this.counts.clear();
    for (const host of snapshot.hosts) this.hosts.set(host.hostId, host);
    // One tight pass (the first paint waits on it): each VM is new here, so no before/after bookkeeping.
    for (const vm of snapshot.vms) {
      if (this.vms.has(vm.key)) {
        this.putVm(vm); // a key twice in one snapshot: the later row wins, counted once
        continue;
      }
      this.vms.set(vm.key, vm);
      let keys = this.byHost.get(vm.hostId);
      if (!keys) this.byHost.set(vm.hostId, (keys = new Set()));
      keys.add(vm.key);
      let c = this.counts.get(vm.hostId);
      if (!c) this.counts.set(vm.hostId, (c = { total: 0, running: 0, stale: 0 }));
      c.total++;
      if (vm.state === 'Running') c.running++;
      if (vm.stale) c.stale++;
    }
    this.version++;
    this.membershipVersion++;
    this.hostsVersion++;
  }

  /** Applies deltas in order; returns true if anything changed. */
  apply(deltas: readonly InventoryDelta[]): boolean {
    let changed = false;
    let membership = false;
    let hostsChanged = false;
    for (const delta of deltas) {
      for (const host of delta.hosts.upsert) {
        this.hosts.set(host.hostId, host);
        hostsChanged = true;
      }
      for (const id of delta.hosts.remove) hostsChanged = this.hosts.delete(id) || hostsChanged;
      for (const vm of delta.vms.upsert) {
        if (this.putVm(vm)) membership = true;
        changed = true;
      }
      for (const key of delta.vms.remove) {
        if (this.removeVm(key)) membership = true;
      }
      if (delta.vms.remove.length && delta.vms.upsert.length) this.noteMoves(delta);
    }
    if (hostsChanged) this.hostsVersion++;
    if (membership) this.membershipVersion++;
    if (changed || membership || hostsChanged) this.version++;
    return changed || membership || hostsChanged;
  }

  /** The key a VM has now: `key` itself, or where the VM that had it moved (undefined if gone). */
  currentKey(key: string): string | undefined {
    for (let hops = 0; hops < 8; hops++) {
      if (this.vms.has(key)) return key;
      const next = this.moves.get(key);
      if (next === undefined) return undefined;
      key = next;
    }
    return undefined;
  }

  private noteMoves(delta: InventoryDelta): void {
    const added = new Map<string, string>();
    for (const vm of delta.vms.upsert) added.set(vm.vmId, vm.key);
    for (const key of delta.vms.remove) {
      const vmId = key.slice(key.indexOf(':') + 1);
      const to = added.get(vmId);
      if (to === undefined || to === key || !this.vms.has(to)) continue;
      this.moves.delete(key);
      this.moves.set(key, to);
      if (this.moves.size > MAX_REMEMBERED_MOVES) this.moves.delete(this.moves.keys().next().value!);
    }
  }

  /**
   * What search matches a VM against. Built when first asked, not when the snapshot lands: the
   * first paint does not wait for 10,000 strings nobody has searched yet.
   */
  searchTextOf(vm: InventoryVm): string {
    let text = this.searchCache.get(vm.key);
    if (text === undefined) {
      text = `${vm.name} ${vm.ipAddresses.join(' ')} ${vm.vmId}`.toLowerCase();
      this.searchCache.set(vm.key, text);
    }
    return text;
  }

  /** Inserts or updates; true when the VM is new here or moved to another host. */
  private putVm(vm: InventoryVm): boolean {
    const before = this.vms.get(vm.key);
    this.vms.set(vm.key, vm);
    if (before) this.count(before, -1);
    this.count(vm, 1);
    this.searchCache.delete(vm.key);
    if (before && before.hostId === vm.hostId) return false;
    if (before) this.byHost.get(before.hostId)?.delete(vm.key);
    let keys = this.byHost.get(vm.hostId);
    if (!keys) this.byHost.set(vm.hostId, (keys = new Set()));
    keys.add(vm.key);
    return true;
  }

  private count(vm: InventoryVm, sign: 1 | -1): void {
    let c = this.counts.get(vm.hostId);
    if (!c) this.counts.set(vm.hostId, (c = { total: 0, running: 0, stale: 0 }));
    c.total += sign;
    if (vm.state === 'Running') c.running += sign;
    if (vm.stale) c.stale += sign;
    if (c.total === 0) this.counts.delete(vm.hostId);
  }

  private removeVm(key: string): boolean {
    const vm = this.vms.get(key);
    if (!vm) return false;
    this.vms.delete(key);
    this.count(vm, -1);
    this.searchCache.delete(key);
    this.byHost.get(vm.hostId)?.delete(key);
    return true;
  }
}

const MAX_REMEMBERED_MOVES = 1000;

export interface HostVmCounts {
  total: number;
  running: number;
  stale: number;
}

/** VM counts per host: a copy of the model's incrementally kept counts (a new Map per version). */
export function countByHost(model: InventoryModel): Map<string, HostVmCounts> {
  const out = new Map<string, HostVmCounts>();
  for (const [hostId, c] of model.counts) out.set(hostId, { ...c });
  return out;
}
