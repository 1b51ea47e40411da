// The fact-based rules of the VM edit operations (issue 15): what the host and the VM's stored
// details allow, beyond the state table (checkVmOperationState) and the parameter schemas
// (VM_OPERATION_PARAMS). Pure, no node or DOM imports, no schemas: the backend refuses with these
// reasons (src/main/jobs/vm-operations.ts) and the renderer shows the same reason before submitting.
import type { HostView } from './contract/hosts';
import type { InventoryHost, InventoryVm, VmDetails } from './contract/inventory';
import type { VmEditOperation } from './contract/vm-operations';
import type { VmOperationParams } from './contract/vm-operation-params';

/** Stable refusal codes of the fact-based rules (docs/jobs.md "vm.operate"). */
export type VmOperationRefusalCode =
  /** The operation needs another state for these parameters (Generation 1 and Off, running memory, live move). */
  | 'INVALID_STATE'
  /** A parameter value the host or the VM cannot take; `field` names it. */
  | 'VALIDATION_FAILED'
  | 'DISK_NOT_FOUND'
  | 'NIC_NOT_FOUND'
  | 'CHECKPOINT_NOT_FOUND'
  /** The disk file is attached to another VM (or already to this one). */
  | 'DISK_IN_USE'
  /** The disk's VM has checkpoints: its file is an .avhdx chain that must not be resized or deleted. */
  | 'DISK_HAS_CHECKPOINTS'
  | 'MAC_IN_USE'
  /** A move of a VM that is not a cluster role. */
  | 'NOT_CLUSTERED'
  /** A move target that is not another connected node of the VM's cluster. */
  | 'TARGET_HOST_INVALID'
  /** A move target without the free memory the VM uses. */
  | 'INSUFFICIENT_MEMORY';

export type VmOperationVerdict = { ok: true } | { ok: false; code: VmOperationRefusalCode; field: string | null; reason: string };

/** A configured host a VM could move to, as the host list and the inventory know it. */
export interface VmMoveCandidate {
  hostId: string;
  name: string;
  /** Connected and its agent ready: a move there can be confirmed. */
  connected: boolean;
  /** The cluster the host reported (null: standalone or not inventoried yet). */
  cluster: string | null;
  /** Free physical memory it reported, MB (null: unknown, not judged). */
  memoryAvailableMb: number | null;
}

/** What the rules know about the VM's host. Optional lists that are absent are not judged. */
export interface VmOperationHost {
  hostId: string;
  /** The name the admin knows it by (display name). */
  name: string;
  /** Logical processors (inventory `cpuCores`); null: unknown. */
  logicalProcessors: number | null;
  /** Total physical memory, MB; null: unknown. */
  memoryMb: number | null;
  /** Every virtual switch the host reported (agent 1.2.0+); null: unknown (an older agent), not judged. */
  switches: readonly string[] | null;
  /** The cluster the host reported; null: standalone. */
  cluster: string | null;
  /**
   * Disk files attached to the host's VMs (with the VM's id and name), and on a cluster node those
   * of the other nodes' VMs too (`hostName` set): cluster storage is shared by every node.
   */
  diskPaths?: ReadonlyArray<{ path: string; vmId: string; vmName: string; hostName?: string }>;
  /** MAC addresses of the host's VMs' adapters. */
  macAddresses?: ReadonlyArray<{ macAddress: string; vmId: string; vmName: string }>;
  /** Configured hosts a move may target (every one but unknown ones); absent: moves are not judged. */
  moveCandidates?: readonly VmMoveCandidate[];
}

/** A host's reported facts as the inventory snapshot carries them. */
export type VmOperationHostFacts = Pick<InventoryHost, 'hostId' | 'cpuCores' | 'memoryGb' | 'memoryAvailableGb' | 'switches' | 'cluster'> & { sync: Pick<InventoryHost['sync'], 'lastSuccessAt'> };
/** A configured host as the host list carries it. */
export type VmOperationConfiguredHost = Pick<HostView, 'id' | 'displayName' | 'enabled' | 'status'>;

