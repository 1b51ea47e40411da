import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { inTransaction } from '../sqlite-transaction';
import type { InventoryDelta, InventorySnapshot, InventoryVm, InventoryVmDetail } from '../../shared/contract';
import { openInventoryDatabase, type OpenedDatabase } from './database';
import { DeltaBuilder } from './delta';
import { loadInventory } from './load';
import { Statements } from './statements';
import type { FullInventoryInput, FullVmInput, HotState, PendingOperationInput, PlaceholderInput, QuickInventoryInput, SyncFields } from './types';
import { DetailReader } from './details';
import { GroupCommit, type GroupCommitOptions } from './group-commit';
import { arrivedAtTarget, baselineBootMs, observationConfirms, type VmObservation } from './pending-confirmation';
import { VmTags } from '../tags/vm-tags';
import { TimelineStore, type TimelineInput } from '../timeline/timeline-store';
import { configChanges } from '../timeline/config-diff';
import { redactSecrets } from '../timeline/redact';
import { configHash, defaultSync, hostView, placeholderView, sameHot, summarize, vmKey, vmView, type HostRecord, type VmRecord } from './vm-views';

const TOMBSTONE_DAYS = 30;

export interface StoreOptions {
  staleUntilConfirmed?: boolean;
  /** How queueFull groups hosts' results into one transaction (group-commit.ts's defaults when unset). */
  groupCommit?: GroupCommitOptions;
}

interface Placeholder {
  placeholderId: string;
  hostId: string;
  name: string;
  jobId: string | null;
  createdAt: string;
}

/** A row whose VM is now the one a cluster peer lists under the same ID. */
interface HandOver {
  from: VmRecord;
  to: VmRecord;
  movePending: boolean;
}

export interface QuickApplyResult {
  delta: InventoryDelta;
  /** GUIDs the quick listing has that the store does not: a full refresh should pick them up. */
  unknownVmIds: string[];
  /** GUIDs the store has that the quick listing lacks (maybe deleted; only a full refresh decides). */
  missingVmIds: string[];
}

/**
 * The inventory's single writer and its read path. SQLite holds the truth across restarts; an
 * in-memory copy of every row (loaded once at open) serves snapshots instantly and lets each apply
 * compare before writing, so unchanged VMs cost no write and no event.
 */
export class InventoryStore {
  private readonly st: Statements;
  private readonly detail: DetailReader;
  private readonly hosts: Map<string, HostRecord>;
  private readonly vms: Map<string, VmRecord>;
  private readonly byHost = new Map<string, Set<string>>();
  private readonly byVmId = new Map<string, Set<string>>();
  private readonly views = new Map<string, InventoryVm>();
  private readonly pending = new Map<string, PendingOperationInput>();
  /** Operations whose "no confirmation" the timeline already has (a deadline rewrite comes more than once). */
  private readonly unconfirmedNoted = new Set<string>();
  private readonly placeholders = new Map<string, Placeholder>();
  /** The user's tags (keyed by GUID: they survive refreshes and moves). */
  readonly tags: VmTags;
  /** What inventory saw change, written in the same transactions as the rows. */
  readonly timeline: TimelineStore;
  /** Full results of several hosts committed together (queueFull). */
  private readonly group: GroupCommit;

  /**
   * `staleUntilConfirmed`: the app's start. Hosts that were fresh when it last ran become stale
   * (since their last success) before any VM row is built, so the cached rows say so from the first
   * snapshot and are built once, not built fresh and then rebuilt stale.
   */
  static open(file: string, now: () => Date = () => new Date(), options: StoreOptions = {}): InventoryStore {
    return InventoryStore.load(openInventoryDatabase(file, now), now, options);
  }

  /** The second half of open(), for a caller that lets other work run between the two (the app's start). */
  static load(opened: OpenedDatabase, now: () => Date = () => new Date(), options: StoreOptions = {}): InventoryStore {
    return new InventoryStore(opened, now, options.staleUntilConfirmed ?? false, options.groupCommit);
  }

  private constructor(
    private readonly opened: OpenedDatabase,
    private readonly now: () => Date,
    staleUntilConfirmed: boolean,
    groupCommit: GroupCommitOptions | undefined,
  ) {
    this.group = new GroupCommit(this.db, groupCommit);
    this.st = new Statements(this.db);
    this.detail = new DetailReader(this.db);
    this.st.pruneTombstones(new Date(now().getTime() - TOMBSTONE_DAYS * 86_400_000).toISOString());
    this.tags = new VmTags(this.db);
    this.tags.prune();
    this.timeline = new TimelineStore(this.db);
    const loaded = loadInventory(this.db);
    this.hosts = loaded.hosts;
    if (staleUntilConfirmed) this.markCachedHostsStale();
    this.vms = new Map();
    for (const record of loaded.vms.values()) this.index(record);
    for (const op of loaded.pending) this.pending.set(vmKey(op.hostId, op.vmId), op);
    for (const p of loaded.placeholders) this.placeholders.set(p.placeholderId, p);
    for (const key of this.vms.keys()) this.refreshView(key);
    for (const p of this.placeholders.values()) this.views.set(placeholderView(p).key, placeholderView(p));
  }

  private markCachedHostsStale(): void {
    const fresh = [...this.hosts.values()].filter((h) => h.sync.state === 'fresh');
    if (fresh.length === 0) return;
    this.transaction(() => {
      for (const host of fresh) {
        const sync: SyncFields = { ...host.sync, state: 'stale', staleSince: host.sync.lastSuccessAt };
        this.st.writeSync(host.hostId, sync);
        this.hosts.set(host.hostId, { ...host, sync });
      }
    });
  }

