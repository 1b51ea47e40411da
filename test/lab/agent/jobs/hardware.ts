/**
 * The stand-in's hardware edits (docs/agent.md "vm.update", "disk.*", "nic.*"), with Hyper-V's
 * rules: processors, startup memory and the dynamic-memory switch need the VM Off, a running VM's
 * dynamic memory may only widen; a Generation 1 VM's disks (IDE) and adapters need it Off;
 * a disk another VM uses is never attached twice nor deleted; a disk under checkpoints is never
 * resized or deleted. The same refusals, codes and data as the real scripts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SimHost } from '../../host';
import type { SimDisk, SimNic, SimVm } from '../../model/types';
import { labHostsOf } from '../lab-hosts';
import { AgentOperationError, type AgentOperation, type AgentOperationContext } from '../types';
import { labVhdFileContent, parseLabVhd } from '../vhd-file';
import {
  editPause,
  fieldsOf,
  findVmById,
  has,
  hangIfAsked,
  invalid,
  optionalBool,
  optionalInt,
  requiredString,
  requireOffForGeneration1,
  requireOperationState,
  sameHostPath,
  stateError,
  vmData,
} from './vm-edit';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
/** Get-VMHost's VirtualHardDiskPath on a host nobody changed. */
export const DEFAULT_VHD_FOLDER = 'C:\\ProgramData\\Microsoft\\Windows\\Virtual Hard Disks';

// ---- vm.update ---------------------------------------------------------------------------------

const MEMORY_FIELDS = ['memoryStartupMb', 'dynamicMemory', 'memoryMinimumMb', 'memoryMaximumMb', 'memoryBufferPercent'] as const;

function memoryMb(f: Record<string, unknown>, name: string): number | undefined {
  const v = optionalInt(f, name, 32, 12_582_912);
  if (v !== undefined && v % 2 !== 0) throw invalid(`Field '${name}' must be a multiple of 2 MB.`);
  return v;
}

