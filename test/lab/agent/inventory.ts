/**
 * The lab's side of the agent's `inventory` and `inventory.quick` operations: answers from the
 * host's model in exactly the shape Get-HostInventory.ps1 prints (docs/agent.md, contracts §1),
 * with per-host knobs for the situations the refresh service must survive.
 */
import { createHash } from 'node:crypto';
import type { SimHost } from '../host';
import { addVms, removeVms } from '../model/churn';
import type { SimVm, VmState } from '../model/types';
import { AgentOperationError, type AgentOperation } from './types';

export interface InventoryKnobs {
  /** The next N inventory calls (full or quick) fail like a stopped Hyper-V service, then it recovers. */
  downForCycles: number;
  /** Each inventory call takes this long (ms, scaled by the host's slowFactor): a slow host. */
  delayMs: number;
  /** VMs created and deleted on the host before each full inventory answers. */
  churn: { add: number; remove: number } | null;
  /** Emit a single VM as a bare object, as a pre-@() 5.1 script did (contracts §1.7). */
  loneObject: boolean;
  /** The host's clock relative to ours (ms): results carry Host.Timestamp from this clock. */
  clockOffsetMs: number;
  /** UptimeSeconds is null for every VM (a host whose uptime cannot be read): nothing shows a reboot. */
  noUptime: boolean;
  /** Uptime ignores boots (as the lab did before issue 13): a restart the host's evidence never shows. */
  uptimeIgnoresBoots: boolean;
  /**
   * Warnings the next full inventories report (until set back to null): the host's (`Host.Warnings[]`,
   * as a failed host query words it), and per VM id (that VM entry's `Warnings[]`).
   */
  warnings: { host: string[]; vms: Record<string, string[]> } | null;
}

const DEFAULT_INVENTORY_KNOBS: InventoryKnobs = { downForCycles: 0, delayMs: 0, churn: null, loneObject: false, clockOffsetMs: 0, noUptime: false, uptimeIgnoresBoots: false, warnings: null };
const knobsByHost = new WeakMap<SimHost, InventoryKnobs>();
const callsByHost = new WeakMap<SimHost, { full: number; quick: number }>();
// Boot times are spread deterministically before the lab process started, so uptimes are stable.
const LAB_EPOCH_MS = Date.now();

export function inventoryKnobs(host: SimHost): InventoryKnobs {
  return knobsByHost.get(host) ?? { ...DEFAULT_INVENTORY_KNOBS };
}

export function setInventoryKnobs(host: SimHost, patch: Partial<InventoryKnobs>): void {
  const next = { ...inventoryKnobs(host), ...patch };
  if (!Number.isInteger(next.downForCycles) || next.downForCycles < 0) throw new RangeError(`inventory knob downForCycles=${next.downForCycles} must be a whole number ≥ 0`);
  if (!(next.delayMs >= 0 && next.delayMs <= 600_000)) throw new RangeError(`inventory knob delayMs=${next.delayMs} must be 0–600000`);
  knobsByHost.set(host, next);
}

/** How many inventory calls the host answered (successfully or not). */
export function inventoryCalls(host: SimHost): { full: number; quick: number } {
  return { ...(callsByHost.get(host) ?? { full: 0, quick: 0 }) };
}

/** Bytes → GiB with 2 decimals, rounding halves to even like .NET's Math.Round. */
export function toGiB(bytes: number): number {
  const scaled = (bytes / 1024 ** 3) * 100;
  const floor = Math.floor(scaled);
  const rounded = Math.abs(scaled - floor - 0.5) < 1e-9 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(scaled);
  return rounded / 100;
}
const mibToGiB = (mib: number) => toGiB(mib * 1024 * 1024);

