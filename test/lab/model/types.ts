/**
 * The simulated Hyper-V inventory: clusters, hosts and VMs with the facts the agent's inventory
 * script reports (contracts §1). Memory is kept in MiB and disk sizes in bytes, the units Hyper-V's
 * CIM classes use, so handlers convert exactly like the real script (÷1024 → GiB, 2 decimals).
 */

/** Every power state the inventory script can report (contracts §1.5). */
export type VmState =
  | 'Running'
  | 'Off'
  | 'Saved'
  | 'Paused'
  | 'Starting'
  | 'Stopping'
  | 'Saving'
  | 'Pausing'
  | 'Resuming'
  | 'Unknown';

export interface SimDisk {
  /** Like Get-VMHardDiskDrive's Id: `Microsoft:<VM-GUID>\<GUID>\0\0\D`, upper case. */
  id: string;
  /** File name of the VHDX. */
  name: string;
  path: string;
  diskType: 'Fixed' | 'Dynamic' | 'Differencing';
  capacityBytes: number;
  fileSizeBytes: number;
  /** Shared disk (Get-VMHardDiskDrive's SupportPersistentReservations); absent = a name containing "shared". */
  supportPersistentReservations?: boolean;
  /** Parent VHD of a differencing disk (Get-VHD's ParentPath); absent = none. */
  parentPath?: string | null;
}

/** A DVD drive (Get-VMDvdDrive); `path` null = empty drive. */
export interface SimDvdDrive {
  /** `Microsoft:<VM-GUID>\<GUID>\<controller>\<location>\D`, upper case. */
  id: string;
  path: string | null;
  controllerNumber: number;
  controllerLocation: number;
}

export interface SimNic {
  /** `Microsoft:<VM-GUID>\<ADAPTER-GUID>`, GUIDs upper case. */
  id: string;
  name: string;
  switchName: string | null;
  vlan: number | null;
  /** 12 upper-case hex digits, no separators. */
  macAddress: string;
  ipAddresses: string[];
}

export interface SimVm {
  /** Lower-case GUID (Hyper-V VM id). */
  id: string;
  name: string;
  state: VmState;
  cpuUsagePercent: number;
  memoryAssignedMiB: number;
  memoryStartupMiB: number;
  memoryMinimumMiB: number;
  memoryMaximumMiB: number;
  dynamicMemoryEnabled: boolean;
  processorCount: number;
  generation: 1 | 2;
  configurationVersion: string;
  notes: string | null;
  /** Guest OS name from KVP; null when the VM is off (no integration services answer). */
  operatingSystem: string | null;
  osFamily: 'windows' | 'linux' | null;
  /** ISO-8601 UTC. */
  creationTime: string;
  ipAddresses: string[];
  disks: SimDisk[];
  nics: SimNic[];
  // Optional facts the simulated Hyper-V module (test/lab/pwsh) reads and writes; absent = the
  // default named on each, so generated models need none of them.
  /** The VM is a cluster role; absent = the host is in a cluster. */
  isClustered?: boolean;
  /** Hyper-V's `Path` (folder of the VM's configuration); absent = derived from the first disk. */
  configPath?: string;
  /** Properties of Get-VM's object whose read throws VirtualizationException (a broken host). */
  throwingProperties?: string[];
  /** DVD drives; absent = none. */
  dvdDrives?: SimDvdDrive[];
  /** KVP items by name: `host` written by the host (AddKvpItems), `guest` written by the guest. */
  kvp?: { host: Record<string, string>; guest: Record<string, string> };
  /**
   * When the VM last booted (ISO-8601 UTC): set when it starts from Off or Saved or is restarted,
   * so its uptime resets like Hyper-V's; absent = booted before the lab started (a stable offset).
   */
  bootedAt?: string;
  /** Generation 2 firmware settings (Set-VMFirmware); absent = Hyper-V's defaults. */
  firmware?: { secureBootTemplate?: string; firstBootDeviceId?: string };
  /** Checkpoints (Get-VMSnapshot), a tree by parentId; absent = none. */
  checkpoints?: SimCheckpoint[];
  /** The checkpoint "Now" runs from (Get-VM's ParentSnapshotId); absent or null = none. */
  parentCheckpointId?: string | null;
  /** Set-VM -CheckpointType; absent = Production (Hyper-V's default since 2016). */
  checkpointType?: 'Disabled' | 'Standard' | 'Production' | 'ProductionOnly';
  /** Dynamic memory buffer (Set-VMMemory -Buffer, percent); absent = 20. */
  memoryBufferPercent?: number;
  /** What the guest asks for (MemoryDemand) while it runs; absent = 70% of what it is assigned. */
  memoryDemandMiB?: number;
  /** The guest's integration services do not answer (hung, or no OS yet): heartbeat lost while Running. */
  guestUnresponsive?: boolean;
}

/** The hardware a checkpoint keeps, put back when it is applied. */
export interface SimCheckpointConfig {
  processorCount: number;
  memoryStartupMiB: number;
  memoryMinimumMiB: number;
  memoryMaximumMiB: number;
  dynamicMemoryEnabled: boolean;
  notes: string | null;
  disks: SimDisk[];
  nics: SimNic[];
}

/** A checkpoint (Get-VMSnapshot): Hyper-V's SnapshotType is `Standard` or `Production` here. */
export interface SimCheckpoint {
  /** Lower-case GUID. */
  id: string;
  name: string;
  /** Parent checkpoint id (ParentSnapshotId); null for a root. */
  parentId: string | null;
  /** ISO-8601 UTC. */
  creationTime: string;
  type: 'Standard' | 'Production';
  /** Holds the VM's memory (a standard checkpoint of a running VM): applying it leaves the VM Saved. */
  holdsMemory: boolean;
  /** Hardware at the time of the checkpoint; absent = applying keeps the current hardware. */
  config?: SimCheckpointConfig;
}

export interface SimHostModel {
  /** Host name as the admin types it (lower case); COMPUTERNAME is its upper-case form. */
  name: string;
  cluster?: string;
  logicalProcessors: number;
  memoryTotalMiB: number;
  memoryAvailableMiB: number;
  virtualSwitches: string[];
  vms: SimVm[];
  /** Active Directory domain (Win32_ComputerSystem.Domain); absent = 'lab.local'. */
  domain?: string;
  /**
   * The default VM configuration version (Get-VMHostSupportedVersion -Default); absent = '10.0'
   * (Windows Server 2022); null = the cmdlet fails, as on Windows Server 2012 R2.
   */
  defaultVmVersion?: string | null;
}

export interface SimCluster {
  name: string;
  hosts: string[];
}

export interface LabModel {
  seed: number;
  clusters: SimCluster[];
  hosts: SimHostModel[];
}

export interface LabModelOptions {
  hosts: number;
  vmsPerHost: number;
  seed: number;
  clusters: number;
}