const vmUpdate: AgentOperation = async (ctx) => {
  const f = fieldsOf(ctx);
  const vm = findVmById(ctx);
  const limit = Math.min(vm.generation === 1 ? 64 : 240, ctx.host.model.logicalProcessors);
  const processorCount = optionalInt(f, 'processorCount', 1, 240);
  if (processorCount !== undefined && processorCount > limit) throw invalid(`Field 'processorCount': ${ctx.host.computerName} allows 1 to ${limit} virtual processors for this VM.`);
  const startup = memoryMb(f, 'memoryStartupMb');
  const dynamic = optionalBool(f, 'dynamicMemory');
  const minimum = memoryMb(f, 'memoryMinimumMb');
  const maximum = memoryMb(f, 'memoryMaximumMb');
  const buffer = optionalInt(f, 'memoryBufferPercent', 5, 2000);
  const notes = has(f, 'notes') && f.notes !== null ? f.notes : undefined;
  if (notes !== undefined && (typeof notes !== 'string' || notes.length > 4000)) throw invalid("Field 'notes' must be text of at most 4000 characters.");
  if ([processorCount, startup, dynamic, minimum, maximum, buffer, notes].every((v) => v === undefined)) {
    throw invalid(`Nothing to change: give at least one of processorCount, ${MEMORY_FIELDS.join(', ')}, notes.`);
  }
  // Only what differs from the VM counts: the app sends a whole memory form.
  const changes = {
    processorCount: processorCount !== undefined && processorCount !== vm.processorCount,
    memoryStartupMb: startup !== undefined && startup !== vm.memoryStartupMiB,
    dynamicMemory: dynamic !== undefined && dynamic !== vm.dynamicMemoryEnabled,
    memoryMinimumMb: minimum !== undefined && minimum !== vm.memoryMinimumMiB,
    memoryMaximumMb: maximum !== undefined && maximum !== vm.memoryMaximumMiB,
    memoryBufferPercent: buffer !== undefined && buffer !== (vm.memoryBufferPercent ?? 20),
    notes: notes !== undefined && (notes === '' ? null : notes) !== vm.notes,
  };
  if (changes.processorCount) requireOperationState(vm, 'processors');
  const memoryChanged = MEMORY_FIELDS.some((name) => changes[name]);
  if (memoryChanged) {
    requireOperationState(vm, 'memory');
    if (vm.state !== 'Off') {
      if (changes.memoryStartupMb || changes.dynamicMemory) throw stateError(vm, `startup memory and the dynamic memory switch can only change while the VM is Off (it is ${vm.state})`);
      if (!vm.dynamicMemoryEnabled) throw stateError(vm, `the memory of a VM without dynamic memory can only change while it is Off (it is ${vm.state})`);
      if (changes.memoryMinimumMb && minimum! > vm.memoryMinimumMiB) throw stateError(vm, `while the VM is Running its minimum memory can only be lowered (now ${vm.memoryMinimumMiB} MB)`);
      if (changes.memoryMaximumMb && maximum! < vm.memoryMaximumMiB) throw stateError(vm, `while the VM is Running its maximum memory can only be raised (now ${vm.memoryMaximumMiB} MB)`);
    }
    const willBeDynamic = dynamic ?? vm.dynamicMemoryEnabled;
    const s = startup ?? vm.memoryStartupMiB;
    const lo = minimum ?? vm.memoryMinimumMiB;
    const hi = maximum ?? vm.memoryMaximumMiB;
    if (willBeDynamic && (lo > s || s > hi)) throw invalid(`Fields 'memoryMinimumMb', 'memoryStartupMb', 'memoryMaximumMb': dynamic memory needs minimum ≤ startup ≤ maximum (${lo} ≤ ${s} ≤ ${hi} MB).`);
    if (!willBeDynamic && (changes.memoryMinimumMb || changes.memoryMaximumMb || changes.memoryBufferPercent)) {
      throw invalid("Fields 'memoryMinimumMb', 'memoryMaximumMb' and 'memoryBufferPercent' apply only with dynamic memory on.");
    }
  }
  if (changes.notes) requireOperationState(vm, 'notes');
  await hangIfAsked(ctx);
  const changed = (Object.keys(changes) as Array<keyof typeof changes>).filter((k) => changes[k]);
  if (changed.length === 0) {
    ctx.log(`VM '${vm.name}' already has these settings; nothing changed`, 'info', 'update');
    return vmData(vm, { changed: [] });
  }
  if (changes.processorCount) {
    ctx.log(`Set-VMProcessor: ${vm.processorCount} → ${processorCount} virtual processors`, 'info', 'processors');
    vm.processorCount = processorCount!;
  }
  if (memoryChanged) {
    ctx.log(`Set-VMMemory: ${changed.filter((c) => c.startsWith('memory') || c === 'dynamicMemory').join(', ')}`, 'info', 'memory');
    if (dynamic !== undefined) vm.dynamicMemoryEnabled = dynamic;
    if (startup !== undefined) vm.memoryStartupMiB = startup;
    if (minimum !== undefined) vm.memoryMinimumMiB = minimum;
    if (maximum !== undefined) vm.memoryMaximumMiB = maximum;
    if (buffer !== undefined) vm.memoryBufferPercent = buffer;
  }
  if (changes.notes) {
    ctx.log('Set-VM -Notes', 'info', 'notes');
    vm.notes = notes === '' ? null : (notes as string);
  }
  await editPause(ctx);
  return vmData(vm, { changed });
};

// ---- disks ---------------------------------------------------------------------------------------

/** Every VM of the lab (all hosts: cluster storage is shared) that has `path` attached, but `except`. */
function vmsUsingPath(host: SimHost, path: string, except?: SimVm): Array<{ host: SimHost; vm: SimVm }> {
  const users: Array<{ host: SimHost; vm: SimVm }> = [];
  for (const h of labHostsOf(host)) for (const vm of h.model.vms) if (vm !== except && vm.disks.some((d) => sameHostPath(d.path, path))) users.push({ host: h, vm });
  return users;
}

