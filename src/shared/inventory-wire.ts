import type { InventorySnapshot, InventorySnapshotWire, InventoryVm, VmColumn } from './contract';

/**
 * The inventory snapshot's travelling form: VMs column by column instead of 10,000 objects that
 * each repeat 26 property names, a 36-character host id and the same few states, OS names and
 * timestamps. The first paint waits on this payload three times (JSON.stringify in the backend,
 * the socket or IPC, JSON.parse or structured clone in the page), so its size is the first-paint
 * time. Deltas stay row objects: they are small.
 */

/** Every InventoryVm field but `key` (derived), in the row's own order. */
const VM_FIELDS = [
  'vmId', 'hostId', 'name', 'state', 'cpuPercent', 'memoryAssignedMb', 'memoryDemandMb', 'uptimeS', 'heartbeat', 'observedAt',
  'processorCount', 'memoryStartupMb', 'dynamicMemory', 'generation', 'operatingSystem', 'osFamily', 'createdAt', 'clustered',
  'ipAddresses', 'diskCount', 'checkpointCount', 'oldestCheckpointAt', 'notes', 'detailsHash', 'stale', 'staleSince', 'placeholder', 'pending',
] as const satisfies ReadonlyArray<keyof InventoryVm>;
type SentField = (typeof VM_FIELDS)[number];
// A field added to InventoryVm but not to VM_FIELDS fails to compile here instead of vanishing on the wire.
const everyFieldIsSent: Exclude<keyof InventoryVm, SentField | 'key'> extends never ? true : never = true;
void everyFieldIsSent;

/** Thrown when a payload does not have the columns a snapshot needs (a version mismatch). */
export class InventoryWireError extends Error {
  override name = 'InventoryWireError';
}

function isPrimitive(value: unknown): value is string | number | boolean | null {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** A dictionary when the column's distinct values are few (at most a quarter of the rows), else the values. */
function encodeColumn(values: unknown[]): VmColumn {
  if (values.length < 8) return { values };
  const limit = values.length >> 2;
  const slots = new Map<unknown, number>();
  const index = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!isPrimitive(value)) return { values };
    let slot = slots.get(value);
    if (slot === undefined) {
      if (slots.size >= limit) return { values };
      slots.set(value, (slot = slots.size));
    }
    index[i] = slot;
  }
  return { dict: [...slots.keys()], index };
}

export function encodeInventorySnapshot(snapshot: InventorySnapshot): InventorySnapshotWire {
  const { vms } = snapshot;
  const columns: Record<string, VmColumn> = {};
  for (const field of VM_FIELDS) {
    const values = new Array<unknown>(vms.length);
    for (let i = 0; i < vms.length; i++) values[i] = vms[i]![field];
    columns[field] = encodeColumn(values);
  }
  for (const vm of vms) {
    if (vm.key !== `${vm.hostId}:${vm.vmId}`) throw new InventoryWireError(`VM key "${vm.key}" is not hostId:vmId; it cannot be sent column-wise`);
  }
  return { hosts: snapshot.hosts, vms: { count: vms.length, columns } };
}

function expand(columns: Record<string, VmColumn>, field: SentField, count: number): unknown[] {
  const column = columns[field];
  if (!column) throw new InventoryWireError(`the inventory snapshot has no "${field}" column; the app and its backend may be different versions`);
  if ('values' in column) {
    if (column.values.length !== count) throw new InventoryWireError(`the inventory snapshot's "${field}" column has ${column.values.length} rows, not ${count}`);
    return column.values;
  }
  if (column.index.length !== count) throw new InventoryWireError(`the inventory snapshot's "${field}" column has ${column.index.length} rows, not ${count}`);
  const out = new Array<unknown>(count);
  for (let i = 0; i < count; i++) out[i] = column.dict[column.index[i]!];
  return out;
}

export function decodeInventorySnapshot(wire: InventorySnapshotWire): InventorySnapshot {
  const count = wire.vms.count;
  const c = {} as { [K in SentField]: Array<InventoryVm[K]> };
  for (const field of VM_FIELDS) (c as Record<SentField, unknown[]>)[field] = expand(wire.vms.columns, field, count);
  const vms = new Array<InventoryVm>(count);
  for (let i = 0; i < count; i++) {
    // One literal per row, fields in one order: every row object gets the same shape.
    vms[i] = {
      key: `${c.hostId[i]}:${c.vmId[i]}`,
      vmId: c.vmId[i]!,
      hostId: c.hostId[i]!,
      name: c.name[i]!,
      state: c.state[i]!,
      cpuPercent: c.cpuPercent[i]!,
      memoryAssignedMb: c.memoryAssignedMb[i]!,
      memoryDemandMb: c.memoryDemandMb[i]!,
      uptimeS: c.uptimeS[i]!,
      heartbeat: c.heartbeat[i]!,
      observedAt: c.observedAt[i]!,
      processorCount: c.processorCount[i]!,
      memoryStartupMb: c.memoryStartupMb[i]!,
      dynamicMemory: c.dynamicMemory[i]!,
      generation: c.generation[i]!,
      operatingSystem: c.operatingSystem[i]!,
      osFamily: c.osFamily[i]!,
      createdAt: c.createdAt[i]!,
      clustered: c.clustered[i]!,
      ipAddresses: c.ipAddresses[i]!,
      diskCount: c.diskCount[i]!,
      checkpointCount: c.checkpointCount[i]!,
      oldestCheckpointAt: c.oldestCheckpointAt[i]!,
      notes: c.notes[i]!,
      detailsHash: c.detailsHash[i]!,
      stale: c.stale[i]!,
      staleSince: c.staleSince[i]!,
      placeholder: c.placeholder[i]!,
      pending: c.pending[i]!,
    };
  }
  return { hosts: wire.hosts, vms };
}