  get db(): DatabaseSync {
    return this.opened.db;
  }

  /** Set when the previous file was damaged and moved aside at open. */
  get recovered(): OpenedDatabase['recovered'] {
    return this.opened.recovered;
  }

  get migrationsApplied(): number[] {
    return this.opened.migrationsApplied;
  }

  snapshot(): InventorySnapshot {
    return { hosts: [...this.hosts.values()].map(hostView), vms: [...this.views.values()] };
  }

  /** Every host's facts and sync state, without the VM rows (cheap: a VM check reads it). */
  hostList(): InventorySnapshot['hosts'] {
    return [...this.hosts.values()].map(hostView);
  }

  /** The VMs (not placeholders) stored for a host, without building a snapshot: a failure notice reads it per host. */
  vmCount(hostId: string): number {
    return this.byHost.get(hostId)?.size ?? 0;
  }

  host(hostId: string): HostRecord | undefined {
    return this.hosts.get(hostId);
  }

  hostIds(): string[] {
    return [...this.hosts.keys()];
  }

  vm(hostId: string, vmId: string): InventoryVm | undefined {
    return this.views.get(vmKey(hostId, vmId));
  }

  /** One VM's row plus its disks, NICs, notes and memory limits (read from the file). */
  vmDetail(hostId: string, vmId: string): InventoryVmDetail | undefined {
    const vm = this.views.get(vmKey(hostId, vmId));
    if (!vm) return undefined;
    const details = vm.placeholder ? undefined : this.detail.details(hostId, vmId);
    return { vm, details: details ?? { memoryMinMb: null, memoryMaxMb: null, configurationVersion: null, notes: null, disks: [], nics: [], checkpoints: [], currentCheckpointId: null } };
  }

  /**
   * Switch names and disk paths (with VM names) seen on a host, for the create-VM form and its
   * checks. `reportedSwitches` is the host's own complete list (agent 1.2.0+), null when unknown;
   * `switchNames` adds the switches its VMs are connected to.
   */
  hostLayout(hostId: string): { inventoried: boolean; reportedSwitches: string[] | null; switchNames: string[]; diskPaths: Array<{ path: string; vmId: string; vmName: string }> } {
    const host = this.hosts.get(hostId);
    const reportedSwitches = host?.sync.lastSuccessAt != null ? host.switches : null;
    return {
      inventoried: host?.sync.lastSuccessAt != null,
      reportedSwitches,
      switchNames: [...new Set([...(reportedSwitches ?? []), ...this.detail.switchNames(hostId)])],
      diskPaths: this.detail.diskPathsOf(hostId),
    };
  }

  /** Every VM's record and every host's, read-only (the hygiene checks read them; records are never mutated). */
  records(): { vms: Iterable<VmRecord>; hosts: Iterable<HostRecord> } {
    return { vms: this.vms.values(), hosts: this.hosts.values() };
  }

  /** Adapter MAC addresses on a host with their VMs (a VM edit must not reuse one). */
  macAddressesOf(hostId: string): Array<{ macAddress: string; vmId: string; vmName: string }> {
    return this.detail.macAddressesOf(hostId);
  }

  counts(): { vms: number; clusters: number; placeholders: number } {
    const clusters = new Set([...this.hosts.values()].map((h) => h.cluster).filter((c): c is string => Boolean(c)));
    return { vms: this.vms.size, clusters: clusters.size, placeholders: this.placeholders.size };
  }

  /**
   * Adds hosts newly configured and drops hosts removed from the settings (with their rows). The
   * cluster label typed in Settings is not membership: a host's cluster is only what it reports.
   */
  syncConfiguredHosts(configured: ReadonlyArray<{ id: string }>): InventoryDelta {
    const delta = new DeltaBuilder();
    const wanted = new Map(configured.map((h) => [h.id, h]));
    const at = this.now().toISOString();
    this.transaction(() => {
      for (const id of wanted.keys()) {
        if (this.hosts.has(id)) continue;
        const record: HostRecord = { hostId: id, computerName: null, cluster: null, cpuCores: null, memoryGb: null, memoryAvailableGb: null, switches: null, warnings: [], sync: defaultSync() };
        this.st.upsertHost(record, [], at);
        this.st.writeSync(id, record.sync);
        this.hosts.set(id, record);
        delta.upsertHost(hostView(record));
      }
      for (const id of [...this.hosts.keys()]) {
        if (wanted.has(id)) continue;
        this.st.deleteHost(id);
        for (const p of [...this.placeholders.values()].filter((x) => x.hostId === id)) {
          this.st.deletePlaceholder(p.placeholderId);
          this.placeholders.delete(p.placeholderId);
          this.views.delete(placeholderView(p).key);
          delta.removeVm(placeholderView(p).key);
        }
        for (const vmId of [...(this.byHost.get(id) ?? [])]) {
          delta.removeVm(vmKey(id, vmId));
          this.unindex(vmKey(id, vmId));
        }
        this.hosts.delete(id);
        delta.removeHost(id);
      }
    });
    return delta.build();
  }

  /** Updates a host's sync state alone (attempt started, failure, preparing, timings). */
  setSync(hostId: string, sync: SyncFields): InventoryDelta {
    const host = this.requireHost(hostId);
    const delta = new DeltaBuilder();
    const events = hostSyncEvents(host, sync, this.now().toISOString());
    this.transaction(() => {
      this.st.writeSync(hostId, sync);
      for (const e of events) this.timeline.add(e);
    });
    this.replaceHost({ ...host, sync }, delta);
    return delta.build();
  }

