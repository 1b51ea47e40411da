import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { InventoryHost, InventoryVm } from '../../shared/contract';
import { loadInventory } from './load';
import { VmTags } from '../tags/vm-tags';
import { SCHEMA_VERSION, schemaVersion } from './migrations';
import { hostView, placeholderView, vmKey, vmView } from './vm-views';

/** Why a store could not be read for `aether-v export`; the message names the file and what to do. */
export class StoreNotReadable extends Error {
  override name = 'StoreNotReadable';
}

/**
 * The inventory as the backend serves it (hosts and VM rows, pending operations and "Creating"
 * placeholders folded in), read from `inventory.db` without writing anything: no migration, no
 * pruning, no recovery. Safe while the app runs (WAL: readers never block its writer).
 */
export function readInventorySnapshot(file: string, now: Date = new Date()): { hosts: InventoryHost[]; vms: InventoryVm[] } {
  if (!existsSync(file)) throw new StoreNotReadable(`no inventory store at ${file}`);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { readOnly: true });
  } catch (error) {
    throw new StoreNotReadable(`cannot open ${file} for reading: ${(error as Error).message}`);
  }
  try {
    const version = schemaVersion(db);
    if (version > SCHEMA_VERSION) throw new StoreNotReadable(`${file} was written by a newer Aether-V (store schema ${version}, this one reads up to ${SCHEMA_VERSION}); update this copy`);
    if (version < SCHEMA_VERSION) throw new StoreNotReadable(`${file} has store schema ${version}; start the app once to upgrade it to ${SCHEMA_VERSION}, then export again`);
    const loaded = loadInventory(db);
    // Tags are part of the row (`tag:` queries, the Tags column): read them as the live store does.
    const tags = new VmTags(db);
    const pending = new Map(loaded.pending.map((op) => [vmKey(op.hostId, op.vmId), op]));
    const vms: InventoryVm[] = [];
    for (const [key, record] of loaded.vms) {
      const op = pending.get(key);
      const pendingView = op
        ? { action: op.action, desiredState: op.desiredState, requestedAt: op.requestedAt, deadline: op.deadline, unconfirmed: Date.parse(op.deadline) < now.getTime(), ...(op.jobId ? { jobId: op.jobId } : {}) }
        : null;
      vms.push(vmView(record, loaded.hosts.get(record.hostId), pendingView, tags.of(record.vmId)));
    }
    for (const p of loaded.placeholders) vms.push(placeholderView(p));
    return { hosts: [...loaded.hosts.values()].map(hostView), vms };
  } catch (error) {
    if (error instanceof StoreNotReadable) throw error;
    throw new StoreNotReadable(`cannot read ${file}: ${(error as Error).message}`);
  } finally {
    db.close();
  }
}
