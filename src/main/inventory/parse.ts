import type { VmCheckpoint, VmDisk, VmState } from '../../shared/contract';
import type { FullInventoryInput, FullVmInput, HotState, QuickInventoryInput, QuickVmInput, StoredNic } from '../store';

/** The agent answered, but not with the inventory shape of docs/agent.md. */
export class InventoryDataInvalid extends Error {
  override name = 'InventoryDataInvalid';
  readonly code = 'INVENTORY_DATA_INVALID';
}

/** The inventory script ran and reported its own failure (e.g. the Hyper-V service is stopped): the agent is fine. */
export class InventoryScriptFailed extends InventoryDataInvalid {
  override name = 'InventoryScriptFailed';
}

const STATES: ReadonlySet<string> = new Set(['Running', 'Off', 'Saved', 'Paused', 'Starting', 'Stopping', 'Saving', 'Pausing', 'Resuming', 'Unknown']);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Windows PowerShell 5.1 turns a one-element pipeline result into a lone object (contracts §1.7).
 * Our agent wraps with @(), but an older or hand-edited script may not: accept both, and null.
 */
export function asArray(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : v === null || v === undefined ? null : String(v));
const number = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const integer = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);
/** GiB (2 decimals, as the agent rounds) to MiB, the unit the contract shows. */
const gibToMib = (v: unknown): number | null => (number(v) === null ? null : Math.round((v as number) * 1024));
const strings = (v: unknown): string[] => asArray(v).filter((x): x is string => typeof x === 'string');
/** Most warnings kept per host or VM, and characters per warning: a broken host cannot flood the store or the page. */
export const MAX_WARNINGS = 20;
export const MAX_WARNING_LENGTH = 500;
/**
 * Warnings as the host worded them, made safe to keep and show: control characters become spaces,
 * each is cut to MAX_WARNING_LENGTH, duplicates go, at most MAX_WARNINGS. Secrets are masked later,
 * by the refresh (it holds the log's masker).
 */
function warningTexts(v: unknown): string[] {
  const out: string[] = [];
  for (const raw of strings(v)) {
    const clean = raw.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
    const cut = clean.length > MAX_WARNING_LENGTH ? `${clean.slice(0, MAX_WARNING_LENGTH - 1)}…` : clean;
    if (cut && !out.includes(cut)) out.push(cut);
    if (out.length === MAX_WARNINGS) break;
  }
  return out;
}
const state = (v: unknown): VmState => (typeof v === 'string' && STATES.has(v) ? (v as VmState) : 'Unknown');

function parseDisk(d: unknown): VmDisk | undefined {
  if (!isObj(d)) return undefined;
  const path = text(d.Path) ?? text(d.Location) ?? '';
  return { id: text(d.Id) ?? path, name: text(d.Name) ?? 'Unknown', path, type: text(d.DiskType), capacityGb: number(d.CapacityGB), fileSizeGb: number(d.FileSizeGB) };
}

function parseNic(n: unknown): StoredNic | undefined {
  if (!isObj(n)) return undefined;
  return {
    id: text(n.Id) ?? '',
    name: text(n.Name) ?? text(n.AdapterName) ?? '',
    switchName: text(n.VirtualSwitch) ?? text(n.Network),
    vlan: integer(n.Vlan),
    macAddress: text(n.MacAddress) ?? '',
    ipAddresses: strings(n.IPAddresses),
    networkName: text(n.NetworkName),
  };
}

/** One `Checkpoints[]` entry (agent 1.4.0); ids lower-cased like VM ids, so every comparison is one form. */
function parseCheckpoint(c: unknown): VmCheckpoint | undefined {
  if (!isObj(c)) return undefined;
  const id = text(c.Id)?.toLowerCase();
  const createdAt = text(c.CreationTime);
  if (!id || !createdAt) return undefined;
  return { id, name: text(c.Name) ?? '', parentId: text(c.ParentId)?.toLowerCase() ?? null, createdAt, type: text(c.Type) ?? 'Standard' };
}

/**
 * A VM's checkpoints, oldest first (ties by id, so the order and the config hash are stable
 * whatever order the host listed them in). An agent older than 1.4.0 sends no `Checkpoints` key,
 * and 1.4.0 leaves it out when there are none: both mean none.
 */
