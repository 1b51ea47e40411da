import type { DatabaseSync } from 'node:sqlite';
import type { VmState } from '../../shared/contract';
import type { PendingOperationInput } from './types';
import { defaultSync, vmKey, type HostRecord, type VmRecord } from './vm-views';

/** A row as node:sqlite returns it, and the nullable column readers both loaders use. */
export type Row = Record<string, string | number | null>;
export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export interface LoadedInventory {
  hosts: Map<string, HostRecord>;
  vms: Map<string, VmRecord>;
  pending: PendingOperationInput[];
  placeholders: Array<{ placeholderId: string; hostId: string; name: string; jobId: string | null; createdAt: string }>;
}

/** Reads the whole inventory into memory once at start: the snapshot is then served from memory. */
export function loadInventory(db: DatabaseSync): LoadedInventory {
  const hosts = new Map<string, HostRecord>();
  for (const r of db.prepare('SELECT * FROM hosts LEFT JOIN host_sync USING (host_id)').all() as Row[]) {
    const sync = defaultSync();
    hosts.set(String(r.host_id), {
      hostId: String(r.host_id),
      computerName: str(r.computer_name),
      cluster: str(r.cluster),
      cpuCores: num(r.cpu_cores),
      memoryGb: num(r.memory_gb),
      memoryAvailableGb: num(r.memory_available_gb),
      sync: {
        ...sync,
        state: (str(r.state) ?? 'never') as HostRecord['sync']['state'],
        lastAttemptAt: str(r.last_attempt_at),
        lastSuccessAt: str(r.last_success_at),
        lastQuickAt: str(r.last_quick_at),
        consecutiveFailures: num(r.consecutive_failures) ?? 0,
        nextAttemptAt: str(r.next_attempt_at),
        lastError: str(r.last_error),
        generation: num(r.generation) ?? 0,
        avgDurationMs: num(r.avg_duration_ms),
        durationSamples: num(r.duration_samples) ?? 0,
        slow: r.slow === 1,
        staleSince: str(r.stale_since),
        lastAgentTimestamp: str(r.last_agent_timestamp),
      },
    });
  }

  // Disk counts only: disks, NICs and notes are read per VM when its page asks (see details.ts).
  const diskCounts = new Map<string, number>();
  for (const r of db.prepare('SELECT host_id, vm_id, COUNT(*) AS n FROM vm_disks GROUP BY host_id, vm_id').all() as Row[]) {
    diskCounts.set(vmKey(String(r.host_id), String(r.vm_id)), Number(r.n));
  }

  const vms = new Map<string, VmRecord>();
  const sql = `SELECT host_id, vm_id, name, cluster, first_seen_at, missing_since_gen,
      state, uptime_s, cpu_percent, memory_assigned_mb, memory_demand_mb, heartbeat, observed_at,
      processor_count, memory_startup_mb, dynamic_memory, generation, operating_system, created_at, clustered, ip_addresses, content_hash
    FROM vms JOIN vm_hot USING (host_id, vm_id) JOIN vm_config USING (host_id, vm_id)`;
  for (const r of db.prepare(sql).all() as Row[]) {
    const key = vmKey(String(r.host_id), String(r.vm_id));
    vms.set(key, {
      hostId: String(r.host_id),
      vmId: String(r.vm_id),
      name: String(r.name),
      cluster: str(r.cluster),
      firstSeenAt: String(r.first_seen_at),
      missingSinceGen: num(r.missing_since_gen),
      hot: {
        state: String(r.state) as VmState,
        uptimeS: num(r.uptime_s),
        cpuPercent: num(r.cpu_percent),
        memoryAssignedMb: num(r.memory_assigned_mb),
        memoryDemandMb: num(r.memory_demand_mb),
        heartbeat: str(r.heartbeat),
        observedAt: String(r.observed_at),
      },
      config: {
        processorCount: num(r.processor_count),
        memoryStartupMb: num(r.memory_startup_mb),
        dynamicMemory: r.dynamic_memory === 1,
        generation: num(r.generation),
        operatingSystem: str(r.operating_system),
        createdAt: str(r.created_at),
        clustered: r.clustered === 1,
        ipAddresses: r.ip_addresses === '[]' ? [] : (JSON.parse(String(r.ip_addresses)) as string[]),
        diskCount: diskCounts.get(key) ?? 0,
      },
      contentHash: String(r.content_hash),
    });
  }

  const pending = (db.prepare('SELECT * FROM pending_ops').all() as Row[]).map((r) => ({
    opId: String(r.op_id),
    hostId: String(r.host_id),
    vmId: String(r.vm_id),
    action: String(r.action),
    desiredState: str(r.desired_state),
    requestedAt: String(r.requested_at),
    deadline: String(r.deadline),
    ...(r.job_id ? { jobId: String(r.job_id) } : {}),
  }));
  const placeholders = (db.prepare('SELECT * FROM placeholders').all() as Row[]).map((r) => ({
    placeholderId: String(r.placeholder_id),
    hostId: String(r.host_id),
    name: String(r.name),
    jobId: str(r.job_id),
    createdAt: String(r.created_at),
  }));
  return { hosts, vms, pending, placeholders };
}
