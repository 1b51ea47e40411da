import type { InventoryHost, VmCheckpoint, VmDisk, VmState } from '../../shared/contract';

/** A NIC as the store keeps it (the contract's VmNic plus the optional logical network name). */
export interface StoredNic {
  id: string;
  name: string;
  switchName: string | null;
  vlan: number | null;
  macAddress: string;
  ipAddresses: string[];
  networkName: string | null;
}

/** Configuration of one VM: changes rarely, written only when its content hash changes. */
export interface VmConfigInput {
  processorCount: number | null;
  memoryStartupMb: number | null;
  memoryMinMb: number | null;
  memoryMaxMb: number | null;
  dynamicMemory: boolean;
  generation: number | null;
  configurationVersion: string | null;
  notes: string | null;
  operatingSystem: string | null;
  createdAt: string | null;
  clustered: boolean;
  ipAddresses: string[];
  disks: VmDisk[];
  nics: StoredNic[];
  /** Oldest first (agent 1.4.0+; an older agent reports none). Absent: none. */
  checkpoints?: VmCheckpoint[];
  /** The checkpoint the VM runs from; null or absent: none. */
  currentCheckpointId?: string | null;
}

/**
 * The part of a VM's configuration kept in memory and sent in every row; the rest (disks, NICs,
 * notes, memory limits) stays in SQLite until a VM page asks for it, which keeps 10,000 VMs cheap
 * to load, hold and send.
 */
export interface VmSummary {
  processorCount: number | null;
  memoryStartupMb: number | null;
  dynamicMemory: boolean;
  generation: number | null;
  operatingSystem: string | null;
  createdAt: string | null;
  clustered: boolean;
  ipAddresses: string[];
  diskCount: number;
  checkpointCount: number;
  oldestCheckpointAt: string | null;
  /** Kept in memory for the query language's free text (empty notes are null). */
  notes: string | null;
}

export interface FullVmInput {
  vmId: string;
  name: string;
  state: VmState;
  config: VmConfigInput;
  /** Hot state read with the configuration (agent 1.1.0+); absent from an older agent. */
  hot?: Omit<HotState, 'state'>;
}

export interface HostFactsInput {
  computerName: string | null;
  /** The cluster the host reports; null = standalone. */
  cluster: string | null;
  /** The agent could not ask the cluster service: `cluster` says nothing, keep the known one. */
  clusterLookupFailed?: boolean;
  cpuCores: number | null;
  memoryGb: number | null;
  /** Free physical memory, GiB (agent 1.1.0+; null when not reported). */
  memoryAvailableGb: number | null;
  /** Every virtual switch of the host (agent 1.2.0+); null when not reported or the query failed. */
  switches: string[] | null;
  warnings: string[];
}

/** One parsed `inventory` result. */
export interface FullInventoryInput {
  host: HostFactsInput;
  vms: FullVmInput[];
  /** Our clock when the request started: the moment these values describe. */
  observedAt: string;
  /** The agent's own timestamp (host clock), used only to order results of the same host. */
  agentTimestamp: string | null;
  /** False when some VM entries could not be read: then nothing is tombstoned. */
  complete: boolean;
  /** Batch queries that failed: keep the previous values of those parts instead of erasing them. */
  keep: { nics: boolean; disks: boolean; os: boolean; checkpoints?: boolean };
}

/** A VM's hot state as a quick sync reads it; the store adds when it was observed. */
export interface HotState {
  state: VmState;
  uptimeS: number | null;
  cpuPercent: number | null;
  memoryAssignedMb: number | null;
  memoryDemandMb: number | null;
  heartbeat: string | null;
}

export interface QuickVmInput extends HotState {
  vmId: string;
  name: string;
}

export interface QuickInventoryInput {
  vms: QuickVmInput[];
  /** The host's free physical memory, GiB (agent 1.1.0+; null when not reported). */
  hostMemoryAvailableGb: number | null;
  observedAt: string;
  agentTimestamp: string | null;
}

export type SyncFields = InventoryHost['sync'] & { staleSince: string | null; durationSamples: number; lastAgentTimestamp: string | null };

export interface PendingOperationInput {
  opId: string;
  hostId: string;
  vmId: string;
  action: string;
  desiredState: string | null;
  requestedAt: string;
  deadline: string;
  jobId?: string;
  /** A move's target host: the op is confirmed when the VM shows there (pending-confirmation.ts). */
  targetHostId?: string | null;
  /**
   * In memory only: the VM's boot time when the op was added, for actions confirmed by a new boot
   * (pending-confirmation.ts). Absent after a restart of the app: the request time stands in.
   */
  baselineBootMs?: number | null;
}

export interface PlaceholderInput {
  hostId: string;
  name: string;
  jobId?: string;
}
