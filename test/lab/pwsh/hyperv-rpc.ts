/**
 * The lab side of the simulated Hyper-V PowerShell modules (test/lab/pwsh/modules): each cmdlet or
 * CIM call of those modules is one RPC answered here from the host's model, so the real agent
 * scripts, the TypeScript stand-ins (test/lab/agent) and the tests all read and change ONE model.
 * Answers are raw facts in Hyper-V's own units (bytes, KiB where WMI uses KiB, ISO times, Hyper-V
 * state names); the modules turn them into the real object types. Power actions follow Hyper-V's
 * rules (docs/hyperv-sim.md), and a simulated guest answers the KVP provisioning handshake.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { VirtualFileSystem } from '../files';
import type { SimHost } from '../host';
import { GUEST_UP, vmHeartbeat, vmIsClustered, vmMemoryDemandMiB, vmUptimeSeconds } from '../agent/inventory';
import { jobKnobs } from '../agent/jobs/knobs';
import { labVhdFileContent, parseLabVhd, type LabVhd } from '../agent/vhd-file';
import { settleVmPower } from '../agent/power';
import { guestGenerateKey, guestRead, type GuestKeys } from '../agent/jobs/kvp-guest';
import { productionCheckpointRefusal, removeCheckpoints, restoreCheckpoint, takeCheckpoint } from '../agent/jobs/checkpoints';
import { moveTargetRefusal, notEnoughMemory, transferVm } from '../agent/jobs/move';
import { clusterPeers, findLabHost, labHostsOf } from '../agent/lab-hosts';
import type { SimCheckpoint, SimDisk, SimDvdDrive, SimNic, SimVm, VmState } from '../model/types';
import { labGuestAddress } from '../model/addresses';

export type HyperVRpcErrorKind = 'NotFound' | 'InvalidState' | 'PermissionDenied' | 'InvalidArgument' | 'OperationFailed' | 'ObjectExists';

export class HyperVRpcError extends Error {
  constructor(
    readonly kind: HyperVRpcErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'HyperVRpcError';
  }
}

// ---- knobs ------------------------------------------------------------------------------------

export interface HyperVSimKnobs {
  /** The host lacks the Hyper-V PowerShell module (the launcher does not offer it). */
  moduleMissing: boolean;
  /** Every Hyper-V, cluster and root/virtualization call answers PermissionDenied (Win32 classes and services still answer). */
  accessDenied: boolean;
  /** Reading this property of this VM's Get-VM object throws VirtualizationException. */
  throwingProperty: { vmId: string; property: string } | null;
  /** VM names whose guest side of the KVP handshake is played by something else (e.g. the real
   * Linux guest agent through test/lab/pwsh/kvp-pool-bridge.ts): the simulated guest stays quiet. */
  externalKvpGuests?: string[];
  /** RPC methods (e.g. `snapshot.list`) that fail like a Hyper-V WMI fault: one query of a batch breaking. */
  failingMethods?: string[];
}

/** Properties of Microsoft.HyperV.PowerShell.VirtualMachine that can be made to throw. */
export const VM_OBJECT_PROPERTIES = [
  'Name', 'Id', 'VMId', 'VMName', 'State', 'CPUUsage', 'MemoryAssigned', 'MemoryDemand', 'MemoryStartup', 'MemoryMinimum', 'MemoryMaximum',
  'DynamicMemoryEnabled', 'ProcessorCount', 'Generation', 'Version', 'Notes', 'CreationTime', 'Uptime', 'Heartbeat', 'IsClustered', 'Path',
  'ConfigurationLocation', 'Status',
] as const;

const simKnobs = new WeakMap<SimHost, HyperVSimKnobs>();

export function hyperVSimKnobs(host: SimHost): HyperVSimKnobs {
  return simKnobs.get(host) ?? { moduleMissing: false, accessDenied: false, throwingProperty: null };
}

export function setHyperVSimKnobs(host: SimHost, patch: Partial<HyperVSimKnobs>): void {
  const next = { ...hyperVSimKnobs(host), ...patch };
  const t = next.throwingProperty;
  if (t && !VM_OBJECT_PROPERTIES.some((p) => p.toLowerCase() === t.property.toLowerCase())) {
    throw new RangeError(`hyperV knob throwingProperty.property=${t.property} is not a VirtualMachine property (${VM_OBJECT_PROPERTIES.join(', ')})`);
  }
  simKnobs.set(host, next);
}

// ---- helpers ----------------------------------------------------------------------------------

type Params = Record<string, unknown>;
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const DEFAULT_VM_FOLDER = 'C:\\ProgramData\\Microsoft\\Windows\\Hyper-V';
const DEFAULT_VHD_FOLDER = 'C:\\ProgramData\\Microsoft\\Windows\\Virtual Hard Disks';
const CURRENT_STATE = 'The operation cannot be performed while the object is in its current state.';

function fail(kind: HyperVRpcErrorKind, message: string): never {
  throw new HyperVRpcError(kind, message);
}

function str(p: Params, key: string): string {
  const v = p[key];
  if (typeof v !== 'string' || v === '') fail('InvalidArgument', `lab RPC: parameter '${key}' must be a non-empty string`);
  return v;
}
function optStr(p: Params, key: string): string | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail('InvalidArgument', `lab RPC: parameter '${key}' must be a string`);
  return v;
}
function optInt(p: Params, key: string): number | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail('InvalidArgument', `lab RPC: parameter '${key}' must be a whole number`);
  return v;
}
function optBool(p: Params, key: string): boolean | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail('InvalidArgument', `lab RPC: parameter '${key}' must be true or false`);
  return v;
}
function optStrs(p: Params, key: string): string[] | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail('InvalidArgument', `lab RPC: parameter '${key}' must be an array of strings`);
  return v as string[];
}

