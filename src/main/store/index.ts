// Store: the SQLite file (node:sqlite, WAL, numbered migrations) that is the app's read path for
// clusters, hosts and VMs; one writer, integrity-checked at open, moved aside and rebuilt if damaged.
export { InventoryStore, type QuickApplyResult } from './inventory-store';
export { openInventoryDatabase, StoreUnavailable, type OpenedDatabase } from './database';
export { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion } from './migrations';
export { isEmptyDelta } from './delta';
export { bootEvidence } from './pending-confirmation';
export { defaultSync, osFamily, vmKey, type HostRecord, type VmRecord } from './vm-views';
export type * from './types';
export { readInventorySnapshot, StoreNotReadable } from './read-only'; // views: aether-v export
