import { hash } from 'node:crypto';
import type { InventoryHost, InventoryVm } from '../../shared/contract';
import type { HotState, SyncFields, VmConfigInput, VmSummary } from './types';

/** A VM's persisted parts before host freshness and pending operations are folded in. */
export interface VmRecord {
  hostId: string;
  vmId: string;
  name: string;
  cluster: string | null;
  firstSeenAt: string;
  missingSinceGen: number | null;
  hot: HotState & { observedAt: string };
  config: VmSummary;
  /** Hash of the whole configuration (details included): a change means a config write. */
  contentHash: string;
}

export interface HostRecord {
  hostId: string;
  computerName: string | null;
  cluster: string | null;
  cpuCores: number | null;
  memoryGb: number | null;
  memoryAvailableGb: number | null;
  /** Every virtual switch the host reported; null when not known (older agent, failed query). */
  switches: string[] | null;
  sync: SyncFields;
}

export function vmKey(hostId: string, vmId: string): string {
  return `${hostId}:${vmId}`;
}

/** Stable hash of a VM's configuration: key order fixed by construction, arrays kept in order. */
export function configHash(config: VmConfigInput): string {
  // A VM without checkpoints hashes as it did before they were stored (schema 6), so the first
  // refresh after an upgrade does not rewrite every VM's configuration.
  const { checkpoints, currentCheckpointId, ...rest } = config;
  const hashed = (checkpoints?.length ?? 0) > 0 || (currentCheckpointId ?? null) !== null ? { ...rest, checkpoints, currentCheckpointId } : rest;
  // One-shot hash(): a full refresh hashes every VM, and a Hash object per call costs more than the digest.
  return hash('sha1', JSON.stringify(hashed), 'base64');
}

export function summarize(c: VmConfigInput): VmSummary {
  return {
    processorCount: c.processorCount,
    memoryStartupMb: c.memoryStartupMb,
    dynamicMemory: c.dynamicMemory,
    generation: c.generation,
    operatingSystem: c.operatingSystem,
    createdAt: c.createdAt,
    clustered: c.clustered,
    ipAddresses: c.ipAddresses,
    diskCount: c.disks.length,
    checkpointCount: c.checkpoints?.length ?? 0,
    oldestCheckpointAt: oldestOf(c.checkpoints ?? []),
    notes: c.notes || null,
  };
}

/** The earliest creation time (ISO UTC strings compare in time order). */
function oldestOf(checkpoints: NonNullable<VmConfigInput['checkpoints']>): string | null {
  let oldest: string | null = null;
  for (const cp of checkpoints) if (oldest === null || cp.createdAt < oldest) oldest = cp.createdAt;
  return oldest;
}

export function osFamily(os: string | null): InventoryVm['osFamily'] {
  const text = (os ?? '').toLowerCase();
  if (text.includes('windows')) return 'windows';
  if (/linux|ubuntu|debian|centos|rhel|red hat|suse|alma|rocky|fedora/.test(text)) return 'linux';
  return 'unknown';
}

export function defaultSync(): SyncFields {
  return {
    state: 'never',
    lastAttemptAt: null,
    lastSuccessAt: null,
    lastQuickAt: null,
    consecutiveFailures: 0,
    nextAttemptAt: null,
    lastError: null,
    generation: 0,
    avgDurationMs: null,
    slow: false,
    staleSince: null,
    durationSamples: 0,
    lastAgentTimestamp: null,
  };
}

export function hostView(record: HostRecord): InventoryHost {
  const { staleSince: _s, durationSamples: _d, lastAgentTimestamp: _t, ...sync } = record.sync;
  return {
    hostId: record.hostId,
    computerName: record.computerName,
    cluster: record.cluster,
    cpuCores: record.cpuCores,
    memoryGb: record.memoryGb,
    memoryAvailableGb: record.memoryAvailableGb,
    switches: record.switches,
    sync,
  };
}

/**
 * The renderer's view of a VM. Freshness comes from its host: a VM is stale whenever its host's
 * last attempt did not confirm it (unreachable, preparing, or not yet refreshed since start).
 */
export function vmView(record: VmRecord, host: HostRecord | undefined, pending: InventoryVm['pending']): InventoryVm {
  const fresh = host?.sync.state === 'fresh';
  const c = record.config;
  return {
    key: vmKey(record.hostId, record.vmId),
    vmId: record.vmId,
    hostId: record.hostId,
    name: record.name,
    state: record.hot.state,
    cpuPercent: record.hot.cpuPercent,
    memoryAssignedMb: record.hot.memoryAssignedMb,
    memoryDemandMb: record.hot.memoryDemandMb,
    uptimeS: record.hot.uptimeS,
    heartbeat: record.hot.heartbeat,
    observedAt: record.hot.observedAt,
    processorCount: c.processorCount,
    memoryStartupMb: c.memoryStartupMb,
    dynamicMemory: c.dynamicMemory,
    generation: c.generation,
    operatingSystem: c.operatingSystem,
    osFamily: osFamily(c.operatingSystem),
    createdAt: c.createdAt,
    clustered: c.clustered,
    // Records are never mutated (every change builds a new one), so views share their arrays.
    ipAddresses: c.ipAddresses,
    diskCount: c.diskCount,
    checkpointCount: c.checkpointCount,
    oldestCheckpointAt: c.oldestCheckpointAt,
    notes: c.notes,
    detailsHash: record.contentHash,
    stale: !fresh,
    staleSince: fresh ? null : (host?.sync.staleSince ?? host?.sync.lastSuccessAt ?? null),
    placeholder: false,
    pending,
  };
}

/** A job's "Creating" row: shown until the real VM arrives or the job gives up. */
export function placeholderView(p: { placeholderId: string; hostId: string; name: string; createdAt: string }): InventoryVm {
  return {
    key: vmKey(p.hostId, `placeholder-${p.placeholderId}`),
    vmId: `placeholder-${p.placeholderId}`,
    hostId: p.hostId,
    name: p.name,
    state: 'Creating',
    cpuPercent: null,
    memoryAssignedMb: null,
    memoryDemandMb: null,
    uptimeS: null,
    heartbeat: null,
    observedAt: p.createdAt,
    processorCount: null,
    memoryStartupMb: null,
    dynamicMemory: false,
    generation: null,
    operatingSystem: null,
    osFamily: 'unknown',
    createdAt: null,
    clustered: false,
    ipAddresses: [],
    diskCount: 0,
    checkpointCount: 0,
    oldestCheckpointAt: null,
    notes: null,
    detailsHash: '',
    stale: false,
    staleSince: null,
    placeholder: true,
    pending: null,
  };
}

/** Hot values equal, allowing for uptime advancing with the clock (same boot within 10 s). */
export function sameHot(a: VmRecord['hot'], b: VmRecord['hot']): boolean {
  if (a.state !== b.state || a.cpuPercent !== b.cpuPercent || a.memoryAssignedMb !== b.memoryAssignedMb) return false;
  if (a.memoryDemandMb !== b.memoryDemandMb || a.heartbeat !== b.heartbeat) return false;
  if (a.uptimeS === null || b.uptimeS === null) return a.uptimeS === b.uptimeS;
  const bootA = Date.parse(a.observedAt) - a.uptimeS * 1000;
  const bootB = Date.parse(b.observedAt) - b.uptimeS * 1000;
  return Math.abs(bootA - bootB) <= 10_000;
}