const pathKey = (path: string) => VirtualFileSystem.normalize(path).toLowerCase();
/** A GUID derived from text: stable ids for objects the model has no id for (switches, clusters). */
function stableGuid(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const hang = () => new Promise<never>(() => undefined);

function findVm(host: SimHost, id: string): SimVm {
  const vm = host.model.vms.find((v) => v.id === id.toLowerCase());
  if (!vm) fail('NotFound', `Hyper-V was unable to find a virtual machine with ID "${id.toLowerCase()}".`);
  return vm;
}
function vmsOf(host: SimHost, ids: string[] | undefined): SimVm[] {
  if (!ids) return host.model.vms;
  const wanted = new Set(ids.map((i) => i.toLowerCase()));
  return host.model.vms.filter((v) => wanted.has(v.id));
}
const hyperVState = (state: VmState) => (state === 'Unknown' ? 'Other' : state);

/** The VM's folder (Hyper-V `Path`): set by New-VM, else the folder above "Virtual Hard Disks". */
function vmPath(vm: SimVm): string {
  if (vm.configPath) return vm.configPath;
  const disk = vm.disks[0]?.path;
  const match = disk ? /^(.*)\\Virtual Hard Disks\\[^\\]+$/i.exec(disk) : null;
  return match ? match[1] : DEFAULT_VM_FOLDER;
}

function osDefault(vm: SimVm): string {
  return vm.osFamily === 'linux' ? 'Ubuntu 22.04' : 'Windows Server 2022 Datacenter';
}

// ---- facts ------------------------------------------------------------------------------------

function vmFacts(host: SimHost, vm: SimVm, at = Date.now()): Record<string, unknown> {
  const knob = hyperVSimKnobs(host).throwingProperty;
  const throwing = [...(vm.throwingProperties ?? []), ...(knob && knob.vmId.toLowerCase() === vm.id ? [knob.property] : [])];
  return {
    id: vm.id,
    name: vm.name,
    state: hyperVState(vm.state),
    cpuUsage: vm.cpuUsagePercent,
    memoryAssigned: vm.memoryAssignedMiB * MIB,
    memoryDemand: vmMemoryDemandMiB(vm) * MIB,
    memoryStartup: vm.memoryStartupMiB * MIB,
    memoryMinimum: vm.memoryMinimumMiB * MIB,
    memoryMaximum: vm.memoryMaximumMiB * MIB,
    dynamicMemoryEnabled: vm.dynamicMemoryEnabled,
    processorCount: vm.processorCount,
    generation: vm.generation,
    version: vm.configurationVersion,
    notes: vm.notes ?? '',
    creationTime: vm.creationTime,
    uptimeSeconds: vmUptimeSeconds(vm, at),
    heartbeat: vmHeartbeat(vm),
    isClustered: vmIsClustered(host, vm),
    path: vmPath(vm),
    status: 'Operating normally',
    parentSnapshotId: vm.parentCheckpointId ?? null,
    parentSnapshotName: (vm.checkpoints ?? []).find((c) => c.id === vm.parentCheckpointId)?.name ?? null,
    checkpointType: vm.checkpointType ?? 'Production',
    memoryBuffer: vm.memoryBufferPercent ?? 20,
    throwingProperties: throwing,
    throwMessage: `The operation on computer '${host.computerName}' failed: The WMI provider returned an invalid result for virtual machine '${vm.name}'.`,
  };
}

function nicFacts(vm: SimVm, nic: SimNic): Record<string, unknown> {
  return {
    id: nic.id,
    name: nic.name,
    vmId: vm.id,
    vmName: vm.name,
    switchName: nic.switchName,
    macAddress: nic.macAddress,
    // Hyper-V learns addresses from the guest's integration services: none while it is not running.
    ipAddresses: GUEST_UP.has(vm.state) ? nic.ipAddresses : [],
    vlanMode: nic.vlan ? 'Access' : 'Untagged',
    accessVlanId: nic.vlan ?? 0,
  };
}

/** Controller number and location from an id `Microsoft:<VM>\<GUID>\<controller>\<location>\D`. */
function slotOf(id: string, fallbackLocation: number): [number, number] {
  const parts = id.split('\\');
  const controller = Number(parts[2]);
  const location = Number(parts[3]);
  return [Number.isInteger(controller) ? controller : 0, Number.isInteger(location) ? location : fallbackLocation];
}

/** What a hard disk and a DVD drive both report: whose drive it is, its file and its controller slot. */
function slotFacts(vm: SimVm, drive: { id: string; path: string | null }, slot: readonly [number, number]): Record<string, unknown> {
  const [controllerNumber, controllerLocation] = slot;
  const controllerType = vm.generation === 1 ? 'IDE' : 'SCSI';
  return { id: drive.id, vmId: vm.id, vmName: vm.name, path: drive.path, controllerType, controllerNumber, controllerLocation };
}

function driveFacts(vm: SimVm, disk: SimDisk, index: number): Record<string, unknown> {
  return { ...slotFacts(vm, disk, slotOf(disk.id, index)), supportPersistentReservations: disk.supportPersistentReservations ?? /shared/i.test(disk.name) };
}

function dvdFacts(vm: SimVm, dvd: SimDvdDrive): Record<string, unknown> {
  return slotFacts(vm, dvd, [dvd.controllerNumber, dvd.controllerLocation]);
}

// ---- virtual hard disks -----------------------------------------------------------------------

export { labVhdFileContent, type LabVhd } from '../agent/vhd-file';

/** A file with other content (a golden image the lab wrote as plain text) reads as this. */
const DEFAULT_VHD_SIZE = 60 * GIB;

function modelDisk(host: SimHost, path: string): SimDisk | undefined {
  const key = pathKey(path);
  for (const vm of host.model.vms) for (const disk of vm.disks) if (pathKey(disk.path) === key) return disk;
  return undefined;
}

/** What Get-VHD would read at `path`, or undefined when there is no such file. */
function readVhd(host: SimHost, path: string): LabVhd | undefined {
  const disk = modelDisk(host, path);
  // In memory the model's disks need no file; on disk (real agent) the file must really be there.
  if (disk && (host.files.exists(path) || !host.files.root)) {
    return { format: /\.vhd$/i.test(disk.path) ? 'VHD' : 'VHDX', type: disk.diskType, sizeBytes: disk.capacityBytes, fileSizeBytes: disk.fileSizeBytes, parentPath: disk.parentPath ?? null };
  }
  const content = host.files.get(path);
  if (!content) return undefined;
  // A damaged stub reads like any other file: the defaults.
  const stub = parseLabVhd(content);
  if (stub) return stub;
  return { format: /\.vhd$/i.test(path) ? 'VHD' : 'VHDX', type: 'Dynamic', sizeBytes: DEFAULT_VHD_SIZE, fileSizeBytes: Math.max(content.length, 4 * MIB), parentPath: null };
}

function vhdFacts(path: string, vhd: LabVhd): Record<string, unknown> {
  return {
    path: VirtualFileSystem.normalize(path),
    vhdFormat: vhd.format,
    vhdType: vhd.type,
    size: vhd.sizeBytes,
    fileSize: vhd.fileSizeBytes,
    minimumSize: null,
    parentPath: vhd.parentPath ?? null,
    diskIdentifier: stableGuid(`vhd:${pathKey(path)}`).toUpperCase(),
  };
}

function requireVhdPath(path: string): void {
  if (!/\.(vhdx?|avhdx?)$/i.test(path)) fail('InvalidArgument', `'${path}' is not a virtual hard disk file.`);
}

function vhdGet(host: SimHost, p: Params): unknown {
  const paths = optStrs(p, 'paths') ?? [];
  return paths.map((path) => {
    const vhd = /\.(vhdx?|avhdx?)$/i.test(path) ? readVhd(host, path) : undefined;
    if (!vhd) return { path, ok: false, error: { kind: 'NotFound', message: `'${path}' is not an existing virtual hard disk file.` } };
    return { ok: true, ...vhdFacts(path, vhd) };
  });
}

function vhdNew(host: SimHost, p: Params): unknown {
  const path = str(p, 'path');
  requireVhdPath(path);
  const type = (optStr(p, 'type') ?? 'Dynamic') as LabVhd['type'];
  if (!['Fixed', 'Dynamic', 'Differencing'].includes(type)) fail('InvalidArgument', `Unknown virtual hard disk type '${type}'.`);
  if (host.files.exists(path) || modelDisk(host, path)) fail('ObjectExists', `Failed to create the virtual hard disk.\nThe system failed to create '${path}': The file exists. (0x80070050)`);
  let size = optInt(p, 'sizeBytes') ?? 0;
  const parentPath = optStr(p, 'parentPath') ?? null;
  if (type === 'Differencing') {
    const parent = parentPath ? readVhd(host, parentPath) : undefined;
    if (!parentPath || !parent) fail('NotFound', `Failed to create the virtual hard disk.\nThe parent virtual hard disk '${parentPath ?? ''}' does not exist.`);
    size = parent.sizeBytes;
  } else if (size < 3 * MIB || size % 512 !== 0) {
    fail('InvalidArgument', `Failed to create the virtual hard disk.\nThe size ${size} is not valid: it must be a multiple of 512 bytes and at least 3 MB.`);
  }
  const vhd: LabVhd = { format: /\.vhd$/i.test(path) ? 'VHD' : 'VHDX', type, sizeBytes: size, fileSizeBytes: type === 'Fixed' ? size + 4 * MIB : 4 * MIB, parentPath };
  host.files.put(path, labVhdFileContent(vhd));
  return vhdFacts(path, vhd);
}

function vhdResize(host: SimHost, p: Params): unknown {
  const path = str(p, 'path');
  const size = optInt(p, 'sizeBytes');
  if (size === undefined) fail('InvalidArgument', 'lab RPC: sizeBytes is required');
  const vhd = /\.(vhdx?|avhdx?)$/i.test(path) ? readVhd(host, path) : undefined;
  if (!vhd) fail('NotFound', `'${path}' is not an existing virtual hard disk file.`);
  if (vhd.type === 'Differencing') fail('InvalidArgument', `Failed to resize the virtual disk.\nThe differencing disk '${path}' cannot be resized.`);
  if (size < vhd.sizeBytes) fail('InvalidArgument', `Failed to resize the virtual disk.\nThe size specified for '${path}' is smaller than the minimum size of the virtual disk.`);
  if (size % 512 !== 0) fail('InvalidArgument', `Failed to resize the virtual disk.\nThe size ${size} is not a multiple of 512 bytes.`);
  for (const vm of host.model.vms) {
    // The VM runs from the checkpoints' .avhdx children: the parent of a chain cannot change size.
    if ((vm.checkpoints?.length ?? 0) > 0 && vm.disks.some((d) => pathKey(d.path) === pathKey(path))) {
      fail('InvalidState', `Failed to resize the virtual disk.\nThe virtual disk '${path}' is the parent of a differencing disk chain (checkpoints of '${vm.name}'). ${CURRENT_STATE}`);
    }
    // Hyper-V grows a VHDX online only on SCSI; a VHD or an IDE disk needs its VM off.
    if (vm.state !== 'Off' && vm.disks.some((d) => pathKey(d.path) === pathKey(path)) && (vhd.format === 'VHD' || vm.generation === 1)) {
      fail('InvalidState', `Failed to resize the virtual disk.\nThe virtual disk '${path}' is attached to running virtual machine '${vm.name}'. ${CURRENT_STATE}`);
    }
  }
  const next: LabVhd = { ...vhd, sizeBytes: size, fileSizeBytes: vhd.type === 'Fixed' ? size + 4 * MIB : vhd.fileSizeBytes };
  const disk = modelDisk(host, path);
  if (disk) {
    disk.capacityBytes = next.sizeBytes;
    disk.fileSizeBytes = next.fileSizeBytes;
  }
  if (!disk || host.files.exists(path)) host.files.put(path, labVhdFileContent(next));
  return vhdFacts(path, next);
}

// ---- host and services ------------------------------------------------------------------------

const LAB_START_MS = Date.now();

function hostGet(host: SimHost): unknown {
  const m = host.model;
  const sockets = m.logicalProcessors >= 32 && m.logicalProcessors % 2 === 0 ? 2 : 1;
  const bootOffsetS = createHash('sha1').update(`boot:${m.name}`).digest().readUInt32BE(0) % (40 * 86_400);
  return {
    computerName: host.computerName,
    name: m.name,
    domain: m.domain ?? 'lab.local',
    cluster: m.cluster ?? null,
    logicalProcessors: m.logicalProcessors,
    sockets,
    coresPerSocket: Math.max(1, Math.floor(m.logicalProcessors / sockets / 2)),
    memoryTotalBytes: m.memoryTotalMiB * MIB,
    memoryAvailableKiB: m.memoryAvailableMiB * 1024,
    osCaption: 'Microsoft Windows Server 2022 Datacenter',
    osVersion: '10.0.20348',
    osBuildNumber: '20348',
    lastBootUpTime: new Date(LAB_START_MS - (bootOffsetS + 86_400) * 1000).toISOString(),
    virtualHardDiskPath: DEFAULT_VHD_FOLDER,
    virtualMachinePath: DEFAULT_VM_FOLDER,
    // Get-VMHostSupportedVersion -Default; null: the cmdlet fails (a 2012 R2 host).
    defaultVmVersion: m.defaultVmVersion === null ? null : (m.defaultVmVersion ?? '10.0'),
    hyperV: host.knobs.hyperV,
  };
}

function serviceList(host: SimHost): unknown {
  const services = [
    { name: 'WinRM', displayName: 'Windows Remote Management (WS-Management)', status: 'Running' },
    { name: 'LanmanServer', displayName: 'Server', status: 'Running' },
  ];
  if (host.knobs.hyperV) {
    services.push({ name: 'vmms', displayName: 'Hyper-V Virtual Machine Management', status: 'Running' });
    services.push({ name: 'vmcompute', displayName: 'Hyper-V Host Compute Service', status: 'Running' });
  }
  if (host.model.cluster) services.push({ name: 'ClusSvc', displayName: 'Cluster Service', status: 'Running' });
  return services;
}

function switchList(host: SimHost): unknown {
  return host.model.virtualSwitches.map((name) => ({
    name,
    id: stableGuid(`switch:${host.model.name}:${name}`),
    switchType: 'External',
    netAdapterInterfaceDescription: 'Microsoft Network Adapter Multiplexor Driver',
  }));
}

// ---- power actions ----------------------------------------------------------------------------

interface ActionRule {
  target: VmState;
  from: VmState[];
  /** Transitional state held for jobKnobs.actionMs. */
  via: VmState | null;
}

const ACTIONS: Record<string, ActionRule> = {
  start: { target: 'Running', from: ['Off', 'Saved'], via: 'Starting' },
  shutdown: { target: 'Off', from: ['Running'], via: 'Stopping' },
  turnoff: { target: 'Off', from: ['Running', 'Paused', 'Saved', 'Starting', 'Stopping', 'Saving', 'Pausing', 'Resuming', 'Unknown'], via: null },
  save: { target: 'Saved', from: ['Running', 'Paused'], via: 'Saving' },
  pause: { target: 'Paused', from: ['Running'], via: 'Pausing' },
  resume: { target: 'Running', from: ['Paused'], via: 'Resuming' },
  reset: { target: 'Running', from: ['Running'], via: 'Starting' },
};

/** Memory and guest facts that follow a VM's power state. */
function settle(host: SimHost, vm: SimVm, from: VmState, action: string): void {
  settleVmPower(host.model, vm, from, action);
  if (vm.state === 'Running') {
    vm.operatingSystem = osDefault(vm);
    // A dynamic MAC address is assigned at first start.
    for (const nic of vm.nics) if (/^0{12}$/.test(nic.macAddress)) nic.macAddress = `00155D${randomBytes(3).toString('hex').toUpperCase()}`;
    scheduleGuest(host, vm);
  } else if (vm.state === 'Off' || vm.state === 'Saved') {
    vm.operatingSystem = null;
    if (vm.state === 'Off') {
      // The guest's pool lives in the running guest; the host's items are kept in the VM's configuration.
      if (vm.kvp) vm.kvp.guest = {};
      guestKeys.delete(vm);
    }
  }
}

async function vmAction(host: SimHost, p: Params): Promise<unknown> {
  const vm = findVm(host, str(p, 'id'));
  const action = str(p, 'action');
  const rule = ACTIONS[action];
  if (!rule) fail('InvalidArgument', `lab RPC: unknown action '${action}'`);
  if (jobKnobs(host).hang) await hang();
  if (vm.state === rule.target && action !== 'reset') return { vm: vmFacts(host, vm), alreadyInState: true };
  if (!rule.from.includes(vm.state)) fail('InvalidState', `'${vm.name}' failed to change state.\n${CURRENT_STATE}`);
  if (action === 'start' && jobKnobs(host).notEnoughMemory) {
    fail('OperationFailed', `'${vm.name}' failed to start.\nNot enough memory in the system to start the virtual machine ${vm.name}.`);
  }
  const from = vm.state;
  if (rule.via) {
    vm.state = rule.via;
    await sleep(jobKnobs(host).actionMs * host.knobs.slowFactor);
    // Something else (a turn-off, a removal) changed the VM meanwhile: this request lost.
    if (vm.state !== rule.via || !host.model.vms.includes(vm)) fail('OperationFailed', `'${vm.name}' failed to change state.\nThe operation was cancelled.`);
  }
  vm.state = rule.target;
  settle(host, vm, from, action);
  return { vm: vmFacts(host, vm), alreadyInState: false };
}

// ---- VM configuration -------------------------------------------------------------------------

function guessOsFamily(path: string | undefined): 'windows' | 'linux' | null {
  if (!path) return null;
  return /ubuntu|debian|linux|rhel|centos|rocky|alma|suse|fedora/i.test(path) ? 'linux' : 'windows';
}

function checkMemoryBytes(name: string, bytes: number): number {
  if (bytes < 32 * MIB || bytes % (2 * MIB) !== 0) {
    fail('InvalidArgument', `Failed to modify device 'Memory'.\nInvalid memory amount assigned for '${name}': it must be a multiple of 2 MB and at least 32 MB.`);
  }
  return bytes / MIB;
}

async function vmNew(host: SimHost, p: Params): Promise<unknown> {
  const name = str(p, 'name');
  if (name.length > 100) fail('InvalidArgument', `The virtual machine name '${name}' is longer than 100 characters.`);
  const generation = optInt(p, 'generation') ?? 1;
  if (generation !== 1 && generation !== 2) fail('InvalidArgument', `Generation ${generation} is not supported; use 1 or 2.`);
  const memoryMiB = checkMemoryBytes(name, optInt(p, 'memoryStartupBytes') ?? 1024 * MIB);
  const switchName = optStr(p, 'switchName');
  const matchedSwitch = switchName === undefined ? null : host.model.virtualSwitches.find((s) => s.toLowerCase() === switchName.toLowerCase());
  if (switchName !== undefined && !matchedSwitch) fail('InvalidArgument', 'A parameter is invalid. No switch can be found by given criteria.');
  const vhdPath = optStr(p, 'vhdPath');
  const vhd = vhdPath ? readVhd(host, vhdPath) : undefined;
  if (vhdPath && !vhd) fail('NotFound', `'${name}' failed to add device 'Virtual Hard Disk'.\nFailed to open attachment '${vhdPath}'. Error: 'The system cannot find the file specified.'`);
  if (vhd && generation === 2 && vhd.format === 'VHD') fail('InvalidArgument', `'${name}' failed to add device 'Virtual Hard Disk'.\nGeneration 2 virtual machines do not support the VHD format; use VHDX.`);
  if (jobKnobs(host).hang) await hang();
  const id = randomUUID();
  const ID = id.toUpperCase();
  const folder = `${VirtualFileSystem.normalize(optStr(p, 'path') ?? DEFAULT_VM_FOLDER)}\\${name}`;
  const vm: SimVm = {
    id,
    name,
    state: 'Off',
    cpuUsagePercent: 0,
    memoryAssignedMiB: 0,
    memoryStartupMiB: memoryMiB,
    memoryMinimumMiB: Math.min(512, memoryMiB),
    memoryMaximumMiB: 1048576,
    dynamicMemoryEnabled: false,
    processorCount: 1,
    generation,
    configurationVersion: '10.0',
    notes: null,
    operatingSystem: null,
    osFamily: guessOsFamily(vhdPath),
    creationTime: new Date().toISOString(),
    ipAddresses: [],
    disks: [],
    // New-VM always adds one adapter, connected only when -SwitchName is given; its dynamic MAC
    // address stays zero until the VM first starts.
    nics: [{ id: `Microsoft:${ID}\\${randomUUID().toUpperCase()}`, name: 'Network Adapter', switchName: matchedSwitch ?? null, vlan: null, macAddress: '000000000000', ipAddresses: [] }],
    isClustered: false,
    configPath: folder,
    // Generation 1 VMs get an empty DVD drive on IDE 1:0.
    dvdDrives: generation === 1 ? [{ id: `Microsoft:${ID}\\${randomUUID().toUpperCase()}\\1\\0\\D`, path: null, controllerNumber: 1, controllerLocation: 0 }] : [],
    kvp: { host: {}, guest: {} },
  };
  if (vhdPath && vhd) {
    vm.disks.push({
      id: `Microsoft:${ID}\\${randomUUID().toUpperCase()}\\0\\0\\D`,
      name: vhdPath.split(/[\\/]/).pop() ?? vhdPath,
      // Hyper-V keeps an attachment's path as the caller wrote it (Get-VHD reports it normalized).
      path: vhdPath.trim(),
      diskType: vhd.type,
      capacityBytes: vhd.sizeBytes,
      fileSizeBytes: vhd.fileSizeBytes,
      ...(vhd.parentPath ? { parentPath: vhd.parentPath } : {}),
    });
  }
  writeConfigFile(host, vm);
  host.model.vms.push(vm);
  return vmFacts(host, vm);
}

const configFile = (vm: SimVm) => `${vmPath(vm)}\\Virtual Machines\\${vm.id.toUpperCase()}.vmcx`;
function writeConfigFile(host: SimHost, vm: SimVm): void {
  try {
    host.files.put(configFile(vm), `lab stand-in for the configuration of virtual machine ${vm.name}\n`);
  } catch {
    // a path the lab's disk cannot hold (UNC): the configuration lives in the model only
  }
}

function vmSet(host: SimHost, p: Params): unknown {
  const vm = findVm(host, str(p, 'id'));
  const busy = () => fail('InvalidState', `Modifying the properties of '${vm.name}' failed.\n${CURRENT_STATE}`);
  const count = optInt(p, 'processorCount');
  const dynamic = optBool(p, 'dynamicMemoryEnabled');
  const startup = optInt(p, 'memoryStartupBytes');
  const minimum = optInt(p, 'memoryMinimumBytes');
  const maximum = optInt(p, 'memoryMaximumBytes');
  const notes = optStr(p, 'notes');
  const newName = optStr(p, 'newName');
  const checkpointType = optStr(p, 'checkpointType');
  const buffer = optInt(p, 'memoryBufferPercent');
  if (checkpointType !== undefined && !['Disabled', 'Standard', 'Production', 'ProductionOnly'].includes(checkpointType)) fail('InvalidArgument', `Cannot convert value "${checkpointType}" to type "Microsoft.HyperV.PowerShell.CheckpointType".`);
  if (buffer !== undefined && (buffer < 5 || buffer > 2000)) fail('InvalidArgument', `Failed to modify device 'Memory'.\nThe memory buffer of '${vm.name}' must be between 5 and 2000 percent.`);
  if (buffer !== undefined && !(optBool(p, 'dynamicMemoryEnabled') ?? vm.dynamicMemoryEnabled)) fail('InvalidArgument', `Failed to modify device 'Memory'.\nThe memory buffer applies only to a virtual machine with dynamic memory ('${vm.name}').`);
  if (count !== undefined && count !== vm.processorCount) {
    if (vm.state !== 'Off') busy();
    const limit = Math.min(240, host.model.logicalProcessors);
    if (count < 1 || count > limit) fail('InvalidArgument', `Failed to modify device 'Processor'.\nThe virtual machine '${vm.name}' cannot have ${count} virtual processors; this host allows 1 to ${limit}.`);
  }
  if (dynamic !== undefined && dynamic !== vm.dynamicMemoryEnabled && vm.state !== 'Off') busy();
  const startupMiB = startup === undefined ? vm.memoryStartupMiB : checkMemoryBytes(vm.name, startup);
  const minimumMiB = minimum === undefined ? vm.memoryMinimumMiB : checkMemoryBytes(vm.name, minimum);
  const maximumMiB = maximum === undefined ? vm.memoryMaximumMiB : checkMemoryBytes(vm.name, maximum);
  const willBeDynamic = dynamic ?? vm.dynamicMemoryEnabled;
  // Hyper-V resizes static memory of a running VM; dynamic memory's startup value needs it off.
  if (startup !== undefined && startupMiB !== vm.memoryStartupMiB && vm.state !== 'Off' && (willBeDynamic || !['Running'].includes(vm.state))) busy();
  if (vm.state !== 'Off' && vm.dynamicMemoryEnabled && (minimumMiB > vm.memoryMinimumMiB || maximumMiB < vm.memoryMaximumMiB)) {
    fail('InvalidState', `Failed to modify device 'Memory'.\nWhile '${vm.name}' is running its minimum memory can only be lowered and its maximum only raised. ${CURRENT_STATE}`);
  }
  if (willBeDynamic && (minimumMiB > startupMiB || startupMiB > maximumMiB)) {
    fail('InvalidArgument', `Failed to modify device 'Memory'.\nFor '${vm.name}' the minimum (${minimumMiB} MB) must not exceed the startup (${startupMiB} MB), nor the startup the maximum (${maximumMiB} MB).`);
  }
  if (count !== undefined) vm.processorCount = count;
  if (dynamic !== undefined) vm.dynamicMemoryEnabled = dynamic;
  if (vm.state === 'Running' && !vm.dynamicMemoryEnabled && startupMiB !== vm.memoryStartupMiB) {
    host.model.memoryAvailableMiB = Math.max(0, host.model.memoryAvailableMiB - (startupMiB - vm.memoryAssignedMiB));
    vm.memoryAssignedMiB = startupMiB;
  }
  vm.memoryStartupMiB = startupMiB;
  vm.memoryMinimumMiB = minimumMiB;
  vm.memoryMaximumMiB = maximumMiB;
  if (notes !== undefined) vm.notes = notes === '' ? null : notes;
  if (newName !== undefined) vm.name = newName;
  if (checkpointType !== undefined) vm.checkpointType = checkpointType as SimVm['checkpointType'];
  if (buffer !== undefined) vm.memoryBufferPercent = buffer;
  return vmFacts(host, vm);
}

async function vmRemove(host: SimHost, p: Params): Promise<unknown> {
  const vm = findVm(host, str(p, 'id'));
  if (jobKnobs(host).hang) await hang();
  // DestroySystem needs the VM off or saved.
  if (vm.state !== 'Off' && vm.state !== 'Saved') fail('InvalidState', `'${vm.name}' failed to delete.\n${CURRENT_STATE}`);
  if (vmIsClustered(host, vm)) {
    fail('InvalidState', `'${vm.name}' failed to delete.\nThe virtual machine is a clustered role; remove it from the cluster first (Remove-ClusterGroup).`);
  }
  await sleep(jobKnobs(host).actionMs * host.knobs.slowFactor);
  try {
    host.files.delete(configFile(vm));
  } catch {
    // nothing on disk for this VM
  }
  host.model.vms = host.model.vms.filter((v) => v !== vm);
  guestKeys.delete(vm);
  return null;
}

function nicSetVlan(host: SimHost, p: Params): unknown {
  const vm = findVm(host, str(p, 'vmId'));
  const nicId = str(p, 'nicId');
  const nic = vm.nics.find((n) => n.id.toLowerCase() === nicId.toLowerCase());
  if (!nic) fail('NotFound', `Unable to find a network adapter with id '${nicId}' on '${vm.name}'.`);
  const mode = str(p, 'mode');
  if (mode === 'Untagged') nic.vlan = null;
  else if (mode === 'Access') {
    const vlanId = optInt(p, 'vlanId');
    if (vlanId === undefined || vlanId < 1 || vlanId > 4094) fail('InvalidArgument', `Failed to set VLAN for '${vm.name}'.\nThe VLAN identifier must be between 1 and 4094.`);
    nic.vlan = vlanId;
  } else fail('InvalidArgument', `VLAN mode '${mode}' is not simulated by the lab (Access and Untagged are).`);
  return nicFacts(vm, nic);
}

// ---- DVD drives and firmware ------------------------------------------------------------------

function dvdAdd(host: SimHost, p: Params): unknown {
  const vm = findVm(host, str(p, 'vmId'));
  const path = optStr(p, 'path') ?? null;
  if (path !== null && !host.files.exists(path)) fail('NotFound', `'${vm.name}' failed to add device 'Virtual CD/DVD Disk'.\nFailed to open attachment '${path}'. Error: 'The system cannot find the file specified.'`);
  const drives = (vm.dvdDrives ??= []);
  let controllerNumber: number;
  let controllerLocation: number;
  if (vm.generation === 1) {
    // IDE does not hot-add.
    if (vm.state !== 'Off') fail('InvalidState', `'${vm.name}' failed to add device 'Virtual CD/DVD Disk'.\n${CURRENT_STATE}`);
    const used = new Set([...vm.disks.map((d, i) => slotOf(d.id, i).join(':')), ...drives.map((d) => `${d.controllerNumber}:${d.controllerLocation}`)]);
    const free = ['1:0', '1:1', '0:1'].find((slot) => !used.has(slot));
    if (!free) fail('InvalidArgument', `'${vm.name}' failed to add device 'Virtual CD/DVD Disk'.\nNo free IDE location.`);
    [controllerNumber, controllerLocation] = free.split(':').map(Number) as [number, number];
  } else {
    controllerNumber = optInt(p, 'controllerNumber') ?? 0;
    const used = new Set([...vm.disks.map((d, i) => slotOf(d.id, i)).filter(([c]) => c === controllerNumber).map(([, l]) => l), ...drives.filter((d) => d.controllerNumber === controllerNumber).map((d) => d.controllerLocation)]);
    controllerLocation = optInt(p, 'controllerLocation') ?? 0;
    while (used.has(controllerLocation)) controllerLocation++;
  }
  const dvd: SimDvdDrive = { id: `Microsoft:${vm.id.toUpperCase()}\\${randomUUID().toUpperCase()}\\${controllerNumber}\\${controllerLocation}\\D`, path: path === null ? null : path.trim(), controllerNumber, controllerLocation };
  drives.push(dvd);
  return dvdFacts(vm, dvd);
}

function dvdRemove(host: SimHost, p: Params): unknown {
  const vm = findVm(host, str(p, 'vmId'));
  const id = str(p, 'id');
  const dvd = (vm.dvdDrives ?? []).find((d) => d.id.toLowerCase() === id.toLowerCase());
  if (!dvd) fail('NotFound', `Unable to find a DVD drive with id '${id}' on '${vm.name}'.`);
  if (vm.generation === 1 && vm.state !== 'Off') fail('InvalidState', `'${vm.name}' failed to remove device 'Virtual CD/DVD Disk'.\n${CURRENT_STATE}`);
  vm.dvdDrives = (vm.dvdDrives ?? []).filter((d) => d !== dvd);
  return null;
}

const SECURE_BOOT_TEMPLATES = ['MicrosoftWindows', 'MicrosoftUEFICertificateAuthority', 'OpenSourceShieldedVM'];

function firmwareSet(host: SimHost, p: Params): unknown {
  const vm = findVm(host, str(p, 'vmId'));
  if (vm.generation === 1) fail('InvalidArgument', `'${vm.name}' is a generation 1 virtual machine: it has BIOS, not firmware settings.`);
  if (vm.state !== 'Off') fail('InvalidState', `Failed to modify firmware settings of '${vm.name}'.\n${CURRENT_STATE}`);
  const template = optStr(p, 'secureBootTemplate');
  if (template !== undefined && !SECURE_BOOT_TEMPLATES.some((t) => t.toLowerCase() === template.toLowerCase())) {
    fail('InvalidArgument', `The secure boot template '${template}' is not valid. Valid templates: ${SECURE_BOOT_TEMPLATES.join(', ')}.`);
  }
  const boot = optStr(p, 'firstBootDeviceId');
  if (boot !== undefined) {
    const ids = [...vm.disks.map((d) => d.id), ...(vm.dvdDrives ?? []).map((d) => d.id), ...vm.nics.map((n) => n.id)];
    if (!ids.some((i) => i.toLowerCase() === boot.toLowerCase())) fail('InvalidArgument', `The boot device '${boot}' does not belong to '${vm.name}'.`);
  }
  vm.firmware = { ...vm.firmware, ...(template !== undefined ? { secureBootTemplate: template } : {}), ...(boot !== undefined ? { firstBootDeviceId: boot } : {}) };
  // Only Linux guests boot with the UEFI CA template: that tells the lab which guest this VM runs.
  if (template?.toLowerCase() === 'microsoftueficertificateauthority' && vm.osFamily !== 'linux') vm.osFamily = 'linux';
  return null;
}

// ---- hard disk drives and network adapters (issue 15) -----------------------------------------

function freeDiskSlot(vm: SimVm, controllerType: string, wantNumber?: number, wantLocation?: number): [number, number] {
  const used = new Set([...vm.disks.map((d, i) => slotOf(d.id, i).join(':')), ...(vm.dvdDrives ?? []).map((d) => `${d.controllerNumber}:${d.controllerLocation}`)]);
  if (wantNumber !== undefined && wantLocation !== undefined) {
    if (used.has(`${wantNumber}:${wantLocation}`)) fail('InvalidArgument', `'${vm.name}' failed to add device 'Virtual Hard Disk'.\nThe location ${controllerType} ${wantNumber}:${wantLocation} is already in use.`);
    return [wantNumber, wantLocation];
  }
  const candidates = controllerType === 'IDE' ? ['0:0', '0:1', '1:0', '1:1'] : Array.from({ length: 64 }, (_, i) => `${wantNumber ?? 0}:${i}`);
  const free = candidates.find((slot) => !used.has(slot));
  if (!free) fail('InvalidArgument', `'${vm.name}' failed to add device 'Virtual Hard Disk'.\nThere is no free location on the ${controllerType} controller.`);
  return free.split(':').map(Number) as [number, number];
}

function driveAdd(host: SimHost, p: Params): unknown {
  const vm = findVm(host, str(p, 'vmId'));
  const path = str(p, 'path');
  const controllerType = optStr(p, 'controllerType') ?? (vm.generation === 1 ? 'IDE' : 'SCSI');
  if (vm.generation === 2 && controllerType === 'IDE') fail('InvalidArgument', `'${vm.name}' failed to add device 'Virtual Hard Disk'.\nGeneration 2 virtual machines have no IDE controller.`);
  // IDE does not hot-add; SCSI does.
  if (controllerType === 'IDE' && vm.state !== 'Off') fail('InvalidState', `'${vm.name}' failed to add device 'Synthetic Disk Drive'.\n${CURRENT_STATE}`);
  // Cluster storage is shared: a file any VM of the lab has open is locked, wherever it runs.
  for (const h of labHostsOf(host)) {
    for (const other of h.model.vms) {
      if (other.disks.some((d) => pathKey(d.path) === pathKey(path))) {
        fail('OperationFailed', `'${vm.name}' failed to add device 'Virtual Hard Disk'.\nFailed to open attachment '${path}'. Error: 'The process cannot access the file because it is being used by another process.' (0x80070020)`);
      }
    }
  }
  const vhd = /\.(vhdx?)$/i.test(path) ? readVhd(host, path) : undefined;
  if (!vhd) fail('NotFound', `'${vm.name}' failed to add device 'Virtual Hard Disk'.\nFailed to open attachment '${path}'. Error: 'The system cannot find the file specified.'`);
  if (vm.generation === 2 && vhd.format === 'VHD') fail('InvalidArgument', `'${vm.name}' failed to add device 'Virtual Hard Disk'.\nGeneration 2 virtual machines do not support the VHD format; use VHDX.`);
  const [controller, location] = freeDiskSlot(vm, controllerType, optInt(p, 'controllerNumber'), optInt(p, 'controllerLocation'));
  const disk: SimDisk = {
    id: `Microsoft:${vm.id.toUpperCase()}\\${randomUUID().toUpperCase()}\\${controller}\\${location}\\D`,
    name: path.split(/[\\/]/).pop() ?? path,
    path: path.trim(),
    diskType: vhd.type,
    capacityBytes: vhd.sizeBytes,
    fileSizeBytes: vhd.fileSizeBytes,
    ...(vhd.parentPath ? { parentPath: vhd.parentPath } : {}),
  };
  vm.disks.push(disk);
  return driveFacts(vm, disk, vm.disks.length - 1);
}

function driveRemove(host: SimHost, p: Params): unknown {
  const vm = findVm(host, str(p, 'vmId'));
  const id = str(p, 'id');
  const disk = vm.disks.find((d) => d.id.toLowerCase() === id.toLowerCase());
  if (!disk) fail('NotFound', `Unable to find a hard disk drive with id '${id}' on '${vm.name}'.`);
  if (vm.generation === 1 && vm.state !== 'Off') fail('InvalidState', `'${vm.name}' failed to remove device 'Synthetic Disk Drive'.\n${CURRENT_STATE}`);
  // The file stays: Remove-VMHardDiskDrive only detaches. On the lab's disk it is there to attach again.
  if (host.files.root && !host.files.exists(disk.path)) {
    try {
      host.files.put(disk.path, labVhdFileContent({ format: /\.vhd$/i.test(disk.path) ? 'VHD' : 'VHDX', type: disk.diskType, sizeBytes: disk.capacityBytes, fileSizeBytes: disk.fileSizeBytes, parentPath: disk.parentPath ?? null }));
    } catch {
      // a path the lab's disk cannot hold: the detached disk lives on in nothing but the caller's memory
    }
  }
  vm.disks = vm.disks.filter((d) => d !== disk);
  return null;
}

function switchNamed(host: SimHost, name: string): string {
  const match = host.model.virtualSwitches.find((s) => s.toLowerCase() === name.toLowerCase());
  if (!match) fail('InvalidArgument', 'A parameter is invalid. No switch can be found by given criteria.');
  return match;
}

function nicAdd(host: SimHost, p: Params): unknown {
  const vm = findVm(host, str(p, 'vmId'));
  // A Generation 1 VM's adapters are not hot-pluggable.
  if (vm.generation === 1 && vm.state !== 'Off') fail('InvalidState', `'${vm.name}' failed to add device 'Synthetic Ethernet Port'.\n${CURRENT_STATE}`);
  const switchName = optStr(p, 'switchName');
  const matched = switchName === undefined ? null : switchNamed(host, switchName);
  const mac = optStr(p, 'staticMacAddress');
  if (mac !== undefined && (!/^[0-9A-Fa-f]{12}$/.test(mac.replace(/[-:]/g, '')) || parseInt(mac.slice(0, 2), 16) % 2 === 1)) {
    fail('InvalidArgument', `'${vm.name}' failed to add device 'Synthetic Ethernet Port'.\nThe MAC address '${mac}' is not valid.`);
  }
  const running = !['Off'].includes(vm.state);
  const nic: SimNic = {
    id: `Microsoft:${vm.id.toUpperCase()}\\${randomUUID().toUpperCase()}`,
    name: optStr(p, 'name') ?? 'Network Adapter',
    switchName: matched,
    vlan: null,
    // A dynamic address is assigned when the VM runs (at its next start when it is off).
    macAddress: mac !== undefined ? mac.replace(/[-:]/g, '').toUpperCase() : running ? `00155D${randomBytes(3).toString('hex').toUpperCase()}` : '000000000000',
    ipAddresses: [],
  };
  vm.nics.push(nic);
  return nicFacts(vm, nic);
}

function nicOf(vm: SimVm, nicId: string): SimNic {
  const nic = vm.nics.find((n) => n.id.toLowerCase() === nicId.toLowerCase());
  if (!nic) fail('NotFound', `Unable to find a network adapter with id '${nicId}' on '${vm.name}'.`);
  return nic;
}

function nicConnect(host: SimHost, p: Params): unknown {
  const vm = findVm(host, str(p, 'vmId'));
  const nic = nicOf(vm, str(p, 'nicId'));
  nic.switchName = switchNamed(host, str(p, 'switchName'));
  return nicFacts(vm, nic);
}

function nicRemove(host: SimHost, p: Params): unknown {
  const vm = findVm(host, str(p, 'vmId'));
  const nic = nicOf(vm, str(p, 'nicId'));
  if (vm.generation === 1 && vm.state !== 'Off') fail('InvalidState', `'${vm.name}' failed to remove device 'Synthetic Ethernet Port'.\n${CURRENT_STATE}`);
  vm.nics = vm.nics.filter((n) => n !== nic);
  return null;
}

// ---- checkpoints (Get-VMSnapshot, Checkpoint-VM, Restore/Rename/Remove-VMSnapshot) ----------------

function snapshotFacts(vm: SimVm, c: SimCheckpoint): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    vmId: vm.id,
    vmName: vm.name,
    parentSnapshotId: c.parentId,
    parentSnapshotName: (vm.checkpoints ?? []).find((x) => x.id === c.parentId)?.name ?? null,
    snapshotType: c.type,
    creationTime: c.creationTime,
    // The state the VM was in: a checkpoint with memory restores to Saved.
    state: c.holdsMemory ? 'Saved' : 'Off',
    path: `${vmPath(vm)}\\Snapshots`,
  };
}

