// The TypeScript stand-in of agent/Get-AetherOrphanDisks.ps1 (operation "host.orphanDisks"): the
// same folders, the same attached set, the same answer, over the host's model and files.
import { VirtualFileSystem } from '../files';
import type { SimHost } from '../host';
import type { SimDisk } from '../model';
import { DEFAULT_VHD_FOLDER } from './jobs/hardware';
import type { AgentOperation } from './types';

const key = (path: string) => VirtualFileSystem.normalize(path).toLowerCase();
const parentFolder = (path: string) => {
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return i <= 0 ? '' : path.slice(0, i);
};
const gib = (bytes: number) => Math.round((bytes / 1_073_741_824) * 100) / 100;

/** Every file the host's VMs use (disks, their differencing parents, checkpoints' disks) and the folders to look in. */
function attachedAndFolders(host: SimHost): { attached: Set<string>; folders: Map<string, string> } {
  const byPath = new Map<string, SimDisk>();
  const all: SimDisk[] = [];
  for (const vm of host.model.vms) {
    all.push(...vm.disks);
    for (const cp of vm.checkpoints ?? []) all.push(...(cp.config?.disks ?? []));
  }
  for (const d of all) byPath.set(key(d.path), d);
  const attached = new Set<string>();
  const folders = new Map<string, string>();
  for (const disk of all) {
    let path: string | null | undefined = disk.path;
    for (let depth = 0; path && depth < 64 && !attached.has(key(path)); depth++) {
      attached.add(key(path));
      const folder = parentFolder(path);
      if (folder) folders.set(key(folder), folder);
      path = byPath.get(key(path))?.parentPath ?? null;
    }
  }
  folders.set(key(DEFAULT_VHD_FOLDER), DEFAULT_VHD_FOLDER);
  return { attached, folders };
}

export function orphanDisksData(host: SimHost): { files: Array<{ path: string; sizeGb: number; lastWriteTime: string | null }> } {
  const { attached, folders } = attachedAndFolders(host);
  const files: Array<{ path: string; sizeGb: number; lastWriteTime: string | null }> = [];
  for (const folder of folders.values()) {
    for (const found of host.files.list(folder)) {
      // Get-ChildItem without -Recurse: the folder's own files only.
      if (key(parentFolder(found)) !== key(folder)) continue;
      const name = found.slice(found.lastIndexOf('\\') + 1);
      if (!/\.(vhdx|vhd|avhdx)$/i.test(name)) continue;
      const path = `${folder.replace(/\\+$/, '')}\\${name}`;
      if (attached.has(key(path))) continue;
      files.push({ path, sizeGb: gib(host.files.get(path)?.length ?? 0), lastWriteTime: host.files.modifiedAt(path)?.toISOString() ?? null });
    }
  }
  return { files };
}

export const orphanDiskOperations: Record<string, AgentOperation> = {
  'host.orphanDisks': ({ host, log }) => {
    const data = orphanDisksData(host);
    log(`Scanned for unattached virtual disk files: ${data.files.length}`, 'info', 'scan');
    return data;
  },
};
