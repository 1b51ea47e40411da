import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { VmDetails } from '../../shared/contract';
import { num, str, type Row } from './load';
import type { StoredNic, VmConfigInput } from './types';


/**
 * Reads the parts of a VM the store does not hold in memory: its disks, NICs, notes and memory
 * limits. Used by the VM page (`inventory.vm`), the create-VM form's host options, and by a
 * refresh whose NIC or disk query failed on the host (the stored values are kept, not erased).
 */
export class DetailReader {
  private readonly config: StatementSync;
  private readonly disks: StatementSync;
  private readonly nics: StatementSync;
  private readonly switches: StatementSync;
  private readonly diskPaths: StatementSync;

  constructor(db: DatabaseSync) {
    this.config = db.prepare('SELECT * FROM vm_config WHERE host_id = ? AND vm_id = ?');
    this.disks = db.prepare('SELECT * FROM vm_disks WHERE host_id = ? AND vm_id = ? ORDER BY position');
    this.nics = db.prepare('SELECT * FROM vm_nics WHERE host_id = ? AND vm_id = ? ORDER BY position');
    this.switches = db.prepare('SELECT DISTINCT switch_name FROM vm_nics WHERE host_id = ? AND switch_name IS NOT NULL');
    this.diskPaths = db.prepare('SELECT d.path AS path, v.name AS name FROM vm_disks d JOIN vms v USING (host_id, vm_id) WHERE d.host_id = ?');
  }

  /** The whole stored configuration of one VM, as a refresh would have parsed it. */
  storedConfig(hostId: string, vmId: string): VmConfigInput | undefined {
    const r = this.config.get(hostId, vmId) as Row | undefined;
    if (!r) return undefined;
    return {
      processorCount: num(r.processor_count),
      memoryStartupMb: num(r.memory_startup_mb),
      memoryMinMb: num(r.memory_min_mb),
      memoryMaxMb: num(r.memory_max_mb),
      dynamicMemory: r.dynamic_memory === 1,
      generation: num(r.generation),
      configurationVersion: str(r.configuration_version),
      notes: str(r.notes),
      operatingSystem: str(r.operating_system),
      createdAt: str(r.created_at),
      clustered: r.clustered === 1,
      ipAddresses: JSON.parse(String(r.ip_addresses)) as string[],
      disks: (this.disks.all(hostId, vmId) as Row[]).map((d) => ({
        id: String(d.disk_id),
        name: String(d.name),
        path: String(d.path),
        type: str(d.disk_type),
        capacityGb: num(d.capacity_gb),
        fileSizeGb: num(d.file_size_gb),
      })),
      nics: (this.nics.all(hostId, vmId) as Row[]).map(
        (n): StoredNic => ({
          id: String(n.nic_id),
          name: String(n.name),
          switchName: str(n.switch_name),
          vlan: num(n.vlan),
          macAddress: String(n.mac_address),
          ipAddresses: JSON.parse(String(n.ip_addresses)) as string[],
          networkName: str(n.network_name),
        }),
      ),
    };
  }

  /** What the VM page shows beyond the row. */
  details(hostId: string, vmId: string): VmDetails | undefined {
    const c = this.storedConfig(hostId, vmId);
    if (!c) return undefined;
    return {
      memoryMinMb: c.memoryMinMb,
      memoryMaxMb: c.memoryMaxMb,
      configurationVersion: c.configurationVersion,
      notes: c.notes,
      disks: c.disks,
      nics: c.nics.map(({ networkName: _n, ...nic }) => nic),
      // FOUNDATION: filled from the inventory by issue 15 CORE.
      checkpoints: [],
      currentCheckpointId: null,
    };
  }

  /** Virtual switches the host's VMs are connected to. */
  switchNames(hostId: string): string[] {
    return (this.switches.all(hostId) as Row[]).map((r) => String(r.switch_name));
  }

  /** Every virtual disk path on the host with the name of the VM it belongs to. */
  diskPathsOf(hostId: string): Array<{ path: string; vmName: string }> {
    return (this.diskPaths.all(hostId) as Row[]).map((r) => ({ path: String(r.path), vmName: String(r.name) }));
  }
}