function findSnapshot(host: SimHost, id: string): { vm: SimVm; checkpoint: SimCheckpoint } {
  for (const vm of host.model.vms) {
    const checkpoint = (vm.checkpoints ?? []).find((c) => c.id === id.toLowerCase());
    if (checkpoint) return { vm, checkpoint };
  }
  fail('NotFound', `Hyper-V was unable to find a checkpoint with ID "${id.toLowerCase()}".`);
}

async function snapshotCreate(host: SimHost, p: Params): Promise<unknown> {
  const vm = findVm(host, str(p, 'vmId'));
  const name = optStr(p, 'name') ?? `${vm.name} - (${new Date().toLocaleString('en-US')})`;
  const setting = vm.checkpointType ?? 'Production';
  const failed = `Checkpoint operation for '${vm.name}' failed. (Virtual machine ID ${vm.id.toUpperCase()})`;
  if (setting === 'Disabled') fail('OperationFailed', `${failed}\nCheckpoints are disabled for '${vm.name}'.`);
  if (!['Running', 'Off', 'Saved', 'Paused'].includes(vm.state)) fail('InvalidState', `${failed}\n${CURRENT_STATE}`);
  if (jobKnobs(host).hang) await hang();
  await sleep(jobKnobs(host).checkpointMs * host.knobs.slowFactor);
  const refusal = setting === 'Standard' ? null : productionCheckpointRefusal(vm);
  if (refusal && setting === 'ProductionOnly') fail('OperationFailed', refusal);
  // Production falls back to a standard checkpoint when the guest cannot take part (Hyper-V's rule).
  const type = setting === 'Standard' || refusal ? 'Standard' : 'Production';
  return snapshotFacts(vm, takeCheckpoint(vm, name, type));
}