  /**
   * Updates a host's sync state in memory only, for when the database cannot be written (disk
   * full): the admin still sees why the host is not refreshed, and the next setSync or applyFull,
   * which write the whole sync row, persist it.
   */
  setSyncInMemory(hostId: string, sync: SyncFields): InventoryDelta {
    const host = this.requireHost(hostId);
    const delta = new DeltaBuilder();
    this.replaceHost({ ...host, sync }, delta);
    return delta.build();
  }

  /**
   * Applies one `inventory` result in one transaction. Only changed rows are written; a complete
   * enumeration bumps the host's generation and tombstones the VMs it did not list (clustered VMs
   * get one enumeration of grace, so a live migration seen by the peer later is a move, not a loss).
   */
  applyFull(hostId: string, input: FullInventoryInput, sync: SyncFields): InventoryDelta {
    const plan = this.planFull(hostId, input, sync);
    this.transaction(plan.write);
    return plan.finish();
  }

  /**
   * The same as applyFull, written with other hosts' results in one transaction (group-commit.ts):
   * a fleet refresh commits a batch of hosts at once instead of one COMMIT per host. It resolves
   * once the batch is committed, with the delta of what was; the store's memory (snapshots,
   * deltas) never holds what is not committed. A failed batch rejects every host in it with the
   * error (a full disk: the caller's "Local disk full" path), and nothing was written or changed.
   */
  queueFull(hostId: string, input: FullInventoryInput, sync: SyncFields): Promise<InventoryDelta> {
    const host = this.requireHost(hostId);
    // Hosts of one batch are worked out against the same memory, so they must not touch each
    // other's rows: only cluster peers do (moves, hand-overs), so a shared cluster starts a new batch.
    const clusters = [host.cluster, input.host.cluster].filter((c): c is string => Boolean(c)).map((c) => `cluster:${c}`);
    return this.group.add({ keys: [`host:${hostId}`, ...clusters], plan: () => this.planFull(hostId, input, sync) });
  }

  /** Commits every queued result now (before close, or for a caller that must read them). */
  flushQueued(): void {
    this.group.flush();
  }