function parseCheckpoints(value: unknown): VmCheckpoint[] {
  const list = asArray(value).map(parseCheckpoint).filter((c): c is VmCheckpoint => Boolean(c));
  return list.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function parseVm(v: unknown): FullVmInput | undefined {
  if (!isObj(v)) return undefined;
  const id = text(v.Id)?.toLowerCase();
  if (!id || !GUID.test(id)) return undefined;
  const nics = asArray(v.Networks).map(parseNic).filter((n): n is StoredNic => Boolean(n));
  const ips = v.IPAddresses === undefined ? [...new Set(nics.flatMap((n) => n.ipAddresses))] : strings(v.IPAddresses);
  return {
    vmId: id,
    name: text(v.Name) ?? id,
    state: state(v.State),
    config: {
      processorCount: integer(v.ProcessorCount),
      memoryStartupMb: gibToMib(v.StartupMemoryGB),
      memoryMinMb: gibToMib(v.MinimumMemoryGB),
      memoryMaxMb: gibToMib(v.MaximumMemoryGB),
      dynamicMemory: v.DynamicMemoryEnabled === true,
      generation: integer(v.Generation),
      configurationVersion: text(v.Version),
      notes: text(v.Notes),
      operatingSystem: text(v.OperatingSystem),
      createdAt: text(v.CreationTime),
      clustered: v.Clustered === true,
      ipAddresses: ips,
      disks: asArray(v.Disks).map(parseDisk).filter((d): d is VmDisk => Boolean(d)),
      nics,
      checkpoints: parseCheckpoints(v.Checkpoints),
      currentCheckpointId: text(v.ParentCheckpointId)?.toLowerCase() || null,
      // A VM entry's own `Warnings[]` (a query that failed for this VM only); absent: none.
      ...(warningTexts(v.Warnings).length > 0 ? { warnings: warningTexts(v.Warnings) } : {}),
    },
    // An agent older than 1.1.0 does not send hot state with the inventory: leave it to the quick sync.
    ...('CpuUsagePercent' in v ? { hot: hotStateOf(v) } : {}),
  };
}

/** The hot-state fields both operations carry. */
function hotStateOf(v: Obj): Omit<HotState, 'state'> {
  return {
    uptimeS: number(v.UptimeSeconds),
    cpuPercent: number(v.CpuUsagePercent),
    memoryAssignedMb: gibToMib(v.MemoryAssignedGB),
    memoryDemandMb: gibToMib(v.MemoryDemandGB),
    heartbeat: text(v.Heartbeat),
  };
}

/** `Host.VirtualSwitches` → names; null when absent (older agent, failed query) or unreadable. */
function switchNames(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  const names: string[] = [];
  for (const entry of asArray(value)) {
    const name = isObj(entry) ? text(entry.Name) : undefined;
    if (name) names.push(name);
  }
  return names;
}

/** Parses an `inventory` result. Throws InventoryDataInvalid when it cannot be trusted at all. */
export function parseFullInventory(data: unknown, host: string, observedAt: string): FullInventoryInput {
  if (!isObj(data) || !isObj(data.Host)) throw new InventoryDataInvalid(`host ${host}: the inventory result has no Host object; redeploy the agent`);
  if (typeof data.Host.Error === 'string') throw new InventoryScriptFailed(`host ${host}: the inventory script failed: ${data.Host.Error}`);
  if (!('VirtualMachines' in data)) throw new InventoryDataInvalid(`host ${host}: the inventory result has no VirtualMachines list; redeploy the agent`);
  const rawVms = asArray(data.VirtualMachines);
  const vms = rawVms.map(parseVm).filter((v): v is FullVmInput => Boolean(v));
  const warnings = strings(data.Warnings);
  const hostWarningList = strings(data.Host.Warnings);
  const failed = (prefix: string) => warnings.some((w) => w.startsWith(prefix));
  return {
    host: {
      computerName: text(data.Host.ComputerName),
      cluster: text(data.Host.ClusterName) || null,
      clusterLookupFailed: [...hostWarningList, ...warnings].some((w) => w.startsWith('Cluster lookup failed')),
      cpuCores: integer(data.Host.TotalCpuCores),
      memoryGb: number(data.Host.TotalMemoryGB),
      memoryAvailableGb: number(data.Host.AvailableMemoryGB),
      switches: switchNames(data.Host.VirtualSwitches),
      // Agent 1.5.0 (Get-VMHostSupportedVersion -Default); absent on 2012 R2 or an older agent.
      defaultVmVersion: text(data.Host.DefaultVmVersion) ?? null,
      warnings: warningTexts([...hostWarningList, ...warnings]),
    },
    vms,
    observedAt,
    agentTimestamp: text(data.Host.Timestamp),
    // An entry we could not read is a VM we must not tombstone: the enumeration is partial.
    complete: vms.length === rawVms.length,
    keep: {
      nics: failed('Network adapter query failed'),
      disks: failed('Hard disk drive query failed'),
      os: failed('Guest OS (KVP) query failed'),
      // Get-VMSnapshot's batch (agent 1.4.0): a failure must not read as "every checkpoint deleted".
      checkpoints: failed('Checkpoint query failed'),
    },
  };
}

/** Parses an `inventory.quick` result (hot state only). */
export function parseQuickInventory(data: unknown, host: string, observedAt: string): QuickInventoryInput {
  if (!isObj(data) || !('VirtualMachines' in data)) throw new InventoryDataInvalid(`host ${host}: the quick inventory result has no VirtualMachines list; redeploy the agent`);
  const vms: QuickVmInput[] = [];
  for (const v of asArray(data.VirtualMachines)) {
    if (!isObj(v)) continue;
    const id = text(v.Id)?.toLowerCase();
    if (!id || !GUID.test(id)) continue;
    vms.push({
      vmId: id,
      name: text(v.Name) ?? id,
      state: state(v.State),
      ...hotStateOf(v),
    });
  }
  const facts: Obj = isObj(data.Host) ? data.Host : {};
  return { vms, observedAt, agentTimestamp: text(facts.Timestamp), hostMemoryAvailableGb: number(facts.AvailableMemoryGB) };
}
