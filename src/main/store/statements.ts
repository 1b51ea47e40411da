import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { VmCheckpoint, VmDisk } from '../../shared/contract';
import type { StoredNic, SyncFields, VmConfigInput } from './types';
import type { VmRecord } from './vm-views';

type Value = string | number | null;
const b = (v: boolean): number => (v ? 1 : 0);

/** Every write the store makes, prepared once. Callers run them inside a transaction. */
export class Statements {
  private readonly s: Record<string, StatementSync>;

  constructor(private readonly db: DatabaseSync) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      upsertHost: p(`INSERT INTO hosts (host_id, computer_name, cluster, cpu_cores, memory_gb, memory_available_gb, switches, warnings, updated_at, default_vm_version)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(host_id) DO UPDATE SET computer_name=excluded.computer_name, cluster=excluded.cluster, cpu_cores=excluded.cpu_cores,
          memory_gb=excluded.memory_gb, memory_available_gb=excluded.memory_available_gb, switches=excluded.switches,
          warnings=excluded.warnings, updated_at=excluded.updated_at, default_vm_version=excluded.default_vm_version`),
      updateHostMemoryAvailable: p('UPDATE hosts SET memory_available_gb=?, updated_at=? WHERE host_id=?'),
      deleteHost: p('DELETE FROM hosts WHERE host_id = ?'),
      insertSync: p('INSERT OR IGNORE INTO host_sync (host_id) VALUES (?)'),
      updateSync: p(`UPDATE host_sync SET state=?, last_attempt_at=?, last_success_at=?, last_quick_at=?, consecutive_failures=?, next_attempt_at=?,
        last_error=?, generation=?, avg_duration_ms=?, duration_samples=?, slow=?, stale_since=?, last_agent_timestamp=? WHERE host_id=?`),
      insertCluster: p('INSERT OR IGNORE INTO clusters (name, first_seen_at, last_seen_at) VALUES (?, ?, ?)'),
      insertVm: p('INSERT INTO vms (host_id, vm_id, name, cluster, changed_gen, missing_since_gen, first_seen_at) VALUES (?, ?, ?, ?, ?, NULL, ?)'),
      updateVm: p('UPDATE vms SET name=?, cluster=?, changed_gen=?, missing_since_gen=? WHERE host_id=? AND vm_id=?'),
      moveVm: p('UPDATE vms SET host_id=?, cluster=?, changed_gen=?, missing_since_gen=NULL WHERE host_id=? AND vm_id=?'),
      deleteVm: p('DELETE FROM vms WHERE host_id=? AND vm_id=?'),
      upsertHot: p(`INSERT INTO vm_hot (host_id, vm_id, state, uptime_s, cpu_percent, memory_assigned_mb, memory_demand_mb, heartbeat, observed_at, state_since, heartbeat_since)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(host_id, vm_id) DO UPDATE SET state=excluded.state, uptime_s=excluded.uptime_s, cpu_percent=excluded.cpu_percent,
          memory_assigned_mb=excluded.memory_assigned_mb, memory_demand_mb=excluded.memory_demand_mb, heartbeat=excluded.heartbeat, observed_at=excluded.observed_at,
          state_since=excluded.state_since, heartbeat_since=excluded.heartbeat_since`),
      setConfigWarnings: p('UPDATE vm_config SET warnings = ? WHERE host_id = ? AND vm_id = ?'),
      upsertConfig: p(`INSERT INTO vm_config (host_id, vm_id, processor_count, memory_startup_mb, memory_min_mb, memory_max_mb, dynamic_memory, generation,
          configuration_version, notes, operating_system, created_at, clustered, ip_addresses, content_hash, updated_at, current_checkpoint_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(host_id, vm_id) DO UPDATE SET processor_count=excluded.processor_count, memory_startup_mb=excluded.memory_startup_mb,
          memory_min_mb=excluded.memory_min_mb, memory_max_mb=excluded.memory_max_mb, dynamic_memory=excluded.dynamic_memory, generation=excluded.generation,
          configuration_version=excluded.configuration_version, notes=excluded.notes, operating_system=excluded.operating_system, created_at=excluded.created_at,
          clustered=excluded.clustered, ip_addresses=excluded.ip_addresses, content_hash=excluded.content_hash, updated_at=excluded.updated_at,
          current_checkpoint_id=excluded.current_checkpoint_id`),
      deleteDisks: p('DELETE FROM vm_disks WHERE host_id=? AND vm_id=?'),
      insertDisk: p(`INSERT INTO vm_disks (host_id, vm_id, position, disk_id, name, path, disk_type, capacity_gb, file_size_gb) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      deleteNics: p('DELETE FROM vm_nics WHERE host_id=? AND vm_id=?'),
      insertNic: p(`INSERT INTO vm_nics (host_id, vm_id, position, nic_id, name, switch_name, vlan, mac_address, ip_addresses, network_name)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      deleteCheckpoints: p('DELETE FROM vm_checkpoints WHERE host_id=? AND vm_id=?'),
      insertCheckpoint: p(`INSERT INTO vm_checkpoints (host_id, vm_id, position, checkpoint_id, name, parent_id, created_at, checkpoint_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      insertTombstone: p('INSERT OR REPLACE INTO tombstones (host_id, vm_id, name, deleted_at, generation, last_view) VALUES (?, ?, ?, ?, ?, ?)'),
      pruneTombstones: p('DELETE FROM tombstones WHERE deleted_at < ?'),
      insertPending: p(`INSERT OR REPLACE INTO pending_ops (op_id, host_id, vm_id, action, desired_state, requested_at, deadline, job_id, target_host_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      deletePending: p('DELETE FROM pending_ops WHERE op_id=?'),
      movePending: p('UPDATE pending_ops SET host_id=? WHERE host_id=? AND vm_id=?'),
      deletePendingOf: p('DELETE FROM pending_ops WHERE host_id=? AND vm_id=?'),
      setFirstSeen: p('UPDATE vms SET first_seen_at=? WHERE host_id=? AND vm_id=?'),
      insertPlaceholder: p('INSERT INTO placeholders (placeholder_id, host_id, name, job_id, created_at) VALUES (?, ?, ?, ?, ?)'),
      deletePlaceholder: p('DELETE FROM placeholders WHERE placeholder_id=?'),
    };
  }

  private run(name: string, ...values: Value[]): void {
    this.s[name]!.run(...values);
  }

  upsertHost(h: { hostId: string; computerName: string | null; cluster: string | null; cpuCores: number | null; memoryGb: number | null; memoryAvailableGb: number | null; switches: string[] | null; defaultVmVersion?: string | null }, warnings: string[], at: string): void {
    this.run('upsertHost', h.hostId, h.computerName, h.cluster, h.cpuCores, h.memoryGb, h.memoryAvailableGb, h.switches ? JSON.stringify(h.switches) : null, JSON.stringify(warnings), at, h.defaultVmVersion ?? null);
    this.run('insertSync', h.hostId);
  }

  /** A quick sync's free-memory reading: the one host fact it carries. */
  writeHostMemoryAvailable(hostId: string, gb: number | null, at: string): void {
    this.run('updateHostMemoryAvailable', gb, at, hostId);
  }

  deleteHost(hostId: string): void {
    this.run('deleteHost', hostId);
  }

  writeSync(hostId: string, s: SyncFields): void {
    this.run('updateSync', s.state, s.lastAttemptAt, s.lastSuccessAt, s.lastQuickAt, s.consecutiveFailures, s.nextAttemptAt, s.lastError, s.generation,
      s.avgDurationMs, s.durationSamples, b(s.slow), s.staleSince, s.lastAgentTimestamp, hostId);
  }

  insertCluster(name: string, at: string): void {
    this.run('insertCluster', name, at, at);
  }

  insertVm(r: VmRecord, config: VmConfigInput, gen: number): void {
    this.run('insertVm', r.hostId, r.vmId, r.name, r.cluster, gen, r.firstSeenAt);
    this.writeHot(r);
    this.writeConfig(r, config, r.hot.observedAt, true);
  }

  updateVm(r: VmRecord, gen: number): void {
    this.run('updateVm', r.name, r.cluster, gen, r.missingSinceGen, r.hostId, r.vmId);
  }

  moveVm(fromHost: string, toHost: string, vmId: string, cluster: string | null, gen: number): void {
    this.run('moveVm', toHost, cluster, gen, fromHost, vmId);
    this.run('movePending', toHost, fromHost, vmId);
  }

  /**
   * A VM that left `from`'s complete enumeration while a cluster peer already had its own row for
   * the same ID: the peer's row is the VM now. It keeps the older first-seen time and, unless it
   * has its own, the pending operation; the old row goes without a tombstone (nothing was deleted).
   */
  handOver(from: VmRecord, toHost: string, firstSeenAt: string, movePending: boolean): void {
    this.run('setFirstSeen', firstSeenAt, toHost, from.vmId);
    if (movePending) this.run('movePending', toHost, from.hostId, from.vmId);
    else this.run('deletePendingOf', from.hostId, from.vmId);
    this.run('deleteVm', from.hostId, from.vmId);
  }

  deleteVm(hostId: string, vmId: string): void {
    this.run('deleteVm', hostId, vmId);
  }

  writeHot(r: VmRecord): void {
    const h = r.hot;
    this.run('upsertHot', r.hostId, r.vmId, h.state, h.uptimeS, h.cpuPercent, h.memoryAssignedMb, h.memoryDemandMb, h.heartbeat, h.observedAt, h.stateSince, h.heartbeatSince);
  }

  /** `c` is the whole configuration (the record holds only its summary); a new VM has no old rows to delete. */
  writeConfig(r: VmRecord, c: VmConfigInput, at: string, isNew = false): void {
    this.run('upsertConfig', r.hostId, r.vmId, c.processorCount, c.memoryStartupMb, c.memoryMinMb, c.memoryMaxMb, b(c.dynamicMemory), c.generation,
      c.configurationVersion, c.notes, c.operatingSystem, c.createdAt, b(c.clustered), JSON.stringify(c.ipAddresses), r.contentHash, at, c.currentCheckpointId ?? null);
    if (!isNew) this.run('deleteDisks', r.hostId, r.vmId);
    c.disks.forEach((d: VmDisk, i) => this.run('insertDisk', r.hostId, r.vmId, i, d.id, d.name, d.path, d.type, d.capacityGb, d.fileSizeGb));
    if (!isNew) this.run('deleteNics', r.hostId, r.vmId);
    c.nics.forEach((n: StoredNic, i) =>
      this.run('insertNic', r.hostId, r.vmId, i, n.id, n.name, n.switchName, n.vlan, n.macAddress, JSON.stringify(n.ipAddresses), n.networkName),
    );
    // A new row's warnings are already NULL (its vms row was just inserted, so no old vm_config row exists).
    if (!isNew || c.warnings?.length) this.run('setConfigWarnings', c.warnings?.length ? JSON.stringify(c.warnings) : null, r.hostId, r.vmId);
    if (!isNew) this.run('deleteCheckpoints', r.hostId, r.vmId);
    (c.checkpoints ?? []).forEach((cp: VmCheckpoint, i) => this.run('insertCheckpoint', r.hostId, r.vmId, i, cp.id, cp.name, cp.parentId, cp.createdAt, cp.type));
  }

  tombstone(r: VmRecord, at: string, gen: number, lastView: unknown): void {
    this.run('insertTombstone', r.hostId, r.vmId, r.name, at, gen, JSON.stringify(lastView));
    this.run('deleteVm', r.hostId, r.vmId);
  }

  pruneTombstones(before: string): void {
    this.run('pruneTombstones', before);
  }

  insertPending(o: { opId: string; hostId: string; vmId: string; action: string; desiredState: string | null; requestedAt: string; deadline: string; jobId?: string; targetHostId?: string | null }): void {
    this.run('insertPending', o.opId, o.hostId, o.vmId, o.action, o.desiredState, o.requestedAt, o.deadline, o.jobId ?? null, o.targetHostId ?? null);
  }

  deletePending(opId: string): void {
    this.run('deletePending', opId);
  }

  insertPlaceholder(id: string, hostId: string, name: string, jobId: string | null, at: string): void {
    this.run('insertPlaceholder', id, hostId, name, jobId, at);
  }

  deletePlaceholder(id: string): void {
    this.run('deletePlaceholder', id);
  }
}
