import type { HostOptions } from '../../shared/contract';
import type { InventoryStore } from '../store';

/** `D:\VMs\web01\Virtual Hard Disks\web01.vhdx` → `D:\VMs` (the VM root the agent expects). */
export function vmRootOf(diskPath: string, vmName: string): string | undefined {
  const parts = diskPath.split('\\');
  parts.pop(); // file name
  if (parts.at(-1)?.toLowerCase() === 'virtual hard disks') parts.pop();
  if (parts.at(-1)?.toLowerCase() === vmName.toLowerCase()) parts.pop();
  return parts.length >= 2 || /^[A-Za-z]:$/.test(parts[0] ?? '') ? parts.join('\\') || undefined : undefined;
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort((a, b) => a.localeCompare(b));

/**
 * Options for create-VM fields marked `source: host.networks | host.storage`, from what the
 * inventory has seen on the host: the virtual switches its VMs are connected to, and the folders
 * their VMs live in. `known` is false when the host was never inventoried: the form then offers
 * free text.
 */
export function hostOptions(store: InventoryStore, hostId: string): HostOptions {
  const layout = store.hostLayout(hostId);
  const storage = layout.diskPaths.map((d) => vmRootOf(d.path, d.vmName)).filter((s): s is string => Boolean(s));
  return { known: layout.inventoried, networks: sorted(layout.switchNames), storage: sorted(storage) };
}
