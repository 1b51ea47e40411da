/**
 * The lab's stand-in for Hyper-V's KVP transport to a Windows guest whose registry is played by
 * two JSON files (the Windows guest agent's test seam reads and writes them instead of
 * HKLM:\SOFTWARE\Microsoft\Virtual Machine\External and ...\Guest): host items of one VM
 * (vm.kvp.host, written by the real host script through the simulated WMI) -> external.json,
 * guest.json -> the VM's guest items (vm.kvp.guest). Each file is one JSON object name -> string.
 *
 * Pair it with the hyperV knob `externalKvpGuests` so the simulated guest stays quiet for that VM.
 * Hooks can rewrite items in flight, which is how tests play a tampering transport.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimHost } from '../host';

export const registryExternalFile = (dir: string) => join(dir, 'external.json');
export const registryGuestFile = (dir: string) => join(dir, 'guest.json');

/** The items of one registry stand-in file ({} when absent or mid-write). */
export function readRegistryItems(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, String(v ?? '')]));
  } catch {
    return {};
  }
}

/** Replaces a file atomically (write a sibling, rename over): a reader sees old or new, whole. */
export function writeRegistryItems(file: string, items: Record<string, string>): void {
  const temp = `${file}.bridge-tmp`;
  writeFileSync(temp, JSON.stringify(items), { mode: 0o600 });
  renameSync(temp, file);
}

export interface KvpRegistryBridgeOptions {
  host: SimHost;
  vmName: string;
  registryDir: string;
  intervalMs?: number;
  toGuest?: (items: Record<string, string>) => Record<string, string>;
  toHost?: (items: Record<string, string>) => Record<string, string>;
}

/** Starts moving items every `intervalMs` while the VM runs; guest items are only added or updated on the host side. */
export function startKvpRegistryBridge(options: KvpRegistryBridgeOptions): { stop(): void } {
  const { host, vmName, registryDir } = options;
  let lastExternal = '';
  const tick = () => {
    const vm = host.model.vms.find((v) => v.name.toLowerCase() === vmName.toLowerCase());
    if (!vm || vm.state !== 'Running') return;
    const kvp = (vm.kvp ??= { host: {}, guest: {} });
    const delivered = options.toGuest ? options.toGuest({ ...kvp.host }) : { ...kvp.host };
    const signature = JSON.stringify(delivered);
    if (signature !== lastExternal) {
      writeRegistryItems(registryExternalFile(registryDir), delivered);
      lastExternal = signature;
    }
    const fromGuest = readRegistryItems(registryGuestFile(registryDir));
    Object.assign(kvp.guest, options.toHost ? options.toHost(fromGuest) : fromGuest);
  };
  const timer = setInterval(tick, options.intervalMs ?? 100);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
