import type { DatabaseSync } from 'node:sqlite';
import type { VmState } from '../../shared/contract';
import type { PendingOperationInput } from './types';
import { defaultSync, vmKey, type HostRecord, type VmRecord } from './vm-views';

/** A row as node:sqlite returns it, and the nullable column readers both loaders use. */
export type Row = Record<string, string | number | null>;
export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The `hosts.switches` JSON column: null (unknown) stays null, and so does anything unreadable. */
function switchList(v: unknown): string[] | null {
  if (typeof v !== 'string') return null;
  try {
    const parsed: unknown = JSON.parse(v);
    return Array.isArray(parsed) ? parsed.filter((s): s is string => typeof s === 'string') : null;
  } catch {
    return null;
  }
}

export interface LoadedInventory {
  hosts: Map<string, HostRecord>;
  vms: Map<string, VmRecord>;
  pending: PendingOperationInput[];
  placeholders: Array<{ placeholderId: string; hostId: string; name: string; jobId: string | null; createdAt: string }>;
}

// The VM columns read at start, in SELECT order; rows come back as arrays indexed by VM_COLUMN.
const VM_COLUMNS = [
  'host_id', 'vm_id', 'name', 'cluster', 'first_seen_at', 'missing_since_gen', 'state', 'uptime_s', 'cpu_percent',
  'memory_assigned_mb', 'memory_demand_mb', 'heartbeat', 'observed_at', 'processor_count', 'memory_startup_mb',
  'dynamic_memory', 'generation', 'operating_system', 'created_at', 'clustered', 'ip_addresses', 'content_hash', 'notes',
] as const;
const VM_COLUMN = Object.fromEntries(VM_COLUMNS.map((name, i) => [name, i])) as { readonly [K in (typeof VM_COLUMNS)[number]]: number };

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
      switches: switchList(r.switches),
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

  // Disk counts only: disks and NICs are read per VM when its page asks (see details.ts).
  const diskCounts = new Map<string, number>();
  for (const r of db.prepare('SELECT host_id, vm_id, COUNT(*) AS n FROM vm_disks GROUP BY host_id, vm_id').all() as Row[]) {
    diskCounts.set(vmKey(String(r.host_id), String(r.vm_id)), Number(r.n));
  }

  // Checkpoint count and oldest creation time per VM: the row shows them, the VM page the tree.
  const checkpoints = new Map<string, { count: number; oldest: string | null }>();
  for (const r of db.prepare('SELECT host_id, vm_id, COUNT(*) AS n, MIN(created_at) AS oldest FROM vm_checkpoints GROUP BY host_id, vm_id').all() as Row[]) {
    checkpoints.set(vmKey(String(r.host_id), String(r.vm_id)), { count: Number(r.n), oldest: str(r.oldest) });
  }

  // Rows as arrays (setReturnArrays): for 10,000 VMs it reads in about half the time of row
  // objects, and this read is on the path to the first snapshot. Column order is the SELECT's.
  const vms = new Map<string, VmRecord>();
  const query = db.prepare(`SELECT ${VM_COLUMNS.join(', ')} FROM vms JOIN vm_hot USING (host_id, vm_id) JOIN vm_config USING (host_id, vm_id)`);
  query.setReturnArrays(true);
  const c = VM_COLUMN;
  // Values that repeat across VMs (host, state, OS, a host's observation time) are kept once:
  // SQLite hands back a new string per row, and 10,000 copies of each are memory the collector
  // has to copy while the store opens.
  const seen = new Map<string, string>();
  const shared = (v: string | number | null): string | null => {
    if (v === null) return null;
    const text = String(v);
    const known = seen.get(text);
    if (known !== undefined) return known;
    seen.set(text, text);
    return text;
  };
  for (const r of query.all() as unknown as Array<Array<string | number | null>>) {
    const hostId = shared(r[c.host_id])!;
    const vmId = String(r[c.vm_id]);
    const key = vmKey(hostId, vmId);
    const ips = r[c.ip_addresses];
    vms.set(key, {
      hostId,
      vmId,
      name: String(r[c.name]),
      cluster: shared(r[c.cluster]),
      firstSeenAt: shared(r[c.first_seen_at])!,
      missingSinceGen: num(r[c.missing_since_gen]),
      hot: {
        state: shared(r[c.state]) as VmState,
        uptimeS: num(r[c.uptime_s]),
        cpuPercent: num(r[c.cpu_percent]),
        memoryAssignedMb: num(r[c.memory_assigned_mb]),
        memoryDemandMb: num(r[c.memory_demand_mb]),
        heartbeat: shared(r[c.heartbeat]),
        observedAt: shared(r[c.observed_at])!,
      },
      config: {
        processorCount: num(r[c.processor_count]),
        memoryStartupMb: num(r[c.memory_startup_mb]),
        dynamicMemory: r[c.dynamic_memory] === 1,
        generation: num(r[c.generation]),
        operatingSystem: shared(r[c.operating_system]),
        createdAt: str(r[c.created_at]),
        clustered: r[c.clustered] === 1,
        ipAddresses: ips === '[]' ? [] : (JSON.parse(String(ips)) as string[]),
        diskCount: diskCounts.get(key) ?? 0,
        checkpointCount: checkpoints.get(key)?.count ?? 0,
        oldestCheckpointAt: checkpoints.get(key)?.oldest ?? null,
        notes: str(r[c.notes]) || null,
      },
      contentHash: String(r[c.content_hash]),
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
    ...(r.target_host_id ? { targetHostId: String(r.target_host_id) } : {}),
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