async function snapshotRestore(host: SimHost, p: Params): Promise<unknown> {
  const { vm, checkpoint } = findSnapshot(host, str(p, 'id'));
  if (vm.state !== 'Off' && vm.state !== 'Saved') fail('InvalidState', `'${vm.name}' failed to apply checkpoint '${checkpoint.name}'.\n${CURRENT_STATE}`);
  await sleep(jobKnobs(host).checkpointMs * host.knobs.slowFactor);
  restoreCheckpoint(vm, checkpoint);
  return vmFacts(host, vm);
}

function snapshotRename(host: SimHost, p: Params): unknown {
  const { vm, checkpoint } = findSnapshot(host, str(p, 'id'));
  const newName = str(p, 'newName');
  if (newName.length > 100) fail('InvalidArgument', `The checkpoint name '${newName}' is longer than 100 characters.`);
  checkpoint.name = newName;
  return snapshotFacts(vm, checkpoint);
}

async function snapshotRemove(host: SimHost, p: Params): Promise<unknown> {
  const { vm, checkpoint } = findSnapshot(host, str(p, 'id'));
  await sleep(jobKnobs(host).checkpointMs * host.knobs.slowFactor);
  return removeCheckpoints(vm, checkpoint, optBool(p, 'includeChildren') === true);
}

