/**
 * The lab's stand-in for Hyper-V's KVP transport to a Linux guest: it moves items between the
 * simulated Msvm_KvpExchange* classes of one VM (vm.kvp.host / vm.kvp.guest, what the real host
 * script reads and writes through the simulated WMI) and the KVP pool files a real Linux guest
 * agent uses, as hv_kvp_daemon would: host items -> pool 0 (external), pool 1 (guest) -> guest
 * items. Records are 512 bytes of key + 2048 bytes of value, NUL-padded.
 *
 * Pair it with the hyperV knob `externalKvpGuests` so the simulated guest stays quiet for that VM.
 * Hooks can rewrite items in flight, which is how tests play a tampering or confused transport.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimHost } from '../host';

export const KVP_KEY_BYTES = 512;
export const KVP_VALUE_BYTES = 2048;
export const KVP_RECORD_BYTES = KVP_KEY_BYTES + KVP_VALUE_BYTES;

export interface KvpRecord {
  key: string;
  value: string;
}

/** One pool record, NUL-padded; throws if the key or value does not fit (as the daemon refuses). */
export function encodeKvpRecord(key: string, value: string): Buffer {
  const record = Buffer.alloc(KVP_RECORD_BYTES);
  const k = Buffer.from(key, 'utf8');
  const v = Buffer.from(value, 'utf8');
  if (k.length === 0 || k.length >= KVP_KEY_BYTES || v.length >= KVP_VALUE_BYTES) throw new RangeError(`KVP record ${key.slice(0, 40)} does not fit`);
  k.copy(record, 0);
  v.copy(record, KVP_KEY_BYTES);
  return record;
}

const text = (field: Buffer) => {
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
};

/** Every whole record of a pool file (a trailing partial record is a writer mid-way: skipped). */
export function readKvpPool(file: string): KvpRecord[] {
  if (!existsSync(file)) return [];
  const raw = readFileSync(file);
  const out: KvpRecord[] = [];
  for (let at = 0; at + KVP_RECORD_BYTES <= raw.length; at += KVP_RECORD_BYTES) {
    const key = text(raw.subarray(at, at + KVP_KEY_BYTES));
    if (key) out.push({ key, value: text(raw.subarray(at + KVP_KEY_BYTES, at + KVP_RECORD_BYTES)) });
  }
  return out;
}

/** Replaces a pool file atomically (write a sibling, rename over): a reader sees old or new, whole. */
export function writeKvpPool(file: string, records: KvpRecord[] | Buffer): void {
  const body = Buffer.isBuffer(records) ? records : Buffer.concat(records.map((r) => encodeKvpRecord(r.key, r.value)));
  const temp = `${file}.bridge-tmp`;
  writeFileSync(temp, body, { mode: 0o600 });
  renameSync(temp, file);
}

export const kvpPoolFile = (dir: string, pool: number) => join(dir, `.kvp_pool_${pool}`);

export interface KvpPoolBridgeOptions {
  host: SimHost;
  vmName: string;
  poolDir: string;
  intervalMs?: number;
  /** Rewrites the host items on their way to pool 0 (return the items to deliver). */
  toGuest?: (items: Record<string, string>) => Record<string, string>;
  /** Rewrites the guest items on their way from pool 1 to the host. */
  toHost?: (items: Record<string, string>) => Record<string, string>;
}

export interface KvpPoolBridge {
  stop(): void;
}

/**
 * Starts moving items every `intervalMs` while the VM runs. Records already in pool 0 when the
 * bridge starts (other programs' items) are kept ahead of the host's. Guest items are only ever
 * added or updated on the host side, never removed, like the daemon's enumerate of pool 1.
 */
export function startKvpPoolBridge(options: KvpPoolBridgeOptions): KvpPoolBridge {
  const { host, vmName, poolDir } = options;
  const externalFile = kvpPoolFile(poolDir, 0);
  const guestFile = kvpPoolFile(poolDir, 1);
  const foreign = readKvpPool(externalFile);
  let lastExternal = '';
  const tick = () => {
    const vm = host.model.vms.find((v) => v.name.toLowerCase() === vmName.toLowerCase());
    if (!vm || vm.state !== 'Running') return;
    const kvp = (vm.kvp ??= { host: {}, guest: {} });
    const delivered = options.toGuest ? options.toGuest({ ...kvp.host }) : kvp.host;
    const hostKeys = new Set(Object.keys(delivered));
    const records = [...foreign.filter((r) => !hostKeys.has(r.key)), ...Object.entries(delivered).map(([key, value]) => ({ key, value }))];
    const signature = JSON.stringify(records);
    if (signature !== lastExternal) {
      writeKvpPool(externalFile, records);
      lastExternal = signature;
    }
    const fromGuest = Object.fromEntries(readKvpPool(guestFile).map((r) => [r.key, r.value]));
    Object.assign(kvp.guest, options.toHost ? options.toHost(fromGuest) : fromGuest);
  };
  const timer = setInterval(tick, options.intervalMs ?? 100);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