  /**
   * Works out one full result against the store's memory: `write` runs its SQL (inside the
   * caller's transaction), `finish`, called only after that transaction committed, updates the
   * memory and returns the delta. Nothing here changes memory before `finish`.
   */
  private planFull(hostId: string, input: FullInventoryInput, sync: SyncFields): { write: () => void; finish: () => InventoryDelta } {
    const host = this.requireHost(hostId);
    const at = input.observedAt;
    // The host's report is its membership: a host re-pointed at a standalone machine, or taken out
    // of its cluster, reports none and leaves it. Only a failed lookup keeps what was known.
    const cluster = input.host.clusterLookupFailed ? host.cluster : input.host.cluster;
    const gen = input.complete ? host.sync.generation + 1 : host.sync.generation;
    const nextHost: HostRecord = {
      ...host,
      computerName: input.host.computerName ?? host.computerName,
      cluster,
      cpuCores: input.host.cpuCores ?? host.cpuCores,
      memoryGb: input.host.memoryGb ?? host.memoryGb,
      memoryAvailableGb: input.host.memoryAvailableGb ?? host.memoryAvailableGb,
      switches: input.host.switches ?? host.switches,
      // An agent older than 1.5.0 (or a failed cmdlet) reports none: keep the known one.
      defaultVmVersion: input.host.defaultVmVersion ?? host.defaultVmVersion ?? null,
      // Each full inventory reports the whole list: a warning it no longer reports is cleared.
      warnings: input.host.warnings,
      sync: { ...sync, generation: gen },
    };
    const writes: Array<() => void> = [];
    const records = new Map<string, VmRecord>();
    const removed: Array<{ key: string; tombstone: boolean; movedTo?: string }> = [];
    const seen = new Set<string>();
    // Rows whose persisted bookkeeping changed but whose view did not: no event for them.
    const quiet = new Set<string>();
    // Timeline entries, compared only where the store already found a change (hot state or hash).
    const events: TimelineInput[] = hostSyncEvents(host, nextHost.sync, at);
    const seenBefore = host.sync.lastSuccessAt !== null;
    const vmEvent = (vmId: string, name: string, kind: string, field: string | null, from: string | null, to: string | null, detail: string | null = null) =>
      events.push({ hostId, vmId, vmName: name, at, kind, field, from, to, sync: 'full', detail });
    if (host.cluster !== cluster && seenBefore) events.push({ hostId, vmId: null, vmName: null, at, kind: 'cluster', field: 'cluster', from: host.cluster, to: cluster, sync: 'full', detail: null });

    for (const vm of input.vms) {
      if (seen.has(vm.vmId)) continue;
      seen.add(vm.vmId);
      const key = vmKey(hostId, vm.vmId);
      let existing = this.vms.get(key);
      // A move is a VM that left a peer's complete enumeration (its row there waits as missing).
      // A peer that still lists the same ID has a VM of its own: two rows, never a hand-over.
      const movedFrom = existing || !cluster ? undefined : this.clusterPeer(vm.vmId, hostId, cluster, 'missing');
      if (movedFrom) {
        existing = { ...this.vms.get(vmKey(movedFrom, vm.vmId))!, hostId };
        writes.push(() => this.st.moveVm(movedFrom, hostId, vm.vmId, cluster, gen));
        removed.push({ key: vmKey(movedFrom, vm.vmId), tombstone: false, movedTo: key });
      }
      const config = { ...vm.config };
      if (existing && (input.keep.nics || input.keep.disks || input.keep.checkpoints)) {
        // A batch query failed on the host: keep what the store had for that part.
        const stored = this.detail.storedConfig(existing.hostId, existing.vmId);
        if (stored && input.keep.nics) Object.assign(config, { nics: stored.nics, ipAddresses: stored.ipAddresses });
        if (stored && input.keep.disks) config.disks = stored.disks;
        if (stored && input.keep.checkpoints) Object.assign(config, { checkpoints: stored.checkpoints, currentCheckpointId: stored.currentCheckpointId });
      }
      if (existing && input.keep.os) config.operatingSystem = existing.config.operatingSystem;
      const contentHash = configHash(config);
      const hot = hotFromFull(existing?.hot, vm, at);
      if (!existing && seenBefore) vmEvent(vm.vmId, vm.name, 'appeared', null, null, null);
      if (existing) {
        if (movedFrom) vmEvent(vm.vmId, vm.name, 'moved', 'host', movedFrom, hostId);
        if (hot.state !== existing.hot.state) vmEvent(vm.vmId, vm.name, 'state', 'state', existing.hot.state, hot.state);
        if (existing.name !== vm.name) vmEvent(vm.vmId, vm.name, 'config', 'name', existing.name, vm.name);
        if (contentHash !== existing.contentHash) {
          const stored = this.detail.storedConfig(movedFrom ?? hostId, vm.vmId);
          if (stored) for (const c of configChanges(stored, config)) vmEvent(vm.vmId, vm.name, 'config', c.field, c.from, c.to);
        }
      }
      const summary = existing && contentHash === existing.contentHash ? existing.config : summarize(config);
      const record: VmRecord = { hostId, vmId: vm.vmId, name: vm.name, cluster, firstSeenAt: existing?.firstSeenAt ?? at, missingSinceGen: null, hot, config: summary, contentHash };
      if (!existing) {
        writes.push(() => this.st.insertVm(record, config, gen));
        records.set(key, record);
        continue;
      }
      const rowChanged = existing.name !== record.name || existing.cluster !== cluster || existing.missingSinceGen !== null;
      if (rowChanged && !movedFrom) writes.push(() => this.st.updateVm(record, gen));
      if (movedFrom && existing.name !== record.name) writes.push(() => this.st.updateVm(record, gen));
      if (hot !== existing.hot) writes.push(() => this.st.writeHot(record));
      if (contentHash !== existing.contentHash) writes.push(() => this.st.writeConfig(record, config, at));
      if (movedFrom || rowChanged || hot !== existing.hot || contentHash !== existing.contentHash) records.set(key, record);
    }

    const handOvers: HandOver[] = [];
    if (input.complete) {
      for (const vmId of this.byHost.get(hostId) ?? []) {
        if (seen.has(vmId)) continue;
        const key = vmKey(hostId, vmId);
        const record = this.vms.get(key)!;
        // Gone from here while a peer of the cluster lists it: the migration's window closed.
        const listedBy = cluster ? this.clusterPeer(vmId, hostId, cluster, 'listed') : undefined;
        if (listedBy) {
          const handOver = this.planHandOver(record, listedBy);
          writes.push(() => this.st.handOver(record, listedBy, handOver.to.firstSeenAt, handOver.movePending));
          handOvers.push(handOver);
          removed.push({ key, tombstone: false, movedTo: vmKey(listedBy, vmId) });
          events.push({ hostId: listedBy, vmId, vmName: record.name, at, kind: 'moved', field: 'host', from: hostId, to: listedBy, sync: 'full', detail: null });
        } else if (record.config.clustered && cluster && record.missingSinceGen === null) {
          const waiting = { ...record, missingSinceGen: gen };
          writes.push(() => this.st.updateVm(waiting, gen));
          records.set(key, waiting);
          quiet.add(key);
        } else {
          writes.push(() => this.st.tombstone(record, at, gen, this.views.get(key) ?? null));
          removed.push({ key, tombstone: true });
          vmEvent(vmId, record.name, 'removed', null, null, null);
        }
      }
    }

    const confirmed = this.confirmedBy(input.vms.map((vm) => ({ key: vmKey(hostId, vm.vmId), observation: { state: vm.state, uptimeS: vm.hot ? vm.hot.uptimeS : null, observedAt: at } })));
    // A VM that is gone ends whatever was pending on it: a delete is confirmed by its absence, and
    // nothing else can ever be. Left behind, the operation would outlive the VM on disk.
    for (const { key, tombstone, movedTo } of removed) {
      const op = this.pending.get(key);
      if (op && (tombstone || (movedTo && arrivedAtTarget(op, this.hostOfKey(movedTo))))) confirmed.push(op);
    }
    for (const op of confirmed) events.push(this.pendingEvent(op, 'confirmed', at, 'full'));
    const write = () => {
      if (cluster) this.st.insertCluster(cluster, at);
      if (hostFactsChanged(host, nextHost)) this.st.upsertHost(nextHost, input.host.warnings, at);
      this.st.writeSync(hostId, nextHost.sync);
      for (const w of writes) w();
      for (const op of confirmed) this.st.deletePending(op.opId);
      for (const e of events) this.timeline.add(e);
    };
    return { write, finish: () => this.finishFull(hostId, nextHost, removed, handOvers, confirmed, records, quiet) };
  }