// ---- failover cluster -------------------------------------------------------------------------

const CLUSTER_NOT_RUNNING = 'The cluster service is not running.  Make sure that the service is running on all nodes in the cluster.\n    There are no more endpoints available from the endpoint mapper';

function requireCluster(host: SimHost): string {
  // Failover Clustering's own words on a node that is in no cluster (the module maps them to its error).
  if (!host.model.cluster) fail('NotFound', CLUSTER_NOT_RUNNING);
  return host.model.cluster;
}

function vmGroup(host: SimHost, vm: SimVm): Record<string, unknown> {
  return { name: vm.name, ownerNode: host.model.name, state: vm.state === 'Running' ? 'Online' : 'Offline', groupType: 'VirtualMachine', id: stableGuid(`group:${vm.id}`), vmId: vm.id };
}

function clusterGet(host: SimHost): unknown {
  const name = requireCluster(host);
  // Every lab host of the same cluster is a node (agent/lab-hosts.ts); an unreachable one is Down.
  const nodes = [host, ...clusterPeers(host)].map((h, i) => ({ name: h.model.name, id: String(i + 1), state: h.knobs.unreachable ? 'Down' : 'Up' }));
  return { name, domain: host.model.domain ?? 'lab.local', id: stableGuid(`cluster:${name}`), nodes };
}

