import type { VmEditOperation } from '../../../shared/contract/vm-operations';
import type { VmOperationParams } from '../../../shared/contract/vm-operation-params';

/** Keys of each member of a union (disk.add's new and existing forms), not just the shared ones. */
type KeysOf<T> = T extends unknown ? keyof T & string : never;
/** Every parameter name of every edit operation (the compiler asks for a label for a new one). */
type VmOperationParamName = { [K in VmEditOperation]: KeysOf<VmOperationParams[K]> }[VmEditOperation];

/** What a job page calls an edit job's parameters ("Size (GB)", not `sizeGb`). */
export const VM_OPERATION_PARAM_LABELS: Record<VmOperationParamName, string> = {
  count: 'Virtual processors',
  startupMb: 'Startup memory (MB)',
  dynamic: 'Dynamic memory',
  minimumMb: 'Minimum memory (MB)',
  maximumMb: 'Maximum memory (MB)',
  bufferPercent: 'Memory buffer (%)',
  notes: 'Notes',
  mode: 'Disk',
  sizeGb: 'Size (GB)',
  folder: 'Folder',
  path: 'Path',
  diskId: 'Disk',
  deleteFile: 'Delete the file',
  switchName: 'Virtual switch',
  vlan: 'VLAN',
  macAddress: 'MAC address',
  nicId: 'Network adapter',
  name: 'Name',
  type: 'Type',
  checkpointId: 'Checkpoint',
  subtree: 'With the checkpoints below it',
  targetHostId: 'Target node',
  migrationType: 'Migration',
};