  private finishFull(hostId: string, nextHost: HostRecord, removed: ReadonlyArray<{ key: string; movedTo?: string }>, handOvers: readonly HandOver[], confirmed: readonly PendingOperationInput[], records: Map<string, VmRecord>, quiet: ReadonlySet<string>): InventoryDelta {
    const delta = new DeltaBuilder();
    for (const { key, movedTo } of removed) {
      const op = this.pending.get(key);
      if (op && movedTo && !confirmed.includes(op)) {
        this.pending.delete(key);
        if (!this.pending.has(movedTo)) this.pending.set(movedTo, { ...op, hostId: this.vms.get(movedTo)?.hostId ?? hostId });
      }
      this.unindex(key);
      delta.removeVm(key);
    }
    for (const { to } of handOvers) records.set(vmKey(to.hostId, to.vmId), to);
    for (const op of confirmed) this.pending.delete(vmKey(op.hostId, op.vmId));
    for (const [key, record] of records) {
      this.index(record);
      if (!quiet.has(key)) this.refreshView(key, delta);
    }
    // A confirmation can come from a read that changed nothing else (a restart seen as a new boot).
    for (const op of confirmed) {
      const key = vmKey(op.hostId, op.vmId);
      if (!records.has(key) && this.vms.has(key)) this.refreshView(key, delta);
    }
    this.replaceHost(nextHost, delta);
    return delta.build();
  }

  /** Applies one `inventory.quick` result: hot state only, written only where it changed. */
  applyQuick(hostId: string, input: QuickInventoryInput, sync: SyncFields): QuickApplyResult {
    const host = this.requireHost(hostId);
    const records = new Map<string, VmRecord>();
    const unknownVmIds: string[] = [];
    const listed = new Set<string>();
    const events: TimelineInput[] = hostSyncEvents(host, sync, input.observedAt);
    for (const q of input.vms) {
      listed.add(q.vmId);
      const key = vmKey(hostId, q.vmId);
      const existing = this.vms.get(key);
      if (!existing) {
        unknownVmIds.push(q.vmId);
        continue;
      }
      const hot = hotAsRead(existing.hot, q, input.observedAt);
      if (hot === existing.hot && existing.name === q.name) continue;
      if (hot.state !== existing.hot.state) events.push({ hostId, vmId: q.vmId, vmName: q.name, at: input.observedAt, kind: 'state', field: 'state', from: existing.hot.state, to: hot.state, sync: 'quick', detail: null });
      if (existing.name !== q.name) events.push({ hostId, vmId: q.vmId, vmName: q.name, at: input.observedAt, kind: 'config', field: 'name', from: existing.name, to: q.name, sync: 'quick', detail: null });
      records.set(key, { ...existing, name: q.name, hot });
    }
    const missingVmIds = [...(this.byHost.get(hostId) ?? [])].filter((id) => !listed.has(id));
    const confirmed = this.confirmedBy(input.vms.filter((q) => this.vms.has(vmKey(hostId, q.vmId))).map((q) => ({ key: vmKey(hostId, q.vmId), observation: { state: q.state, uptimeS: q.uptimeS, observedAt: input.observedAt } }))).map((op) => ({
      key: vmKey(op.hostId, op.vmId),
      op,
    }));
    const memoryAvailableGb = input.hostMemoryAvailableGb ?? host.memoryAvailableGb;
    for (const { op } of confirmed) events.push(this.pendingEvent(op, 'confirmed', input.observedAt, 'quick'));
    this.transaction(() => {
      this.st.writeSync(hostId, sync);
      for (const e of events) this.timeline.add(e);
      if (memoryAvailableGb !== host.memoryAvailableGb) this.st.writeHostMemoryAvailable(hostId, memoryAvailableGb, input.observedAt);
      for (const [key, record] of records) {
        const before = this.vms.get(key)!;
        if (before.hot !== record.hot) this.st.writeHot(record);
        if (before.name !== record.name) this.st.updateVm(record, host.sync.generation);
      }
      for (const { op } of confirmed) this.st.deletePending(op!.opId);
    });
    const delta = new DeltaBuilder();
    for (const { key } of confirmed) this.pending.delete(key);
    for (const [key, record] of records) {
      this.index(record);
      this.refreshView(key, delta);
    }
    for (const { key } of confirmed) if (!records.has(key)) this.refreshView(key, delta);
    this.replaceHost({ ...host, memoryAvailableGb, sync }, delta);
    return { delta: delta.build(), unknownVmIds, missingVmIds };
  }

  /** Clustered VMs a complete enumeration of this host missed: moved to a peer, or deleted. */
  missingClustered(hostId: string): string[] {
    return [...(this.byHost.get(hostId) ?? [])].filter((vmId) => this.vms.get(vmKey(hostId, vmId))?.missingSinceGen != null);
  }