function clusterGroups(host: SimHost): unknown {
  requireCluster(host);
  const owner = host.model.name;
  return [
    { name: 'Cluster Group', ownerNode: owner, state: 'Online', groupType: 'Cluster', id: stableGuid(`group:cluster:${host.model.cluster}`), vmId: null },
    { name: 'Available Storage', ownerNode: owner, state: 'Offline', groupType: 'AvailableStorage', id: stableGuid(`group:storage:${host.model.cluster}`), vmId: null },
    ...host.model.vms.filter((vm) => vmIsClustered(host, vm)).map((vm) => vmGroup(host, vm)),
  ];
}

function clusterAddVmRole(host: SimHost, p: Params): unknown {
  requireCluster(host);
  const vmId = optStr(p, 'vmId');
  const vmName = optStr(p, 'vmName');
  const vm = vmId ? findVm(host, vmId) : host.model.vms.find((v) => v.name.toLowerCase() === (vmName ?? '').toLowerCase());
  if (!vm) fail('NotFound', `The virtual machine '${vmName ?? ''}' was not found on any node of the cluster.`);
  if (vmIsClustered(host, vm)) fail('ObjectExists', `The virtual machine '${vm.name}' is already a clustered role.`);
  vm.isClustered = true;
  return vmGroup(host, vm);
}