/** .NET round-trip ('o') format: seven fractional digits. */
function dotnetIso(date: Date | string): string {
  return new Date(date).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/**
 * States in which the guest's integration services answer, so Hyper-V knows its IP addresses (and
 * KVP): an Off, Saved or Paused VM reports none. One rule for the stand-in and the simulated module.
 */
export const GUEST_UP: ReadonlySet<VmState> = new Set(['Running', 'Stopping', 'Saving', 'Pausing', 'Resuming']);

function online(vm: SimVm): boolean {
  return !['Off', 'Saved', 'Unknown'].includes(vm.state);
}

export function vmUptimeSeconds(vm: SimVm, at = Date.now(), ignoreBoots = false): number {
  if (!online(vm)) return 0;
  if (vm.bootedAt && !ignoreBoots) return Math.max(0, Math.floor((at - Date.parse(vm.bootedAt)) / 1000));
  const offset = createHash('sha1').update(vm.id).digest().readUInt32BE(0) % (30 * 86_400);
  return Math.floor((at - LAB_EPOCH_MS) / 1000) + offset;
}

/** The VM boots now (started from Off or Saved, or reset): its uptime counts from here, as in Hyper-V. */
export function markVmBooted(vm: SimVm, at = Date.now()): void {
  vm.bootedAt = new Date(at).toISOString();
}

export function vmMemoryDemandMiB(vm: SimVm): number {
  return online(vm) ? (vm.memoryDemandMiB ?? Math.round(vm.memoryAssignedMiB * 0.7)) : 0;
}

/** A VM created or removed as a cluster role says so itself; otherwise a clustered host's VMs are roles. */
export function vmIsClustered(host: SimHost, vm: SimVm): boolean {
  return vm.isClustered ?? Boolean(host.model.cluster);
}

export function vmHeartbeat(vm: SimVm): string | null {
  if (vm.state !== 'Running') return null;
  return vm.guestUnresponsive ? 'LostCommunication' : 'OkApplicationsUnknown';
}

/** A VM's checkpoints as Get-HostInventory.ps1 reports them (oldest first), or undefined when it has none. */
export function checkpointEntries(vm: SimVm): Array<Record<string, unknown>> | undefined {
  if (!vm.checkpoints?.length) return undefined;
  return [...vm.checkpoints]
    .sort((a, b) => Date.parse(a.creationTime) - Date.parse(b.creationTime))
    .map((c) => ({ Id: c.id, Name: c.name, ParentId: c.parentId, CreationTime: dotnetIso(c.creationTime), Type: c.type }));
}

async function enter(host: SimHost, kind: 'full' | 'quick', sleep: (ms: number) => Promise<void>): Promise<void> {
  const calls = callsByHost.get(host) ?? { full: 0, quick: 0 };
  calls[kind]++;
  callsByHost.set(host, calls);
  const knobs = inventoryKnobs(host);
  if (knobs.delayMs > 0) await sleep(knobs.delayMs);
  if (knobs.downForCycles > 0) {
    knobsByHost.set(host, { ...knobs, downForCycles: knobs.downForCycles - 1 });
    throw new AgentOperationError('HYPERV_ERROR', `Listing VMs failed on ${host.computerName}: The Virtual Machine Management service is not running.`);
  }
}

/** What the agent reads of a VM's hot state (both operations carry it). */
function hotFields(host: SimHost, vm: SimVm, at: number): Record<string, unknown> {
  return {
    UptimeSeconds: inventoryKnobs(host).noUptime ? null : vmUptimeSeconds(vm, at, inventoryKnobs(host).uptimeIgnoresBoots),
    CpuUsagePercent: vm.cpuUsagePercent,
    MemoryAssignedGB: mibToGiB(vm.memoryAssignedMiB),
    MemoryDemandGB: mibToGiB(vmMemoryDemandMiB(vm)),
    Heartbeat: vmHeartbeat(vm),
  };
}

function vmEntry(host: SimHost, vm: SimVm, at: number): Record<string, unknown> {
  const memoryMiB = vm.memoryAssignedMiB || vm.memoryStartupMiB;
  const entry: Record<string, unknown> = {
    Name: vm.name,
    Id: vm.id,
    State: vm.state,
    ProcessorCount: vm.processorCount,
    MemoryGB: mibToGiB(memoryMiB),
    StartupMemoryGB: mibToGiB(vm.memoryStartupMiB),
    MinimumMemoryGB: vm.dynamicMemoryEnabled ? mibToGiB(vm.memoryMinimumMiB) : null,
    MaximumMemoryGB: vm.dynamicMemoryEnabled ? mibToGiB(vm.memoryMaximumMiB) : null,
    DynamicMemoryEnabled: vm.dynamicMemoryEnabled,
    CreationTime: dotnetIso(vm.creationTime),
    Generation: vm.generation,
    Version: vm.configurationVersion,
    Notes: vm.notes,
    OperatingSystem: vm.operatingSystem,
    Clustered: vmIsClustered(host, vm),
    ...hotFields(host, vm, at),
  };
  const ips: string[] = [];
  const guestUp = GUEST_UP.has(vm.state);
  const nics = vm.nics.map((n) => {
    // The model keeps the guest's addresses across a power cycle; Hyper-V shows them only while it runs.
    const nicIps = guestUp ? n.ipAddresses.filter((ip) => !ip.toLowerCase().startsWith('fe80')) : [];
    for (const ip of nicIps) if (!ips.some((x) => x.toLowerCase() === ip.toLowerCase())) ips.push(ip);
    return { Id: n.id, Name: n.name, AdapterName: n.name, Network: n.switchName, VirtualSwitch: n.switchName, Vlan: n.vlan, IPAddresses: nicIps, MacAddress: n.macAddress };
  });
  if (nics.length) entry.Networks = nics;
  if (ips.length) entry.IPAddresses = ips;
  // Agent 1.4.0: the checkpoint tree and the checkpoint "Now" runs from.
  const checkpoints = checkpointEntries(vm);
  if (checkpoints) entry.Checkpoints = checkpoints;
  entry.ParentCheckpointId = vm.parentCheckpointId ?? null;
  if (vm.disks.length) {
    entry.Disks = vm.disks.map((d) => ({ Id: d.id, Name: d.name, Path: d.path, Location: d.path, DiskType: d.diskType, CapacityGB: toGiB(d.capacityBytes), FileSizeGB: toGiB(d.fileSizeBytes) }));
  }
  return entry;
}

/** The `inventory` data object for a host, as the real agent would print it now. */
export function fullInventoryData(host: SimHost, computerName?: string): Record<string, unknown> {
  const model = host.model;
  const at = Date.now();
  const warnings = inventoryKnobs(host).warnings;
  const vms = model.vms.map((vm) => {
    const entry = vmEntry(host, vm, at);
    const own = warnings?.vms[vm.id];
    return own ? { ...entry, Warnings: own } : entry;
  });
  return {
    Host: {
      ComputerName: computerName ?? host.computerName,
      Timestamp: dotnetIso(new Date(at + inventoryKnobs(host).clockOffsetMs)),
      ClusterName: model.cluster ?? null,
      Warnings: warnings?.host ?? [],
      TotalCpuCores: model.logicalProcessors,
      TotalMemoryGB: mibToGiB(model.memoryTotalMiB),
      AvailableMemoryGB: mibToGiB(model.memoryAvailableMiB),
      // Agent 1.2.0: every switch of the host, as Get-VMSwitch lists them (the lab's are External).
      VirtualSwitches: model.virtualSwitches.map((name) => ({ Name: name, SwitchType: 'External' })),
      // Agent 1.5.0: Get-VMHostSupportedVersion -Default; absent when the cmdlet fails (2012 R2).
      ...(model.defaultVmVersion === null ? {} : { DefaultVmVersion: model.defaultVmVersion ?? '10.0' }),
    },
    VirtualMachines: inventoryKnobs(host).loneObject && vms.length === 1 ? vms[0] : vms,
    Warnings: [],
  };
}

export function quickInventoryData(host: SimHost): Record<string, unknown> {
  const at = Date.now();
  const vms = host.model.vms.map((vm) => ({
    Id: vm.id,
    Name: vm.name,
    State: vm.state,
    ...hotFields(host, vm, at),
  }));
  return {
    Host: { ComputerName: host.computerName, Timestamp: dotnetIso(new Date(at + inventoryKnobs(host).clockOffsetMs)), AvailableMemoryGB: mibToGiB(host.model.memoryAvailableMiB) },
    VirtualMachines: inventoryKnobs(host).loneObject && vms.length === 1 ? vms[0] : vms,
    Warnings: [],
  };
}

let churnSeed = 7_000;

export const inventoryOperations: Record<string, AgentOperation> = {
  inventory: async ({ host, envelope, sleep }) => {
    await enter(host, 'full', sleep);
    const churn = inventoryKnobs(host).churn;
    if (churn) {
      removeVms(host.model, churn.remove);
      addVms(host.model, churn.add, churnSeed++);
    }
    const requested = envelope.fields.computerName;
    return fullInventoryData(host, typeof requested === 'string' && requested ? requested : undefined);
  },
  'inventory.quick': async ({ host, sleep }) => {
    await enter(host, 'quick', sleep);
    return quickInventoryData(host);
  },
};