  /** After the cluster's peers were enumerated: what none of them took over is gone. */
  settleMissing(hostId: string): InventoryDelta {
    const delta = new DeltaBuilder();
    const missing = this.missingClustered(hostId).map((vmId) => this.vms.get(vmKey(hostId, vmId))!);
    if (!missing.length) return delta.build();
    const at = this.now().toISOString();
    const host = this.requireHost(hostId);
    const gen = host.sync.generation;
    // A peer that had its own row for the ID all along (both listed it for a while) takes over.
    const handOvers: HandOver[] = [];
    const gone: VmRecord[] = [];
    for (const record of missing) {
      const listedBy = host.cluster ? this.clusterPeer(record.vmId, hostId, host.cluster, 'listed') : undefined;
      if (listedBy) handOvers.push(this.planHandOver(record, listedBy));
      else gone.push(record);
    }
    // A move's pending operation that reached its target is confirmed, not carried over.
    const arrived = handOvers.filter(({ from, to }) => arrivedAtTarget(this.pending.get(vmKey(from.hostId, from.vmId)), to.hostId));
    const events: TimelineInput[] = [
      ...handOvers.map(({ from, to }): TimelineInput => ({ hostId: to.hostId, vmId: from.vmId, vmName: to.name, at, kind: 'moved', field: 'host', from: from.hostId, to: to.hostId, sync: 'full', detail: null })),
      ...gone.map((r): TimelineInput => ({ hostId, vmId: r.vmId, vmName: r.name, at, kind: 'removed', field: null, from: null, to: null, sync: 'full', detail: null })),
      ...arrived.map(({ from }) => this.pendingEvent(this.pending.get(vmKey(from.hostId, from.vmId))!, 'confirmed', at, 'full')),
    ];
    this.transaction(() => {
      for (const e of events) this.timeline.add(e);
      for (const { from, to, movePending } of handOvers) this.st.handOver(from, to.hostId, to.firstSeenAt, movePending);
      for (const { from } of arrived) this.st.deletePending(this.pending.get(vmKey(from.hostId, from.vmId))!.opId);
      for (const record of gone) {
        const key = vmKey(record.hostId, record.vmId);
        this.st.tombstone(record, at, gen, this.views.get(key) ?? null);
        const op = this.pending.get(key);
        if (op) this.st.deletePending(op.opId);
      }
    });
    for (const { from, to, movePending } of handOvers) {
      const key = vmKey(from.hostId, from.vmId);
      const toKey = vmKey(to.hostId, to.vmId);
      const op = this.pending.get(key);
      if (op && movePending && !arrivedAtTarget(op, to.hostId)) this.pending.set(toKey, { ...op, hostId: to.hostId });
      this.pending.delete(key);
      this.unindex(key);
      delta.removeVm(key);
      this.index(to);
      this.refreshView(toKey, delta);
    }
    for (const record of gone) {
      const key = vmKey(record.hostId, record.vmId);
      this.unindex(key);
      this.pending.delete(key);
      delta.removeVm(key);
    }
    return delta.build();
  }

  // --- pending operations (desired state; the jobs issue records VM actions here) -------------

  addPending(op: Omit<PendingOperationInput, 'opId'> & { opId?: string }): { opId: string; delta: InventoryDelta } {
    const key = vmKey(op.hostId, op.vmId);
    const same = op.opId !== undefined && this.pending.get(key)?.opId === op.opId ? this.pending.get(key) : undefined;
    // The boot before the request: kept when the same op is written again (its deadline passing).
    const baseline = same ? (same.baselineBootMs ?? null) : baselineBootMs(this.vms.get(key)?.hot);
    const full: PendingOperationInput = { ...op, opId: op.opId ?? randomUUID(), baselineBootMs: baseline };
    const at = this.now().toISOString();
    // A new operation is "requested"; the same one written again past its deadline is "no confirmation" (once).
    const previous = op.opId !== undefined ? [...this.pending.values()].find((p) => p.opId === op.opId) : undefined;
    const pastDeadline = Date.parse(full.deadline) < Date.parse(at);
    const event = !previous ? this.pendingEvent(full, 'requested', at, null) : pastDeadline && !this.unconfirmedNoted.has(full.opId) ? this.pendingEvent(full, 'no confirmation', at, null) : undefined;
    if (event?.to === 'no confirmation') this.unconfirmedNoted.add(full.opId);
    this.transaction(() => {
      this.st.insertPending(full);
      if (event) this.timeline.add(event);
    });
    this.pending.set(key, full);
    const delta = new DeltaBuilder();
    if (this.vms.has(key)) this.refreshView(key, delta);
    return { opId: full.opId, delta: delta.build() };
  }

  clearPending(opId: string): InventoryDelta {
    const delta = new DeltaBuilder();
    const entry = [...this.pending.entries()].find(([, op]) => op.opId === opId);
    this.unconfirmedNoted.delete(opId);
    this.transaction(() => this.st.deletePending(opId));
    if (entry) {
      this.pending.delete(entry[0]);
      if (this.vms.has(entry[0])) this.refreshView(entry[0], delta);
    }
    return delta.build();
  }

  /**
   * Adds and removes tags on many VMs in one transaction. Every tag is checked first and every
   * VM's result too (at most 32 tags): a bad tag or a full VM refuses the whole request, naming it,
   * and nothing is written. Targets not in the inventory are returned, not tagged.
   */
  updateTags(targets: ReadonlyArray<{ hostId: string; vmId: string }>, add: readonly string[], remove: readonly string[]): { changed: number; unknown: string[]; delta: InventoryDelta } {
    VmTags.check(add, remove);
    const unknown: string[] = [];
    const plans = new Map<string, { key: string; after: string[] }>();
    for (const { hostId, vmId } of targets) {
      const key = vmKey(hostId, vmId);
      const record = this.vms.get(key);
      if (!record) {
        unknown.push(key);
        continue;
      }
      const id = record.vmId.toLowerCase();
      if (plans.has(id)) continue;
      const after = this.tags.plan(record.vmId, record.name, add, remove);
      if (after) plans.set(id, { key, after });
    }
    const at = this.now().toISOString();
    this.transaction(() => {
      for (const [vmId, { after }] of plans) this.tags.write(vmId, after, at);
    });
    const delta = new DeltaBuilder();
    // Every row of a GUID shows its tags (the same GUID on two hosts shares them).
    for (const vmId of plans.keys()) {
      for (const [key, record] of this.vms) if (record.vmId.toLowerCase() === vmId) this.refreshView(key, delta);
    }
    return { changed: plans.size, unknown, delta: delta.build() };
  }