function clusterRemoveGroup(host: SimHost, p: Params): unknown {
  requireCluster(host);
  const vmId = optStr(p, 'vmId');
  const name = optStr(p, 'name');
  const vm = host.model.vms.find((v) => vmIsClustered(host, v) && (vmId ? v.id === vmId.toLowerCase() : v.name.toLowerCase() === (name ?? '').toLowerCase()));
  if (!vm) {
    if (name && ['cluster group', 'available storage'].includes(name.toLowerCase())) fail('InvalidState', `The cluster group '${name}' is a core group and cannot be removed.`);
    fail('NotFound', `An error occurred opening cluster group '${name ?? vmId ?? ''}'.\nThe group was not found.`);
  }
  if (optBool(p, 'removeResources') !== true) fail('InvalidState', `The cluster group '${vm.name}' contains resources. Use -RemoveResources to remove them with the group.`);
  vm.isClustered = false;
  return null;
}

async function clusterMoveVm(host: SimHost, p: Params): Promise<unknown> {
  requireCluster(host);
  const vmId = str(p, 'vmId').toLowerCase();
  const vm = host.model.vms.find((v) => v.id === vmId && vmIsClustered(host, v));
  if (!vm) fail('NotFound', `The virtual machine with ID '${vmId}' is not a clustered role owned by node '${host.model.name}'.`);
  const node = str(p, 'node');
  const type = str(p, 'migrationType');
  if (type !== 'Live' && type !== 'Quick') fail('InvalidArgument', `The lab simulates migration types Live and Quick, not '${type}'.`);
  const target = findLabHost(host, node);
  const refusal = moveTargetRefusal(host, target, node);
  if (refusal || !target) fail('NotFound', `The cluster node '${node}' cannot own '${vm.name}': ${refusal ?? 'unknown node'}`);
  if (type === 'Live' && vm.state !== 'Running') fail('InvalidState', `Live migration of 'Virtual Machine ${vm.name}' failed.\nThe virtual machine is not running (it is ${vm.state}). ${CURRENT_STATE}`);
  if (type === 'Quick' && !['Running', 'Off', 'Saved'].includes(vm.state)) fail('InvalidState', `Quick migration of 'Virtual Machine ${vm.name}' failed.\n${CURRENT_STATE}`);
  const short = vm.state === 'Running' ? notEnoughMemory(vm, target, vm.memoryAssignedMiB || vm.memoryStartupMiB) : null;
  if (short) fail('OperationFailed', short);
  if (jobKnobs(host).hang) await hang();
  const k = jobKnobs(host);
  const scaled = (ms: number) => sleep(ms * host.knobs.slowFactor);
  if (type === 'Live') {
    await scaled(k.migrationMs);
    transferVm(host, target, vm);
  } else {
    const wasRunning = vm.state === 'Running';
    if (wasRunning) {
      vm.state = 'Saving';
      await scaled(k.actionMs);
      vm.state = 'Saved';
      settle(host, vm, 'Running', 'save');
    }
    await scaled(k.migrationMs / 3);
    transferVm(host, target, vm);
    if (wasRunning) {
      vm.state = 'Starting';
      await scaled(k.actionMs);
      vm.state = 'Running';
      settle(target, vm, 'Saved', 'start');
    }
  }
  return vmGroup(target, vm);
}

// ---- KVP ----------------------------------------------------------------------------------------

const HOST_STATE = 'hlvmm.meta.host_provisioning_system_state';
const GUEST_STATE = 'hlvmm.meta.guest_provisioning_system_state';
const GUEST_ERROR = 'hlvmm.meta.guest_provisioning_error';
/** How long the simulated guest takes to react to a host item (ms, × slowFactor). */
const GUEST_DELAY_MS = 300;
const guestKeys = new WeakMap<SimVm, GuestKeys>();

interface KvpJob {
  jobState: number;
  errorCode: number;
  errorDescription: string;
}
const kvpJobs = new WeakMap<SimHost, Map<string, KvpJob>>();

const kvpOf = (vm: SimVm) => (vm.kvp ??= { host: {}, guest: {} });
const items = (pool: Record<string, string>) => Object.entries(pool).map(([name, data]) => ({ name, data }));

function intrinsicItems(vm: SimVm): Array<{ name: string; data: string }> {
  if (!GUEST_UP.has(vm.state) || !vm.operatingSystem) return [];
  const ips = vm.nics.flatMap((n) => n.ipAddresses);
  const linux = vm.osFamily === 'linux';
  return [
    { name: 'FullyQualifiedDomainName', data: vm.name },
    { name: 'OSName', data: vm.operatingSystem },
    { name: 'OSVersion', data: linux ? '5.15.0' : '10.0.20348' },
    { name: 'OSPlatformId', data: linux ? '100' : '2' },
    { name: 'IntegrationServicesVersion', data: linux ? '3.1' : '10.0.20348.1' },
    { name: 'ProcessorArchitecture', data: '9' },
    { name: 'NetworkAddressIPv4', data: ips.filter((ip) => !ip.includes(':')).join(';') },
    { name: 'NetworkAddressIPv6', data: ips.filter((ip) => ip.includes(':')).join(';') },
  ];
}

function kvpList(host: SimHost, p: Params): unknown {
  return vmsOf(host, optStrs(p, 'vmIds')).map((vm) => ({
    vmId: vm.id,
    vmName: vm.name,
    // The KVP component (a device of the running VM) exists only while the VM is active.
    active: !['Off', 'Saved'].includes(vm.state),
    guestIntrinsic: intrinsicItems(vm),
    guest: GUEST_UP.has(vm.state) ? items(kvpOf(vm).guest) : [],
    host: items(kvpOf(vm).host),
  }));
}

/** Add/Remove/ModifyKvpItems as documented: at most 128 items; the whole call fails if any item is
 * already there (add) or missing (remove, modify); a failure is the job's, the pool is unchanged. */
