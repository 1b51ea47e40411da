import type { HostView, InventorySnapshot, JobField, OsFamily } from '../../../shared/contract';

/**
 * Options for fields marked `source: host.networks | host.storage`, from what the inventory has
 * seen on the host: the virtual switches its VMs are connected to, and the folders their VMs live
 * in. Empty when the host was never inventoried: the form then offers free text.
 */
export interface HostOptions {
  known: boolean;
  networks: string[];
  storage: string[];
}

export const NO_OPTIONS: HostOptions = { known: false, networks: [], storage: [] };

/** `D:\VMs\web01\Virtual Hard Disks\web01.vhdx` → `D:\VMs` (the VM root the agent expects). */
export function vmRootOf(diskPath: string, vmName: string): string | undefined {
  const parts = diskPath.split('\\');
  parts.pop(); // file name
  if (parts.at(-1)?.toLowerCase() === 'virtual hard disks') parts.pop();
  if (parts.at(-1)?.toLowerCase() === vmName.toLowerCase()) parts.pop();
  return parts.length >= 2 || /^[A-Za-z]:$/.test(parts[0] ?? '') ? parts.join('\\') || undefined : undefined;
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort((a, b) => a.localeCompare(b));

export function hostOptionsFrom(snapshot: InventorySnapshot, hostId: string): HostOptions {
  const vms = snapshot.vms.filter((v) => v.hostId === hostId && !v.placeholder);
  const known = snapshot.hosts.some((h) => h.hostId === hostId && h.sync.lastSuccessAt !== null);
  const networks = sorted(vms.flatMap((v) => v.nics.map((n) => n.switchName).filter((s): s is string => !!s)));
  const storage = sorted(vms.flatMap((v) => v.disks.map((d) => vmRootOf(d.path, v.name)).filter((s): s is string => !!s)));
  return { known, networks, storage };
}

export function optionsFor(field: JobField, options: HostOptions): string[] {
  if (field.type !== 'string' || !field.source) return [];
  return field.source === 'host.networks' ? options.networks : options.storage;
}

export function appliesTo(field: JobField, family: OsFamily): boolean {
  return !field.appliesTo || field.appliesTo.includes(family);
}

/** Why the form cannot be used for this host right now, or undefined when it can. */
export function unavailableReason(host: Pick<HostView, 'displayName' | 'status'> | undefined): string | undefined {
  if (host?.status === 'preparing') return `The agent is being deployed to ${host.displayName}; the form is available once the host is ready.`;
  return undefined;
}