function inUse(path: string, users: Array<{ host: SimHost; vm: SimVm }>): AgentOperationError {
  const names = users.map((u) => `'${u.vm.name}' on ${u.host.computerName}`).join(', ');
  return new AgentOperationError('DISK_IN_USE', `The disk ${path} is attached to VM ${names}; a disk is never attached to or deleted from under another VM.`, { path, usedBy: users.map((u) => u.vm.id) });
}

function findDisk(vm: SimVm, diskId: string): SimDisk {
  const disk = vm.disks.find((d) => d.id.toLowerCase() === diskId.toLowerCase());
  if (!disk) throw invalid(`Field 'diskId': VM '${vm.name}' has no disk ${diskId}.`);
  return disk;
}

function hasCheckpoints(vm: SimVm): boolean {
  return (vm.checkpoints?.length ?? 0) > 0;
}

function checkpointsRefuse(vm: SimVm, path: string, what: string): AgentOperationError {
  return new AgentOperationError(
    'DISK_HAS_CHECKPOINTS',
    `Cannot ${what} ${path}: VM '${vm.name}' has ${vm.checkpoints?.length ?? 0} checkpoint(s), so the disk is the base of a differencing (.avhdx) chain. Delete the checkpoints first.`,
    { vmId: vm.id, path },
  );
}

/** Controller and location of a disk id `Microsoft:<VM>\<GUID>\<controller>\<location>\D`. */
function slotOf(id: string): string {
  const parts = id.split('\\');
  return `${parts[2]}:${parts[3]}`;
}

/** A free slot: IDE 0:0, 0:1, 1:1 on Generation 1 (1:0 is the DVD drive), SCSI 0:n on Generation 2. */
function freeSlot(vm: SimVm): [number, number] {
  const used = new Set([...vm.disks.map((d) => slotOf(d.id)), ...(vm.dvdDrives ?? []).map((d) => `${d.controllerNumber}:${d.controllerLocation}`)]);
  if (vm.generation === 1) {
    const slot = ['0:0', '0:1', '1:1', '1:0'].find((s) => !used.has(s));
    if (!slot) throw new AgentOperationError('HYPERV_ERROR', `'${vm.name}' failed to add device 'Virtual Hard Disk'. No free IDE location (4 of 4 used).`, { vmId: vm.id });
    return slot.split(':').map(Number) as [number, number];
  }
  for (let location = 0; location < 64; location++) if (!used.has(`0:${location}`)) return [0, location];
  throw new AgentOperationError('HYPERV_ERROR', `'${vm.name}' failed to add device 'Virtual Hard Disk'. SCSI controller 0 is full (64 of 64).`, { vmId: vm.id });
}

function folderOf(path: string): string {
  return path.replace(/\\[^\\]*$/, '');
}

function checkWindowsPath(name: string, path: string, extensions: RegExp): void {
  if (!/^([A-Za-z]:\\|\\\\[^\\]+\\[^\\]+)/.test(path) || path.split('\\').includes('..')) throw invalid(`Field '${name}' must be a full Windows path (C:\\… or \\\\server\\share\\…) without '..'.`);
  if (!extensions.test(path)) throw invalid(`Field '${name}' must name a ${extensions === VHD_EXT ? '.vhdx or .vhd file' : 'folder'}.`);
}
const VHD_EXT = /\.vhdx?$/i;
const ANY = /./;

