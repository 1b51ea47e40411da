import { existsSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { InventorySnapshot } from '../../shared/contract';
import { encodeInventorySnapshot } from '../../shared/inventory-wire';
import { firstScreenOf, type FirstScreen } from '../../shared/first-screen';

/**
 * The inventory snapshot kept for the next start: written when the backend closes (after the
 * inventory database is closed), read before the next backend opens anything, so the page's first
 * snapshot request is answered while the services start (see early-inventory.ts).
 *
 * It is only ever the current store's content: the file records the identity of inventory.db and
 * its WAL (inode, size, modification time in ns) right after they were closed, and a start whose
 * database files differ in any of those — another process or session wrote it, it was replaced,
 * a crash left a WAL, a different data directory — gets nothing from it. It is removed once read,
 * so a session that crashes leaves none behind.
 *
 * Format: one JSON header line, then the payload exactly as it goes on the wire.
 */
export const START_SNAPSHOT_FILE = 'inventory-start.json';
const FORMAT = 1;

type FileStamp = { ino: string; size: string; mtimeNs: string } | null;

interface Header {
  format: number;
  appVersion: string;
  savedAt: string;
  db: FileStamp;
  wal: FileStamp;
  /** The first screen's figures and rows (src/shared/first-screen.ts), computed when saved: the page gets them with its HTML. */
  firstScreen?: FirstScreen;
}

export interface StartSnapshot {
  /** The encoded payload (InventorySnapshotWire as JSON text), exactly as the backend would send it. */
  json: string;
  /** When the previous session closed: the age shown beside rows painted from it. */
  savedAt: string;
  /** The first screen of this snapshot (its cachedAt is savedAt), when the file has one. */
  firstScreen?: FirstScreen;
}

function stamp(file: string): FileStamp {
  try {
    const s = statSync(file, { bigint: true });
    return { ino: String(s.ino), size: String(s.size), mtimeNs: String(s.mtimeNs) };
  } catch {
    return null;
  }
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a === null || b === null ? a === b : a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

/**
 * How the next start's store will present this snapshot: a host that was fresh becomes stale
 * since its last success, and so do its VMs (InventoryStore's staleUntilConfirmed does the same
 * when it opens). When the two still differ, the backend's own snapshot replaces this one.
 */
export function asCachedAtStart(snapshot: InventorySnapshot): InventorySnapshot {
  const staleSince = new Map<string, string | null>();
  const hosts = snapshot.hosts.map((host) => {
    if (host.sync.state !== 'fresh') return host;
    staleSince.set(host.hostId, host.sync.lastSuccessAt ?? null);
    return { ...host, sync: { ...host.sync, state: 'stale' as const } };
  });
  const vms = snapshot.vms.map((vm) => (!vm.placeholder && staleSince.has(vm.hostId) ? { ...vm, stale: true, staleSince: vm.staleSince ?? staleSince.get(vm.hostId)! } : vm));
  return { hosts, vms };
}

/** Writes the snapshot for the next start; call after inventory.db is closed. Never throws (a start without it is only slower). */
export function writeStartSnapshot(dataDir: string, snapshot: InventorySnapshot, appVersion: string, now = new Date()): boolean {
  const file = path.join(dataDir, START_SNAPSHOT_FILE);
  try {
    const db = path.join(dataDir, 'inventory.db');
    const wire = encodeInventorySnapshot(asCachedAtStart(snapshot));
    const savedAt = now.toISOString();
    const firstScreen = firstScreenOf(wire);
    const header: Header = { format: FORMAT, appVersion, savedAt, db: stamp(db), wal: stamp(db + '-wal'), ...(firstScreen ? { firstScreen: { ...firstScreen, cachedAt: savedAt } } : {}) };
    if (!header.db) return false;
    const body = JSON.stringify(wire);
    // Written aside and renamed: a reader never sees half a file.
    writeFileSync(file + '.tmp', JSON.stringify(header) + '\n' + body, { mode: 0o600 });
    renameSync(file + '.tmp', file);
    return true;
  } catch {
    removeStartSnapshot(dataDir);
    return false;
  }
}

/** Reads and removes the snapshot the last session left; undefined when there is none or it is not the current store's. */
export function takeStartSnapshot(dataDir: string, appVersion: string): StartSnapshot | undefined {
  const file = path.join(dataDir, START_SNAPSHOT_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  removeStartSnapshot(dataDir);
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  let header: Header;
  try {
    header = JSON.parse(text.slice(0, newline)) as Header;
  } catch {
    return undefined;
  }
  const db = path.join(dataDir, 'inventory.db');
  if (header.format !== FORMAT || header.appVersion !== appVersion) return undefined;
  if (!sameStamp(header.db, stamp(db)) || !sameStamp(header.wal, stamp(db + '-wal'))) return undefined;
  const json = text.slice(newline + 1);
  if (!json.startsWith('{"hosts":')) return undefined;
  return { json, savedAt: header.savedAt, ...(header.firstScreen ? { firstScreen: header.firstScreen } : {}) };
}

function removeStartSnapshot(dataDir: string): void {
  const file = path.join(dataDir, START_SNAPSHOT_FILE);
  try {
    if (existsSync(file)) unlinkSync(file);
  } catch {
    // Unreadable or not removable: the stamp check still refuses it if the store changes.
  }
}