function kvpChange(host: SimHost, p: Params, verb: 'add' | 'remove' | 'modify'): unknown {
  const vm = findVm(host, str(p, 'vmId'));
  const raw = p.items;
  if (!Array.isArray(raw)) fail('InvalidArgument', 'lab RPC: items must be an array of {name, data}');
  const pool = kvpOf(vm).host;
  const list = (raw as Array<{ name?: unknown; data?: unknown }>).map((item) => ({
    name: typeof item?.name === 'string' ? item.name : '',
    data: typeof item?.data === 'string' ? item.data : '',
  }));
  const failed = (description: string): KvpJob => ({ jobState: 10, errorCode: 32773, errorDescription: description });
  let job: KvpJob = { jobState: 7, errorCode: 0, errorDescription: '' };
  if (list.length === 0 || list.length > 128) job = failed(`The parameter is incorrect: a KVP call takes 1 to 128 items, not ${list.length}.`);
  for (const { name, data } of list) {
    if (job.jobState !== 7) break;
    const exists = Object.prototype.hasOwnProperty.call(pool, name);
    // The guest pool's record holds 512 bytes of key and 2048 of value, each NUL-terminated.
    if (!name || Buffer.byteLength(name) > 511 || Buffer.byteLength(data) > 2047) {
      job = failed(`The parameter is incorrect: KVP item '${name.slice(0, 64)}' has an empty or too long name (max 511 bytes) or data (max 2047 bytes).`);
    } else if (verb === 'add' && exists) {
      job = failed(`Failed to add the KVP item '${name}' to '${vm.name}': an item with that name already exists.`);
    } else if (verb !== 'add' && !exists) {
      job = failed(`Failed to ${verb} the KVP item '${name}' of '${vm.name}': no item with that name exists.`);
    }
  }
  if (job.jobState === 7) {
    for (const { name, data } of list) {
      if (verb === 'remove') delete pool[name];
      else pool[name] = data;
    }
  }
  const jobs = kvpJobs.get(host) ?? new Map<string, KvpJob>();
  kvpJobs.set(host, jobs);
  const id = randomUUID().toUpperCase();
  jobs.set(id, job);
  if (jobs.size > 1000) jobs.delete(jobs.keys().next().value!);
  scheduleGuest(host, vm);
  return { returnValue: 4096, job: { id, ...job } };
}

function jobGet(host: SimHost, p: Params): unknown {
  const id = str(p, 'id').toUpperCase();
  const job = kvpJobs.get(host)?.get(id);
  if (!job) fail('NotFound', 'Not found ');
  return { id, ...job };
}

// ---- the simulated guest ------------------------------------------------------------------------

/** The guest side of the provisioning handshake (contracts §4.2), a moment after each host change. */
function scheduleGuest(host: SimHost, vm: SimVm): void {
  setTimeout(() => guestStep(host, vm), GUEST_DELAY_MS * host.knobs.slowFactor).unref();
}

function guestFail(vm: SimVm, summary: string): void {
  const kvp = kvpOf(vm);
  kvp.guest[GUEST_ERROR] = summary;
  kvp.guest[GUEST_STATE] = 'provisioningfailed';
}

function guestStep(host: SimHost, vm: SimVm): void {
  if (!host.model.vms.includes(vm) || vm.state !== 'Running') return;
  if (hyperVSimKnobs(host).externalKvpGuests?.some((name) => name.toLowerCase() === vm.name.toLowerCase())) return;
  const kvp = kvpOf(vm);
  const hostState = kvp.host[HOST_STATE];
  const guestState = kvp.guest[GUEST_STATE];
  const linux = vm.osFamily === 'linux';
  if (hostState === 'waitingforpublickey' && guestState === undefined) {
    if (!kvp.host['hlvmm.meta.version']) return guestFail(vm, 'error validating:manifest');
    const keys = guestGenerateKey();
    guestKeys.set(vm, keys);
    kvp.guest['hlvmm.meta.guest_provisioning_public_key'] = keys.publicKeyB64;
    // A Linux guest writes an empty error value; Windows never writes empty values.
    if (linux) kvp.guest[GUEST_ERROR] = '';
    kvp.guest[GUEST_STATE] = 'waitingforaeskey';
  } else if (hostState === 'provisioningdatapublished' && guestState === 'waitingforaeskey') {
    const keys = guestKeys.get(vm);
    if (!keys) return guestFail(vm, 'error decrypting:shared_aes_key');
    let data: Record<string, string>;
    try {
      data = guestRead(new Map(Object.entries(kvp.host)), keys);
    } catch (error) {
      return guestFail(vm, (error as Error).message);
    }
    kvp.guest[GUEST_STATE] = 'applying';
    if (data.guest_v4_ip_addr && vm.nics[0]) {
      vm.nics[0].ipAddresses = [labGuestAddress(data.guest_v4_ip_addr)]; // loopback: the app probes it
      vm.ipAddresses = [...vm.nics[0].ipAddresses];
    }
    setTimeout(() => {
      if (kvp.guest[GUEST_STATE] !== 'applying') return;
      if (linux) kvp.guest[GUEST_ERROR] = '';
      kvp.guest[GUEST_STATE] = 'provisioningapplied';
    }, GUEST_DELAY_MS * host.knobs.slowFactor).unref();
  }
}

// ---- dispatch -----------------------------------------------------------------------------------

type Handler = (host: SimHost, p: Params) => unknown;

const HANDLERS: Record<string, Handler> = {
  'host.get': hostGet,
  'service.list': serviceList,
  'switch.list': switchList,
  'vm.list': (host, p) => vmsOf(host, optStrs(p, 'ids')).map((vm) => vmFacts(host, vm)),
  'vm.action': vmAction,
  'vm.new': vmNew,
  'vm.set': vmSet,
  'vm.remove': vmRemove,
  'nic.list': (host, p) => vmsOf(host, optStrs(p, 'vmIds')).flatMap((vm) => vm.nics.map((nic) => nicFacts(vm, nic))),
  'nic.setVlan': nicSetVlan,
  'drive.list': (host, p) => vmsOf(host, optStrs(p, 'vmIds')).flatMap((vm) => vm.disks.map((disk, i) => driveFacts(vm, disk, i))),
  'dvd.list': (host, p) => vmsOf(host, optStrs(p, 'vmIds')).flatMap((vm) => (vm.dvdDrives ?? []).map((dvd) => dvdFacts(vm, dvd))),
  'dvd.add': dvdAdd,
  'dvd.remove': dvdRemove,
  'firmware.set': firmwareSet,
  'vhd.get': vhdGet,
  'vhd.new': vhdNew,
  'vhd.resize': vhdResize,
  'cluster.get': clusterGet,
  'cluster.groups': clusterGroups,
  'cluster.addVmRole': clusterAddVmRole,
  'cluster.removeGroup': clusterRemoveGroup,
  'cluster.moveVm': clusterMoveVm,
  'drive.add': driveAdd,
  'drive.remove': driveRemove,
  'nic.add': nicAdd,
  'nic.connect': nicConnect,
  'nic.remove': nicRemove,
  'snapshot.list': (host, p) => vmsOf(host, optStrs(p, 'vmIds')).flatMap((vm) => (vm.checkpoints ?? []).map((c) => snapshotFacts(vm, c))),
  'snapshot.create': snapshotCreate,
  'snapshot.restore': snapshotRestore,
  'snapshot.rename': snapshotRename,
  'snapshot.remove': snapshotRemove,
  'kvp.list': kvpList,
  'kvp.add': (host, p) => kvpChange(host, p, 'add'),
  'kvp.remove': (host, p) => kvpChange(host, p, 'remove'),
  'kvp.modify': (host, p) => kvpChange(host, p, 'modify'),
  'job.get': jobGet,
};

/** Answered even without Hyper-V rights: the Win32 classes and the service list. */
const OPEN_METHODS = new Set(['host.get', 'service.list']);

export async function handleHyperVRpc(host: SimHost, method: string, params: Record<string, unknown>): Promise<unknown> {
  const handler = HANDLERS[method];
  if (!handler) fail('InvalidArgument', `lab RPC: unknown method '${method}'`);
  if (hyperVSimKnobs(host).failingMethods?.includes(method)) {
    fail('OperationFailed', `The operation failed: the Virtual Machine Management service on '${host.computerName}' returned an error (lab knob failingMethods: ${method}).`);
  }
  if (!OPEN_METHODS.has(method)) {
    if (hyperVSimKnobs(host).accessDenied) {
      fail('PermissionDenied', `You do not have the required permission to complete this task. Contact the administrator of the authorization policy for the computer '${host.computerName}'.`);
    }
    if (!host.knobs.hyperV && !method.startsWith('cluster.')) {
      fail('NotFound', `Hyper-V encountered an error trying to access an object on computer '${host.computerName}' because the object was not found. The object might have been deleted. Verify that the Virtual Machine Management service on the computer is running.`);
    }
  }
  return handler(host, params);
}
