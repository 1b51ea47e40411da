import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { VM_EDIT_OPERATIONS, type VmEditOperation } from './vm-operations';

/**
 * The parameters of every edit operation (hardware, checkpoints, moves: vm-operations.ts), one
 * schema each. Values are flat strings, whole numbers, booleans and null, so a job record stores
 * them as they are (JobRecord.parameters). `satisfies Record<VmEditOperation, …>` makes the
 * compiler name an operation added to the table without its parameters.
 *
 * The backend validates with these (ajv), then with the host's facts (switches, paths, memory,
 * the VM's disks, adapters and checkpoints): src/main/jobs/vm-operations. Errors name the field.
 */

const Guid = Type.String({ pattern: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$', hint: 'a GUID' });
/** Hyper-V's disk and adapter ids: `Microsoft:<VM GUID>\<GUID>…` as inventory reports them. */
const DeviceId = Type.String({ minLength: 1, maxLength: 200, hint: 'the id of a disk or network adapter as the VM page shows it' });
const CheckpointName = Type.String({ minLength: 1, maxLength: 100, hint: 'a checkpoint name (1–100 characters)' });
const Vlan = Type.Union([Type.Integer({ minimum: 1, maximum: 4094 }), Type.Null()], { hint: 'a VLAN id 1–4094, or null for untagged' });

export const VM_OPERATION_PARAMS = {
  /** Set-VMProcessor -Count. Hyper-V: 1–240 (Generation 2), 1–64 (Generation 1); never more than the host's logical processors. */
  processors: Type.Object({ count: Type.Integer({ minimum: 1, maximum: 240 }) }, { additionalProperties: false }),
  /**
   * Set-VMMemory. Off: anything. Running with dynamic memory on: only minimum lowered, maximum
   * raised and buffer changed; startup and the dynamic switch need the VM Off.
   * minimumMb/maximumMb/bufferPercent only with dynamic: true. Sizes are MB, multiples of 2.
   */
  memory: Type.Object(
    {
      startupMb: Type.Integer({ minimum: 32, maximum: 12582912, multipleOf: 2 }),
      dynamic: Type.Boolean(),
      minimumMb: Type.Optional(Type.Integer({ minimum: 32, maximum: 12582912, multipleOf: 2 })),
      maximumMb: Type.Optional(Type.Integer({ minimum: 32, maximum: 12582912, multipleOf: 2 })),
      bufferPercent: Type.Optional(Type.Integer({ minimum: 5, maximum: 2000 })),
    },
    { additionalProperties: false },
  ),
  notes: Type.Object({ notes: Type.String({ maxLength: 4000 }) }, { additionalProperties: false }),
  /**
   * `new`: a new dynamic VHDX of sizeGb in `folder` (default: the host's virtual hard disk folder
   * the VM's first disk is in); `existing`: attach the VHD(X) at `path` (never one another VM uses).
   */
  'disk.add': Type.Union([
    Type.Object({ mode: Type.Literal('new'), sizeGb: Type.Integer({ minimum: 1, maximum: 65536 }), folder: Type.Optional(Type.String({ minLength: 3, maxLength: 240 })) }, { additionalProperties: false }),
    Type.Object({ mode: Type.Literal('existing'), path: Type.String({ minLength: 3, maxLength: 260, hint: 'a full path to a .vhdx or .vhd file on the host' }) }, { additionalProperties: false }),
  ]),
  /** Resize-VHD to a larger size (never smaller: the guest's partitions would be cut). */
  'disk.expand': Type.Object({ diskId: DeviceId, sizeGb: Type.Integer({ minimum: 1, maximum: 65536 }) }, { additionalProperties: false }),
  /** Detach the disk; `deleteFile` also deletes its file, never a file another VM uses. */
  'disk.remove': Type.Object({ diskId: DeviceId, deleteFile: Type.Boolean() }, { additionalProperties: false }),
  /** `macAddress` null: dynamic; 12 hex digits (separators allowed): static. */
  'nic.add': Type.Object(
    {
      switchName: Type.String({ minLength: 1, maxLength: 100, hint: 'a virtual switch the host reports' }),
      vlan: Vlan,
      macAddress: Type.Union([Type.String({ pattern: '^[0-9A-Fa-f]{2}([-:]?[0-9A-Fa-f]{2}){5}$', hint: 'a MAC address such as 00-15-5D-01-02-03' }), Type.Null()]),
    },
    { additionalProperties: false },
  ),
  /** At least one of switchName and vlan; vlan null makes the adapter untagged. */
  'nic.update': Type.Object(
    { nicId: DeviceId, switchName: Type.Optional(Type.String({ minLength: 1, maxLength: 100, hint: 'a virtual switch the host reports' })), vlan: Type.Optional(Vlan) },
    { additionalProperties: false },
  ),
  'nic.remove': Type.Object({ nicId: DeviceId }, { additionalProperties: false }),
  /** Standard: memory included when running; production: application-consistent through the guest (VSS / fsfreeze). */
  'checkpoint.create': Type.Object({ name: CheckpointName, type: Type.Union([Type.Literal('standard'), Type.Literal('production')]) }, { additionalProperties: false }),
  'checkpoint.apply': Type.Object({ checkpointId: Guid }, { additionalProperties: false }),
  'checkpoint.rename': Type.Object({ checkpointId: Guid, name: CheckpointName }, { additionalProperties: false }),
  /** `subtree`: the checkpoint and every checkpoint below it. */
  'checkpoint.delete': Type.Object({ checkpointId: Guid, subtree: Type.Boolean() }, { additionalProperties: false }),
  /** To another node of the VM's cluster: `targetHostId` is the configured host of that node. Live needs the VM Running. */
  move: Type.Object(
    { targetHostId: Type.String({ minLength: 1, hint: 'the id of a configured host in the same cluster' }), migrationType: Type.Union([Type.Literal('live'), Type.Literal('quick')]) },
    { additionalProperties: false },
  ),
} satisfies Record<VmEditOperation, TSchema>;

export type VmOperationParams = { [K in VmEditOperation]: Static<(typeof VM_OPERATION_PARAMS)[K]> };

/** `vm.operate`: one edit operation on one VM. `params` is checked against VM_OPERATION_PARAMS[operation]. */
export const VmOperateRequest = Type.Object(
  {
    hostId: Type.String({ minLength: 1 }),
    vmId: Type.String({ minLength: 1, hint: 'the VM GUID' }),
    operation: Type.Union(VM_EDIT_OPERATIONS.map((op) => Type.Literal(op))),
    params: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);
export type VmOperateRequest = { [K in VmEditOperation]: { hostId: string; vmId: string; operation: K; params: VmOperationParams[K] } }[VmEditOperation];
