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