const diskAdd: AgentOperation = async (ctx) => {
  const f = fieldsOf(ctx);
  const vm = findVmById(ctx);
  const mode = f.mode;
  if (mode !== 'new' && mode !== 'existing') throw invalid("Field 'mode' must be 'new' (a new disk) or 'existing' (attach a disk file).");
  let path: string;
  let sizeBytes: number;
  if (mode === 'new') {
    const sizeGb = optionalInt(f, 'sizeGb', 1, 65536);
    if (sizeGb === undefined) throw invalid("Field 'sizeGb' is required for a new disk (1–65536).");
    const folderField = typeof f.folder === 'string' && f.folder.trim() ? f.folder.trim().replace(/\\+$/, '') : undefined;
    if (folderField) checkWindowsPath('folder', folderField, ANY);
    const folder = folderField ?? (vm.disks[0] ? folderOf(vm.disks[0].path) : DEFAULT_VHD_FOLDER);
    let n = vm.disks.length + 1;
    do path = `${folder}\\${vm.name}-disk${n++}.vhdx`;
    while (ctx.host.files.exists(path) || vmsUsingPath(ctx.host, path).length > 0);
    sizeBytes = sizeGb * GIB;
  } else {
    path = requiredString(f, 'path', 'the full path of the .vhdx or .vhd file to attach').trim();
    checkWindowsPath('path', path, VHD_EXT);
    const users = vmsUsingPath(ctx.host, path, vm);
    if (users.length) throw inUse(path, users);
    if (vm.disks.some((d) => sameHostPath(d.path, path))) throw invalid(`Field 'path': ${path} is already attached to VM '${vm.name}'.`);
    if (!ctx.host.files.exists(path)) throw invalid(`Field 'path': there is no file ${path} on ${ctx.host.computerName}.`);
    if (vm.generation === 2 && /\.vhd$/i.test(path)) throw invalid("Field 'path': a Generation 2 VM cannot use the VHD format; convert it to VHDX.");
    sizeBytes = parseLabVhd(ctx.host.files.get(path))?.sizeBytes ?? 60 * GIB;
  }
  requireOperationState(vm, 'disk.add');
  requireOffForGeneration1(vm, 'add a disk');
  await hangIfAsked(ctx);
  const [controller, location] = freeSlot(vm);
  if (mode === 'new') {
    ctx.log(`New-VHD: ${path} (${sizeBytes / GIB} GiB, dynamic)`, 'info', 'new-disk');
    ctx.host.files.put(path, labVhdFileContent({ format: 'VHDX', type: 'Dynamic', sizeBytes, fileSizeBytes: 4 * MIB }));
    await editPause(ctx);
  }
  ctx.log(`Add-VMHardDiskDrive: ${path} on ${vm.generation === 1 ? 'IDE' : 'SCSI'} ${controller}:${location}`, 'info', 'attach');
  const stub = parseLabVhd(ctx.host.files.get(path));
  const disk: SimDisk = {
    id: `Microsoft:${vm.id.toUpperCase()}\\${randomUUID().toUpperCase()}\\${controller}\\${location}\\D`,
    name: path.split('\\').pop()!,
    path,
    diskType: stub?.type ?? 'Dynamic',
    capacityBytes: sizeBytes,
    fileSizeBytes: stub?.fileSizeBytes ?? 4 * MIB,
  };
  vm.disks.push(disk);
  await editPause(ctx);
  return vmData(vm, { diskId: disk.id, path, sizeGb: Math.round(sizeBytes / GIB), created: mode === 'new' });
};

const diskExpand: AgentOperation = async (ctx) => {
  const f = fieldsOf(ctx);
  const vm = findVmById(ctx);
  const disk = findDisk(vm, requiredString(f, 'diskId', "the disk's id"));
  const sizeGb = optionalInt(f, 'sizeGb', 1, 65536);
  if (sizeGb === undefined) throw invalid("Field 'sizeGb' is required (the new size in GB, 1–65536).");
  const current = disk.capacityBytes / GIB;
  if (sizeGb * GIB <= disk.capacityBytes) throw invalid(`Field 'sizeGb' must be larger than the disk's current size (${Math.round(current * 100) / 100} GB): a disk is never shrunk.`);
  requireOperationState(vm, 'disk.expand');
  if (vm.state !== 'Off') {
    if (vm.generation === 1) throw stateError(vm, `a Generation 1 VM's disks are on IDE and can only be expanded while it is Off (it is ${vm.state})`);
    if (/\.vhd$/i.test(disk.path)) throw stateError(vm, `a .vhd disk can only be expanded while the VM is Off (it is ${vm.state}); VHDX grows while Running`);
  }
  if (hasCheckpoints(vm)) throw checkpointsRefuse(vm, disk.path, 'expand');
  await hangIfAsked(ctx);
  ctx.log(`Resize-VHD: ${disk.path} ${Math.round(current * 100) / 100} → ${sizeGb} GiB`, 'info', 'resize');
  await editPause(ctx);
  disk.capacityBytes = sizeGb * GIB;
  if (disk.diskType === 'Fixed') disk.fileSizeBytes = disk.capacityBytes + 4 * MIB;
  const stub = parseLabVhd(ctx.host.files.get(disk.path));
  if (stub) ctx.host.files.put(disk.path, labVhdFileContent({ ...stub, sizeBytes: disk.capacityBytes, fileSizeBytes: disk.fileSizeBytes }));
  return vmData(vm, { diskId: disk.id, path: disk.path, sizeGb });
};

