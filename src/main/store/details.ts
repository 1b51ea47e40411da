import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { VmDetails } from '../../shared/contract';
import { num, str, warningList, type Row } from './load';
import type { StoredNic, VmConfigInput } from './types';


/**
 * Reads the parts of a VM the store does not hold in memory: its disks, NICs, checkpoints, notes
 * and memory limits. Used by the VM page (`inventory.vm`), the create-VM form's host options, and by a
 * refresh whose NIC or disk query failed on the host (the stored values are kept, not erased).
 */
export class DetailReader {
  private readonly config: StatementSync;
  private readonly disks: StatementSync;
  private readonly nics: StatementSync;
  private readonly switches: StatementSync;
  private readonly diskPaths: StatementSync;
  private readonly checkpoints: StatementSync;
  private readonly macs: StatementSync;

  constructor(db: DatabaseSync) {
    this.config = db.prepare('SELECT * FROM vm_config WHERE host_id = ? AND vm_id = ?');
    this.disks = db.prepare('SELECT * FROM vm_disks WHERE host_id = ? AND vm_id = ? ORDER BY position');
    this.nics = db.prepare('SELECT * FROM vm_nics WHERE host_id = ? AND vm_id = ? ORDER BY position');
    this.switches = db.prepare('SELECT DISTINCT switch_name FROM vm_nics WHERE host_id = ? AND switch_name IS NOT NULL');
    this.diskPaths = db.prepare('SELECT d.path AS path, v.vm_id AS vm_id, v.name AS name FROM vm_disks d JOIN vms v USING (host_id, vm_id) WHERE d.host_id = ?');
    this.checkpoints = db.prepare('SELECT * FROM vm_checkpoints WHERE host_id = ? AND vm_id = ? ORDER BY position');
    this.macs = db.prepare("SELECT n.mac_address AS mac, v.vm_id AS vm_id, v.name AS name FROM vm_nics n JOIN vms v USING (host_id, vm_id) WHERE n.host_id = ? AND n.mac_address <> ''");
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
      checkpoints: (this.checkpoints.all(hostId, vmId) as Row[]).map((cp) => ({
        id: String(cp.checkpoint_id),
        name: String(cp.name),
        parentId: str(cp.parent_id),
        createdAt: String(cp.created_at),
        type: String(cp.checkpoint_type),
      })),
      currentCheckpointId: str(r.current_checkpoint_id),
      ...(typeof r.warnings === 'string' ? { warnings: warningList(r.warnings) } : {}),
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
      checkpoints: c.checkpoints ?? [],
      currentCheckpointId: c.currentCheckpointId ?? null,
      // Only when there are some: absent means none (and keeps older readers' shape).
      ...(c.warnings?.length ? { warnings: c.warnings } : {}),
    };
  }

  /** Virtual switches the host's VMs are connected to. */
  switchNames(hostId: string): string[] {
    return (this.switches.all(hostId) as Row[]).map((r) => String(r.switch_name));
  }

  /** Every virtual disk path on the host with the VM it belongs to. */
  diskPathsOf(hostId: string): Array<{ path: string; vmId: string; vmName: string }> {
    return (this.diskPaths.all(hostId) as Row[]).map((r) => ({ path: String(r.path), vmId: String(r.vm_id), vmName: String(r.name) }));
  }

  /** Every adapter MAC address on the host with the VM it belongs to (a VM edit must not reuse one). */
  macAddressesOf(hostId: string): Array<{ macAddress: string; vmId: string; vmName: string }> {
    return (this.macs.all(hostId) as Row[]).map((r) => ({ macAddress: String(r.mac), vmId: String(r.vm_id), vmName: String(r.name) }));
  }
}