  private pendingEvent(op: PendingOperationInput, outcome: string, at: string, sync: 'full' | 'quick' | null): TimelineInput {
    const name = this.vms.get(vmKey(op.hostId, op.vmId))?.name ?? null;
    return { hostId: op.hostId, vmId: op.vmId, vmName: name, at, kind: 'pending', field: op.action, from: op.desiredState, to: outcome, sync, detail: op.jobId ?? null };
  }

  listPending(): PendingOperationInput[] {
    return [...this.pending.values()].map((op) => ({ ...op }));
  }

  /** The pending operations these reads confirm (pending-confirmation.ts decides how). */
  private confirmedBy(reads: ReadonlyArray<{ key: string; observation: VmObservation }>): PendingOperationInput[] {
    const out: PendingOperationInput[] = [];
    for (const { key, observation } of reads) {
      const op = this.pending.get(key);
      if (op && observationConfirms(op, observation, op.baselineBootMs ?? null)) out.push(op);
    }
    return out;
  }

  // --- job placeholders ("Creating" rows that survive refreshes) --------------------------------

  addPlaceholder(input: PlaceholderInput): { placeholderId: string; key: string; delta: InventoryDelta } {
    this.requireHost(input.hostId);
    const p: Placeholder = { placeholderId: randomUUID(), hostId: input.hostId, name: input.name, jobId: input.jobId ?? null, createdAt: this.now().toISOString() };
    this.transaction(() => this.st.insertPlaceholder(p.placeholderId, p.hostId, p.name, p.jobId, p.createdAt));
    this.placeholders.set(p.placeholderId, p);
    const view = placeholderView(p);
    this.views.set(view.key, view);
    const delta = new DeltaBuilder();
    delta.upsertVm(view);
    return { placeholderId: p.placeholderId, key: view.key, delta: delta.build() };
  }

  /** Every placeholder with the job it stands for (the jobs service sweeps those of dead jobs). */
  listPlaceholders(): Array<{ placeholderId: string; hostId: string; name: string; jobId: string | null; createdAt: string }> {
    return [...this.placeholders.values()].map((p) => ({ ...p }));
  }

  /** Removes a placeholder: the job failed, or the real VM (now in the store) replaces it. */
  removePlaceholder(placeholderId: string): InventoryDelta {
    const p = this.placeholders.get(placeholderId);
    const delta = new DeltaBuilder();
    if (!p) return delta.build();
    this.transaction(() => this.st.deletePlaceholder(placeholderId));
    this.placeholders.delete(placeholderId);
    const key = placeholderView(p).key;
    this.views.delete(key);
    delta.removeVm(key);
    return delta.build();
  }

  tombstones(hostId?: string): Array<{ hostId: string; vmId: string; name: string; deletedAt: string; generation: number }> {
    const rows = (hostId
      ? this.db.prepare('SELECT host_id, vm_id, name, deleted_at, generation FROM tombstones WHERE host_id = ? ORDER BY deleted_at').all(hostId)
      : this.db.prepare('SELECT host_id, vm_id, name, deleted_at, generation FROM tombstones ORDER BY deleted_at').all()) as Array<Record<string, string | number>>;
    return rows.map((r) => ({ hostId: String(r.host_id), vmId: String(r.vm_id), name: String(r.name), deletedAt: String(r.deleted_at), generation: Number(r.generation) }));
  }

  close(): void {
    this.group.flush();
    this.db.close();
  }

  // --- internals ----------------------------------------------------------------------------------

  private transaction(work: () => void): void {
    inTransaction(this.db, work);
  }

  private requireHost(hostId: string): HostRecord {
    const host = this.hosts.get(hostId);
    if (!host) throw new Error(`inventory store: unknown host ${hostId}; it must be configured first`);
    return host;
  }

  /**
   * Another host of the same cluster with a row for this VM ID: 'missing' when that row left the
   * peer's last complete enumeration (a move's old end), 'listed' when the peer still lists it.
   */
  private clusterPeer(vmId: string, hostId: string, cluster: string, which: 'missing' | 'listed'): string | undefined {
    for (const other of this.byVmId.get(vmId) ?? []) {
      if (other === hostId || this.hosts.get(other)?.cluster !== cluster) continue;
      const waiting = this.vms.get(vmKey(other, vmId))?.missingSinceGen != null;
      if (waiting === (which === 'missing')) return other;
    }
    return undefined;
  }

  /** The peer's row after taking over `from` (older first-seen time; the pending operation unless it has one). */
  private planHandOver(from: VmRecord, toHost: string): HandOver {
    const current = this.vms.get(vmKey(toHost, from.vmId))!;
    const firstSeenAt = from.firstSeenAt < current.firstSeenAt ? from.firstSeenAt : current.firstSeenAt;
    const movePending = this.pending.has(vmKey(from.hostId, from.vmId)) && !this.pending.has(vmKey(toHost, from.vmId));
    return { from, to: firstSeenAt === current.firstSeenAt ? current : { ...current, firstSeenAt }, movePending };
  }

  /** The host of a row key (`${hostId}:${vmId}`; a VM GUID has no colon). */
  private hostOfKey(key: string): string {
    return key.slice(0, key.lastIndexOf(':'));
  }