const diskRemove: AgentOperation = async (ctx) => {
  const f = fieldsOf(ctx);
  const vm = findVmById(ctx);
  const disk = findDisk(vm, requiredString(f, 'diskId', "the disk's id"));
  const deleteFile = optionalBool(f, 'deleteFile');
  if (deleteFile === undefined) throw invalid("Field 'deleteFile' is required (true deletes the disk's file, false keeps it).");
  requireOperationState(vm, 'disk.remove');
  requireOffForGeneration1(vm, 'remove a disk');
  if (deleteFile) {
    const users = vmsUsingPath(ctx.host, disk.path, vm);
    if (users.length || disk.supportPersistentReservations || /shared/i.test(disk.name)) throw inUse(disk.path, users);
    if (hasCheckpoints(vm)) throw checkpointsRefuse(vm, disk.path, 'delete');
  }
  await hangIfAsked(ctx);
  ctx.log(`Remove-VMHardDiskDrive: ${disk.path}`, 'info', 'detach');
  await editPause(ctx);
  vm.disks = vm.disks.filter((d) => d !== disk);
  let fileDeleted = false;
  if (deleteFile) {
    ctx.log(`Deleting ${disk.path}`, 'info', 'delete-file');
    ctx.host.files.delete(disk.path);
    fileDeleted = true;
  } else if (!ctx.host.files.exists(disk.path)) {
    // The model's disks have no file until detached: the kept file is now there to attach again.
    ctx.host.files.put(disk.path, labVhdFileContent({ format: /\.vhd$/i.test(disk.path) ? 'VHD' : 'VHDX', type: disk.diskType === 'Differencing' ? 'Differencing' : disk.diskType, sizeBytes: disk.capacityBytes, fileSizeBytes: disk.fileSizeBytes, parentPath: disk.parentPath ?? null }));
  }
  return vmData(vm, { diskId: disk.id, path: disk.path, fileDeleted });
};

// ---- network adapters --------------------------------------------------------------------------

function switchNamed(ctx: AgentOperationContext, name: string): string {
  const match = ctx.host.model.virtualSwitches.find((s) => s.toLowerCase() === name.toLowerCase());
  if (!match) {
    throw new AgentOperationError('SWITCH_NOT_FOUND', `There is no virtual switch '${name}' on ${ctx.host.computerName}; its switches are ${ctx.host.model.virtualSwitches.join(', ') || 'none'}.`, { switchName: name });
  }
  return match;
}

function vlanField(f: Record<string, unknown>): number | null | undefined {
  if (!has(f, 'vlan')) return undefined;
  if (f.vlan === null) return null;
  return optionalInt(f, 'vlan', 1, 4094);
}

function findNic(vm: SimVm, nicId: string): SimNic {
  const nic = vm.nics.find((n) => n.id.toLowerCase() === nicId.toLowerCase());
  if (!nic) throw invalid(`Field 'nicId': VM '${vm.name}' has no network adapter ${nicId}.`);
  return nic;
}