/**
 * The VM's host for checkVmOperationParams, built the same way by the backend and the renderer:
 * the inventory's facts of every host (`snapshot.hosts`) and the configured hosts (`hosts.list`).
 * `extra` adds what only the backend reads from its store (other VMs' disk files and MACs) and its
 * agent readiness; without them those rules are not judged.
 */
export function vmOperationHost(
  hostId: string,
  facts: readonly VmOperationHostFacts[],
  configured: readonly VmOperationConfiguredHost[],
  extra: Pick<VmOperationHost, 'diskPaths' | 'macAddresses'> & { agentReady?: (hostId: string) => boolean } = {},
): VmOperationHost {
  const factsOf = (id: string) => facts.find((f) => f.hostId === id);
  const own = factsOf(hostId);
  const mbOf = (gb: number | null | undefined) => (gb === null || gb === undefined ? null : gb * 1024);
  const { agentReady, ...lists } = extra;
  return {
    hostId,
    name: configured.find((h) => h.id === hostId)?.displayName ?? hostId,
    logicalProcessors: own?.cpuCores ?? null,
    memoryMb: mbOf(own?.memoryGb),
    // A list from a host never inventoried is not its report (the create form's rule).
    switches: own?.sync.lastSuccessAt != null ? own.switches : null,
    cluster: own?.cluster ?? null,
    ...lists,
    moveCandidates: configured.map((h) => ({
      hostId: h.id,
      name: h.displayName,
      connected: h.enabled && h.status === 'connected' && (agentReady?.(h.id) ?? true),
      cluster: factsOf(h.id)?.cluster ?? null,
      memoryAvailableMb: mbOf(factsOf(h.id)?.memoryAvailableGb),
    })),
  };
}

/** The VM's facts the rules read (a row of the inventory). */
export type VmOperationVm = Pick<InventoryVm, 'vmId' | 'name' | 'state' | 'generation' | 'processorCount' | 'memoryStartupMb' | 'dynamicMemory' | 'memoryAssignedMb' | 'clustered'>;
/** The VM's stored details the rules read (inventory.vm). */
export type VmOperationDetails = Pick<VmDetails, 'memoryMinMb' | 'memoryMaxMb' | 'disks' | 'nics' | 'checkpoints'>;

const OK: VmOperationVerdict = { ok: true };
/** Hyper-V's limit for Generation 1 VMs (Generation 2: 240, in the parameter schema). */
const GEN1_MAX_PROCESSORS = 64;

/** A MAC address as 12 upper-case hex digits (Hyper-V reports them without separators). */
export function normalizeMac(mac: string): string {
  return mac.replace(/[-:.]/g, '').toUpperCase();
}