  private index(record: VmRecord): void {
    this.vms.set(vmKey(record.hostId, record.vmId), record);
    let keys = this.byHost.get(record.hostId);
    if (!keys) this.byHost.set(record.hostId, (keys = new Set()));
    keys.add(record.vmId);
    let hosts = this.byVmId.get(record.vmId);
    if (!hosts) this.byVmId.set(record.vmId, (hosts = new Set()));
    hosts.add(record.hostId);
  }

  private unindex(key: string): void {
    const record = this.vms.get(key);
    if (!record) return;
    this.vms.delete(key);
    this.views.delete(key);
    this.byHost.get(record.hostId)?.delete(record.vmId);
    const hosts = this.byVmId.get(record.vmId);
    hosts?.delete(record.hostId);
    if (hosts?.size === 0) this.byVmId.delete(record.vmId);
  }

  private refreshView(key: string, delta?: DeltaBuilder): void {
    const record = this.vms.get(key)!;
    const op = this.pending.get(key);
    const pending = op
      ? { action: op.action, desiredState: op.desiredState, requestedAt: op.requestedAt, deadline: op.deadline, unconfirmed: Date.parse(op.deadline) < this.now().getTime(), ...(op.jobId ? { jobId: op.jobId } : {}) }
      : null;
    const view = vmView(record, this.hosts.get(record.hostId), pending, this.tags.of(record.vmId));
    this.views.set(key, view);
    delta?.upsertVm(view);
  }

  /** Stores the new host record; when its freshness changed, every VM of the host is re-viewed. */
  private replaceHost(next: HostRecord, delta: DeltaBuilder): void {
    const before = this.hosts.get(next.hostId);
    this.hosts.set(next.hostId, next);
    delta.upsertHost(hostView(next));
    const wasFresh = before?.sync.state === 'fresh';
    const isFresh = next.sync.state === 'fresh';
    const staleChanged = !isFresh && (before?.sync.staleSince ?? before?.sync.lastSuccessAt) !== (next.sync.staleSince ?? next.sync.lastSuccessAt);
    if (wasFresh !== isFresh || staleChanged) {
      for (const vmId of this.byHost.get(next.hostId) ?? []) this.refreshView(vmKey(next.hostId, vmId), delta);
    }
  }
}

/**
 * The hot state a full enumeration gives a VM: all of it from agent 1.1.0 on, only the power
 * state from an older agent (the quick sync reads the rest). An unchanged value keeps the stored
 * object, which is how applyFull knows not to write it.
 */
function hotFromFull(existing: VmRecord['hot'] | undefined, vm: FullVmInput, at: string): VmRecord['hot'] {
  if (vm.hot) return hotAsRead(existing, { state: vm.state, ...vm.hot }, at);
  if (existing && existing.state === vm.state) return existing;
  return { ...(existing ?? emptyHot()), state: vm.state, observedAt: at, stateSince: at, heartbeatSince: existing?.heartbeatSince || at };
}

/** The hot state a sync read, or the stored object when it reads the same (then nothing is written). */
function hotAsRead(existing: VmRecord['hot'] | undefined, read: HotState, at: string): VmRecord['hot'] {
  // The since-times move only when their value does: a CPU reading changes observedAt, not them.
  const stateSince = existing && existing.state === read.state && existing.stateSince ? existing.stateSince : at;
  const heartbeatSince = existing && existing.heartbeat === read.heartbeat && existing.heartbeatSince ? existing.heartbeatSince : at;
  const next = { state: read.state, uptimeS: read.uptimeS, cpuPercent: read.cpuPercent, memoryAssignedMb: read.memoryAssignedMb, memoryDemandMb: read.memoryDemandMb, heartbeat: read.heartbeat, observedAt: at, stateSince, heartbeatSince };
  return existing && sameHot(existing, next) ? existing : next;
}

function emptyHot(): VmRecord['hot'] {
  return { state: 'Unknown', uptimeS: null, cpuPercent: null, memoryAssignedMb: null, memoryDemandMb: null, heartbeat: null, observedAt: '', stateSince: '', heartbeatSince: '' };
}

function hostFactsChanged(a: HostRecord, b: HostRecord): boolean {
  return a.computerName !== b.computerName || a.cluster !== b.cluster || a.cpuCores !== b.cpuCores || a.memoryGb !== b.memoryGb || a.memoryAvailableGb !== b.memoryAvailableGb || JSON.stringify(a.switches) !== JSON.stringify(b.switches) || (a.defaultVmVersion ?? null) !== (b.defaultVmVersion ?? null) || JSON.stringify(a.warnings) !== JSON.stringify(b.warnings);
}

/**
 * A host's own timeline entries from one change of its sync state: the first failure after
 * success (with the error, secrets removed) and the first success after failures.
 */
function hostSyncEvents(host: HostRecord, next: SyncFields, at: string): TimelineInput[] {
  const before = host.sync;
  const base = { hostId: host.hostId, vmId: null, vmName: null, at, field: null, from: null, to: null, sync: null };
  if (before.consecutiveFailures === 0 && next.consecutiveFailures > 0) {
    return [{ ...base, kind: 'sync-failed', detail: next.lastError === null ? null : redactSecrets(next.lastError) }];
  }
  if (before.consecutiveFailures > 0 && next.consecutiveFailures === 0 && next.state === 'fresh') {
    return [{ ...base, kind: 'sync-recovered', detail: `after ${before.consecutiveFailures} failed ${before.consecutiveFailures === 1 ? 'attempt' : 'attempts'}` }];
  }
  return [];
}