const nicAdd: AgentOperation = async (ctx) => {
  const f = fieldsOf(ctx);
  const vm = findVmById(ctx);
  const switchName = switchNamed(ctx, requiredString(f, 'switchName', 'the virtual switch to connect the adapter to'));
  const vlan = vlanField(f) ?? null;
  let mac: string | null = null;
  if (f.macAddress !== undefined && f.macAddress !== null) {
    if (typeof f.macAddress !== 'string' || !/^[0-9A-Fa-f]{12}$/.test(f.macAddress)) throw invalid("Field 'macAddress' must be 12 hexadecimal digits without separators (e.g. 00155D010203), or null for a dynamic address.");
    mac = f.macAddress.toUpperCase();
    if (/^0{12}$/.test(mac) || parseInt(mac.slice(0, 2), 16) % 2 === 1) throw invalid(`Field 'macAddress': ${mac} is not a unicast address.`);
    const owner = ctx.host.model.vms.find((v) => v.nics.some((n) => n.macAddress === mac));
    if (owner) throw new AgentOperationError('MAC_IN_USE', `The MAC address ${mac} is already used by VM '${owner.name}' on ${ctx.host.computerName}.`, { macAddress: mac, usedBy: owner.id });
  }
  requireOperationState(vm, 'nic.add');
  requireOffForGeneration1(vm, 'add a network adapter');
  await hangIfAsked(ctx);
  ctx.log(`Add-VMNetworkAdapter: switch '${switchName}'${mac ? `, static MAC ${mac}` : ', dynamic MAC'}`, 'info', 'add');
  const nic: SimNic = {
    id: `Microsoft:${vm.id.toUpperCase()}\\${randomUUID().toUpperCase()}`,
    name: 'Network Adapter',
    switchName,
    vlan,
    // The stand-in hands out a dynamic address at once (Hyper-V does at the next start).
    macAddress: mac ?? `00155D${randomBytes(3).toString('hex').toUpperCase()}`,
    ipAddresses: [],
  };
  if (vlan !== null) ctx.log(`Set-VMNetworkAdapterVlan: access VLAN ${vlan}`, 'info', 'vlan');
  await editPause(ctx);
  vm.nics.push(nic);
  return vmData(vm, { nicId: nic.id, name: nic.name, switchName, vlan, macAddress: nic.macAddress });
};

const nicUpdate: AgentOperation = async (ctx) => {
  const f = fieldsOf(ctx);
  const vm = findVmById(ctx);
  const nic = findNic(vm, requiredString(f, 'nicId', "the network adapter's id"));
  const switchName = has(f, 'switchName') && f.switchName !== null ? switchNamed(ctx, requiredString(f, 'switchName', 'the virtual switch to connect to')) : undefined;
  const vlan = vlanField(f);
  if (switchName === undefined && vlan === undefined) throw invalid("Nothing to change: give 'switchName', 'vlan' (null for untagged) or both.");
  requireOperationState(vm, 'nic.update');
  await hangIfAsked(ctx);
  if (switchName !== undefined && switchName !== nic.switchName) {
    ctx.log(`Connect-VMNetworkAdapter: '${nic.switchName ?? 'not connected'}' → '${switchName}'`, 'info', 'switch');
    nic.switchName = switchName;
  }
  if (vlan !== undefined && vlan !== nic.vlan) {
    ctx.log(`Set-VMNetworkAdapterVlan: ${vlan === null ? 'untagged' : `access VLAN ${vlan}`}`, 'info', 'vlan');
    nic.vlan = vlan;
  }
  await editPause(ctx);
  return vmData(vm, { nicId: nic.id, switchName: nic.switchName, vlan: nic.vlan });
};

const nicRemove: AgentOperation = async (ctx) => {
  const f = fieldsOf(ctx);
  const vm = findVmById(ctx);
  const nic = findNic(vm, requiredString(f, 'nicId', "the network adapter's id"));
  requireOperationState(vm, 'nic.remove');
  requireOffForGeneration1(vm, 'remove a network adapter');
  await hangIfAsked(ctx);
  ctx.log(`Remove-VMNetworkAdapter: '${nic.name}' (${nic.macAddress})`, 'info', 'remove');
  await editPause(ctx);
  vm.nics = vm.nics.filter((n) => n !== nic);
  return vmData(vm, { nicId: nic.id });
};

export const hardwareOperations: Record<string, AgentOperation> = {
  'vm.update': vmUpdate,
  'disk.add': diskAdd,
  'disk.expand': diskExpand,
  'disk.remove': diskRemove,
  'nic.add': nicAdd,
  'nic.update': nicUpdate,
  'nic.remove': nicRemove,
};