/** Windows paths compare without regard to case or slash direction. */
export function samePath(a: string, b: string): boolean {
  return a.replace(/\//g, '\\').toLowerCase() === b.replace(/\//g, '\\').toLowerCase();
}

const ABSOLUTE_WINDOWS_PATH = /^(?:[A-Za-z]:[\\/]|\\\\[^\\]+\\[^\\]+)/;
const mb = (value: number) => `${value} MB`;

/**
 * Whether `op` with `params` (already valid against VM_OPERATION_PARAMS[op]) may run on `vm`,
 * judged by the VM's stored details and its host's reported facts. The state table
 * (checkVmOperationState) is checked first and separately; the rules here are those that depend
 * on the parameters. Reasons name the VM, the host and what to do.
 */
export function checkVmOperationParams<K extends VmEditOperation>(vm: VmOperationVm, details: VmOperationDetails, host: VmOperationHost, op: K, params: VmOperationParams[K]): VmOperationVerdict {
  const rules = RULES[op] as (c: RuleContext, p: VmOperationParams[K]) => VmOperationVerdict;
  return rules({ vm, details, host, at: `${vm.name} on ${host.name}` }, params);
}

interface RuleContext {
  vm: VmOperationVm;
  details: VmOperationDetails;
  host: VmOperationHost;
  /** "web-20 on hv01": how every reason starts. */
  at: string;
}

const refuse = (code: VmOperationRefusalCode, field: string | null, reason: string): VmOperationVerdict => ({ ok: false, code, field, reason });

/** Generation 1 VMs attach disks on IDE and have no hot-add of adapters: those changes need it Off. */
function generation1NeedsOff(c: RuleContext, what: string): VmOperationVerdict {
  if (c.vm.generation === 1 && c.vm.state !== 'Off') {
    return refuse('INVALID_STATE', null, `${c.at}: a Generation 1 VM must be Off to ${what} (it is ${c.vm.state}); shut it down first`);
  }
  return OK;
}

function diskOf(c: RuleContext, diskId: string, field = 'params.diskId') {
  const disk = c.details.disks.find((d) => d.id.toLowerCase() === diskId.toLowerCase());
  return disk ? { disk } : { refusal: refuse('DISK_NOT_FOUND', field, `${c.at} has no disk with id ${diskId}; refresh the host and pick a disk from the VM's Disks tab`) };
}

function nicOf(c: RuleContext, nicId: string) {
  const nic = c.details.nics.find((n) => n.id.toLowerCase() === nicId.toLowerCase());
  return nic ? { nic } : { refusal: refuse('NIC_NOT_FOUND', 'params.nicId', `${c.at} has no network adapter with id ${nicId}; refresh the host and pick one from the VM's Network tab`) };
}

function checkpointExists(c: RuleContext, checkpointId: string): VmOperationVerdict {
  if (c.details.checkpoints.some((cp) => cp.id.toLowerCase() === checkpointId.toLowerCase())) return OK;
  return refuse('CHECKPOINT_NOT_FOUND', 'params.checkpointId', `${c.at} has no checkpoint ${checkpointId}; refresh the host and pick one from the VM's Checkpoints tab`);
}

/** Same rule as the create form (src/shared/network-rules.ts): judged only against a complete list the host reported. */
function switchKnown(c: RuleContext, name: string): VmOperationVerdict {
  const switches = c.host.switches;
  if (!switches) return OK;
  if (switches.some((s) => s.toLowerCase() === name.trim().toLowerCase())) return OK;
  if (switches.length === 0) return refuse('VALIDATION_FAILED', 'params.switchName', `${c.host.name} reports no virtual switches; create the switch "${name}" on the host first`);
  const list = switches.length > 5 ? `${switches.slice(0, 5).join(', ')} and ${switches.length - 5} more` : switches.join(', ');
  return refuse('VALIDATION_FAILED', 'params.switchName', `"${name}" is not a virtual switch of ${c.host.name} (its inventory reports ${list}); choose one of those`);
}

function processors(c: RuleContext, p: VmOperationParams['processors']): VmOperationVerdict {
  const lps = c.host.logicalProcessors;
  if (lps !== null && p.count > lps) {
    return refuse('VALIDATION_FAILED', 'params.count', `${c.at}: ${p.count} processors is more than ${c.host.name} has (${lps} logical processors); choose ${lps} or fewer`);
  }
  if (c.vm.generation === 1 && p.count > GEN1_MAX_PROCESSORS) {
    return refuse('VALIDATION_FAILED', 'params.count', `${c.at}: a Generation 1 VM takes at most ${GEN1_MAX_PROCESSORS} processors; choose ${GEN1_MAX_PROCESSORS} or fewer`);
  }
  return OK;
}

/**
 * Startup ≤ the host's memory; with dynamic memory minimum ≤ startup ≤ maximum (a limit left out
 * keeps the stored one). Running: startup and the dynamic switch need the VM Off, and a running
 * VM's dynamic memory may only widen (minimum lowered, maximum raised; buffer any).
 */
function memory(c: RuleContext, p: VmOperationParams['memory']): VmOperationVerdict {
  const hostMb = c.host.memoryMb;
  if (hostMb !== null && p.startupMb > hostMb) {
    return refuse('VALIDATION_FAILED', 'params.startupMb', `${c.at}: startup memory ${mb(p.startupMb)} is more than ${c.host.name} has (${mb(Math.floor(hostMb))}); choose less`);
  }
  if (!p.dynamic) {
    for (const key of ['minimumMb', 'maximumMb', 'bufferPercent'] as const) {
      if (p[key] !== undefined) return refuse('VALIDATION_FAILED', `params.${key}`, `${c.at}: ${key} applies only with dynamic memory on; turn dynamic memory on or leave ${key} out`);
    }
  }
  const running = c.vm.state !== 'Off';
  if (running) {
    if (!c.vm.dynamicMemory && !p.dynamic) {
      return refuse('INVALID_STATE', 'params.startupMb', `${c.at}: a VM without dynamic memory can only change its memory while it is Off (it is ${c.vm.state}); shut it down first`);
    }
    if (c.vm.memoryStartupMb !== null && p.startupMb !== c.vm.memoryStartupMb) {
      return refuse('INVALID_STATE', 'params.startupMb', `${c.at}: startup memory can only change while the VM is Off (it is ${c.vm.state}); shut it down first, or keep ${mb(c.vm.memoryStartupMb)}`);
    }
    if (p.dynamic !== c.vm.dynamicMemory) {
      return refuse('INVALID_STATE', 'params.dynamic', `${c.at}: dynamic memory can only be turned ${p.dynamic ? 'on' : 'off'} while the VM is Off (it is ${c.vm.state}); shut it down first`);
    }
  }
  if (!p.dynamic) return OK;
  const min = p.minimumMb ?? c.details.memoryMinMb ?? p.startupMb;
  const max = p.maximumMb ?? c.details.memoryMaxMb ?? p.startupMb;
  if (min > p.startupMb) return refuse('VALIDATION_FAILED', 'params.minimumMb', `${c.at}: minimum memory ${mb(min)} is more than the startup memory ${mb(p.startupMb)}; lower the minimum or raise the startup memory`);
  if (max < p.startupMb) return refuse('VALIDATION_FAILED', 'params.maximumMb', `${c.at}: maximum memory ${mb(max)} is less than the startup memory ${mb(p.startupMb)}; raise the maximum or lower the startup memory`);
  if (running) {
    if (p.minimumMb === undefined && p.maximumMb === undefined && p.bufferPercent === undefined) {
      return refuse('VALIDATION_FAILED', 'params.minimumMb', `${c.at}: while it is ${c.vm.state} only its minimum, maximum and buffer can change; give at least one of them`);
    }
    const storedMin = c.details.memoryMinMb;
    const storedMax = c.details.memoryMaxMb;
    if (p.minimumMb !== undefined && storedMin !== null && p.minimumMb > storedMin) {
      return refuse('INVALID_STATE', 'params.minimumMb', `${c.at}: a running VM's minimum memory can only be lowered (it is ${mb(storedMin)}); choose ${mb(storedMin)} or less, or shut the VM down first`);
    }
    if (p.maximumMb !== undefined && storedMax !== null && p.maximumMb < storedMax) {
      return refuse('INVALID_STATE', 'params.maximumMb', `${c.at}: a running VM's maximum memory can only be raised (it is ${mb(storedMax)}); choose ${mb(storedMax)} or more, or shut the VM down first`);
    }
  }
  return OK;
}

function diskAdd(c: RuleContext, p: VmOperationParams['disk.add']): VmOperationVerdict {
  const state = generation1NeedsOff(c, 'add a disk');
  if (!state.ok) return state;
  if (p.mode === 'new') {
    if (p.folder !== undefined && !ABSOLUTE_WINDOWS_PATH.test(p.folder)) {
      return refuse('VALIDATION_FAILED', 'params.folder', `${c.at}: the folder must be a full path on ${c.host.name} (such as D:\\VMs or \\\\server\\share\\VMs); leave it empty for the folder of the VM's first disk`);
    }
    return OK;
  }
  if (!ABSOLUTE_WINDOWS_PATH.test(p.path) || !/\.vhdx?$/i.test(p.path)) {
    return refuse('VALIDATION_FAILED', 'params.path', `${c.at}: the path must be the full path of a .vhdx or .vhd file on ${c.host.name} (such as D:\\VMs\\data.vhdx)`);
  }
  if (c.details.disks.some((d) => samePath(d.path, p.path))) {
    return refuse('DISK_IN_USE', 'params.path', `${c.at}: ${p.path} is already attached to this VM; choose another file`);
  }
  const user = c.host.diskPaths?.find((d) => d.vmId !== c.vm.vmId && samePath(d.path, p.path));
  if (user) return refuse('DISK_IN_USE', 'params.path', `${c.at}: ${p.path} is attached to ${user.vmName} on ${user.hostName ?? c.host.name}; a disk file can belong to one VM only, so choose another file or detach it from ${user.vmName} first`);
  return OK;
}

function diskExpand(c: RuleContext, p: VmOperationParams['disk.expand']): VmOperationVerdict {
  const found = diskOf(c, p.diskId);
  if (!found.disk) return found.refusal;
  const disk = found.disk;
  if (c.details.checkpoints.length > 0 || /\.avhdx?$/i.test(disk.path)) {
    return refuse('DISK_HAS_CHECKPOINTS', 'params.diskId', `${c.at} has checkpoints, so its disk ${disk.name} is a chain of differencing files that cannot be resized; delete the checkpoints first`);
  }
  if (disk.capacityGb !== null && p.sizeGb <= disk.capacityGb) {
    return refuse('VALIDATION_FAILED', 'params.sizeGb', `${c.at}: disk ${disk.name} is ${disk.capacityGb} GB; a disk can only grow, so choose more than ${disk.capacityGb} GB`);
  }
  if (c.vm.state !== 'Off') {
    if (c.vm.generation === 1) return refuse('INVALID_STATE', null, `${c.at}: a Generation 1 VM's disk can only be expanded while it is Off (it is ${c.vm.state}); shut it down first`);
    if (!/\.vhdx$/i.test(disk.path)) return refuse('INVALID_STATE', null, `${c.at}: ${disk.name} is a .vhd file, which can only be expanded while the VM is Off (it is ${c.vm.state}); shut it down first`);
  }
  return OK;
}

function diskRemove(c: RuleContext, p: VmOperationParams['disk.remove']): VmOperationVerdict {
  const found = diskOf(c, p.diskId);
  if (!found.disk) return found.refusal;
  const state = generation1NeedsOff(c, 'remove a disk');
  if (!state.ok) return state;
  if (p.deleteFile) {
    if (c.details.checkpoints.length > 0) {
      return refuse('DISK_HAS_CHECKPOINTS', 'params.deleteFile', `${c.at} has checkpoints that still need ${found.disk.name}'s file; delete the checkpoints first, or remove the disk and keep the file`);
    }
    const other = c.host.diskPaths?.find((d) => d.vmId !== c.vm.vmId && samePath(d.path, found.disk.path));
    if (other) return refuse('DISK_IN_USE', 'params.deleteFile', `${c.at}: ${found.disk.path} is also attached to ${other.vmName}${other.hostName ? ` on ${other.hostName}` : ''}; remove the disk but keep the file`);
  }
  return OK;
}

function nicAdd(c: RuleContext, p: VmOperationParams['nic.add']): VmOperationVerdict {
  const state = generation1NeedsOff(c, 'add a network adapter');
  if (!state.ok) return state;
  const sw = switchKnown(c, p.switchName);
  if (!sw.ok) return sw;
  if (p.macAddress !== null) {
    const mac = normalizeMac(p.macAddress);
    // The lowest bit of the first byte marks a group (multicast) address, which no adapter may have.
    if (/^0{12}$/.test(mac) || parseInt(mac.slice(0, 2), 16) & 1) {
      return refuse('VALIDATION_FAILED', 'params.macAddress', `${c.at}: ${p.macAddress} is not a usable adapter address (all zeros or multicast); choose another, or leave it empty for a dynamic address`);
    }
    const ownUser = c.details.nics.find((n) => normalizeMac(n.macAddress) === mac);
    if (ownUser) return refuse('MAC_IN_USE', 'params.macAddress', `${c.at}: its adapter ${ownUser.name} already has ${p.macAddress}; choose another address`);
    const user = c.host.macAddresses?.find((m) => m.vmId !== c.vm.vmId && normalizeMac(m.macAddress) === mac);
    if (user) return refuse('MAC_IN_USE', 'params.macAddress', `${c.at}: ${p.macAddress} is used by ${user.vmName} on ${c.host.name}; choose another address, or leave it empty for a dynamic one`);
  }
  return OK;
}

function nicUpdate(c: RuleContext, p: VmOperationParams['nic.update']): VmOperationVerdict {
  const found = nicOf(c, p.nicId);
  if (!found.nic) return found.refusal;
  if (p.switchName === undefined && p.vlan === undefined) {
    return refuse('VALIDATION_FAILED', 'params.switchName', `${c.at}: say what to change on adapter ${found.nic.name}: a switch, a VLAN, or both`);
  }
  return p.switchName === undefined ? OK : switchKnown(c, p.switchName);
}

function nicRemove(c: RuleContext, p: VmOperationParams['nic.remove']): VmOperationVerdict {
  const found = nicOf(c, p.nicId);
  if (!found.nic) return found.refusal;
  return generation1NeedsOff(c, 'remove a network adapter');
}

/**
 * Whether the VM may move to `target` now: another connected node of the VM's own cluster, with
 * the free memory the VM uses. Live migration needs the VM Running. The renderer's node picker
 * shows each candidate with this verdict.
 */
export function checkMoveTarget(vm: VmOperationVm, host: VmOperationHost, target: VmMoveCandidate | undefined, migrationType: 'live' | 'quick'): VmOperationVerdict {
  const at = `${vm.name} on ${host.name}`;
  if (!vm.clustered || !host.cluster) {
    return refuse('NOT_CLUSTERED', null, `${at} is not a clustered VM (a role of a failover cluster), so it cannot move between nodes; make it highly available in Failover Cluster Manager first`);
  }
  if (migrationType === 'live' && vm.state !== 'Running') {
    return refuse('INVALID_STATE', 'params.migrationType', `${at}: live migration moves a Running VM and it is ${vm.state}; use a quick migration instead`);
  }
  if (!target) return refuse('TARGET_HOST_INVALID', 'params.targetHostId', `${at}: the target host is not configured in this app; add it in Settings, or choose another node`);
  if (target.hostId === host.hostId) return refuse('TARGET_HOST_INVALID', 'params.targetHostId', `${at}: the VM is already on ${target.name}; choose another node of ${host.cluster}`);
  if (target.cluster === null || target.cluster.toLowerCase() !== host.cluster.toLowerCase()) {
    const where = target.cluster ? `in cluster ${target.cluster}` : 'not known to be in a cluster (it reported none, or was not inventoried yet)';
    return refuse('TARGET_HOST_INVALID', 'params.targetHostId', `${at}: ${target.name} is ${where}; a VM can only move to another node of its own cluster ${host.cluster}`);
  }
  if (!target.connected) return refuse('TARGET_HOST_INVALID', 'params.targetHostId', `${at}: ${target.name} is not connected; wait until it is, or choose another node`);
  const needed = vm.memoryAssignedMb ?? 0;
  if (target.memoryAvailableMb !== null && needed > 0 && target.memoryAvailableMb < needed) {
    return refuse(
      'INSUFFICIENT_MEMORY',
      'params.targetHostId',
      `${at}: ${target.name} has ${mb(Math.floor(target.memoryAvailableMb))} free, less than the ${mb(Math.round(needed))} the VM uses; choose a node with more free memory`,
    );
  }
  return OK;
}

function move(c: RuleContext, p: VmOperationParams['move']): VmOperationVerdict {
  if (!c.host.moveCandidates) return OK;
  return checkMoveTarget(c.vm, c.host, c.host.moveCandidates.find((t) => t.hostId === p.targetHostId), p.migrationType);
}

const always = (): VmOperationVerdict => OK;

const RULES: { [K in VmEditOperation]: (c: RuleContext, p: VmOperationParams[K]) => VmOperationVerdict } = {
  processors,
  memory,
  notes: always,
  'disk.add': diskAdd,
  'disk.expand': diskExpand,
  'disk.remove': diskRemove,
  'nic.add': nicAdd,
  'nic.update': nicUpdate,
  'nic.remove': nicRemove,
  // Hyper-V decides whether a production checkpoint can be taken (the guest's VSS / fsfreeze).
  'checkpoint.create': always,
  'checkpoint.apply': (c, p) => checkpointExists(c, p.checkpointId),
  'checkpoint.rename': (c, p) => checkpointExists(c, p.checkpointId),
  'checkpoint.delete': (c, p) => checkpointExists(c, p.checkpointId),
  move,
};
