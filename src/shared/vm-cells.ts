import type { InventoryHost, InventoryVm, VmReach } from './contract';
import { VM_OPERATIONS, vmOperationDef } from './contract/vm-operations';
import { heartbeatInWords } from './heartbeat-words';

/**
 * The text of every VM table cell, in one place: the table renders it (with icons and badges
 * around it as decoration), and the exports (CSV, JSON, clipboard, `aether-v export`) write it, so
 * what a file holds is what the table showed. No React and no DOM: the CLI uses it too.
 */

/** Every column the VM tables can show; the ids are the CLI's `--columns` and the JSON export's keys. */
export const CELL_COLUMNS = [
  'name',
  'state',
  'host',
  'cluster',
  'cpu',
  'memory',
  'demand',
  'startup',
  'vcpu',
  'uptime',
  'os',
  'generation',
  'disks',
  'created',
  'ip',
  'heartbeat',
  'checkpoints',
  'checkpointAge',
  'observed',
  'rdp',
  'ssh',
  'tags',
] as const;
export type CellColumn = (typeof CELL_COLUMNS)[number];

/** A column's title: the table's tooltip and chooser, the exports' header row. */
export const COLUMN_TITLES: Record<CellColumn, string> = {
  name: 'Name',
  state: 'State',
  host: 'Host',
  cluster: 'Cluster',
  cpu: 'CPU',
  memory: 'Memory',
  demand: 'Memory demand',
  startup: 'Startup memory',
  vcpu: 'vCPU',
  uptime: 'Uptime',
  os: 'Operating system',
  generation: 'Generation',
  disks: 'Disks',
  created: 'Created',
  ip: 'IP address',
  heartbeat: 'Heartbeat',
  checkpoints: 'Checkpoints',
  checkpointAge: 'Oldest checkpoint',
  observed: 'Freshness',
  rdp: 'RDP reachable',
  ssh: 'SSH reachable',
  tags: 'Tags',
};

export function isCellColumn(id: string): id is CellColumn {
  return Object.hasOwn(COLUMN_TITLES, id);
}

/** What a cell needs besides its VM: names from the settings, the host's sync record, reachability, the clock. */
export interface CellContext {
  hostName(hostId: string): string;
  clusterOf(hostId: string): string | null | undefined;
  /** The host's inventory record: its sync times confirm its VMs (the Freshness column). */
  host?(hostId: string): InventoryHost | undefined;
  reach?(vmKey: string): VmReach | undefined;
  /** Settings › reachability.enabled; the RDP/SSH cells say "—" when probing is off. */
  reachEnabled?: boolean;
  /** Milliseconds since the epoch, for "… ago" and ages. */
  now: number;
}

const DASH = '—';
const dash = (v: string | number | null | undefined): string => (v === null || v === undefined || v === '' ? DASH : String(v));

/**
 * An Off or Saved VM runs nothing: Hyper-V reports 0 % CPU and 0 MB assigned for it. Those are
 * shown as "—", as Hyper-V Manager does, so a column of zeros does not read like idle machines.
 * An Unknown VM's figures are not its own either (the host could not say what it is doing).
 */
function runsNothing(vm: Pick<InventoryVm, 'state'>): boolean {
  return vm.state === 'Off' || vm.state === 'Saved' || vm.state === 'Unknown';
}

/** CPU usage in the VM tables and the VM page: "29 %", or "—" when unknown or not running. */
export function cpuUsageText(vm: Pick<InventoryVm, 'state' | 'cpuPercent'>): string {
  return vm.cpuPercent === null || runsNothing(vm) ? DASH : `${Math.round(vm.cpuPercent)} %`;
}

/** Memory a VM holds (assigned or demand, in MB): "5.6 GB", or "—" when unknown or not running. */
export function heldMemoryText(vm: Pick<InventoryVm, 'state'>, mb: number | null): string {
  return mb === null || runsNothing(vm) ? DASH : `${(mb / 1024).toFixed(1)} GB`;
}

/** Uptime as the tables and the VM page show it: "3 d 4 h", "2 h 5 min", "7 min"; "—" for a VM that is off, saved or unknown. */
export function uptimeText(vm: Pick<InventoryVm, 'state' | 'uptimeS'>): string {
  if (vm.uptimeS === null || vm.state === 'Off' || vm.state === 'Saved' || vm.state === 'Unknown') return DASH;
  const s = vm.uptimeS;
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min`;
}

/** The age of a checkpoint: "12 d", "5 h", "40 min"; "—" when unknown. */
export function checkpointAge(iso: string | null, now = Date.now()): string {
  const at = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(at)) return DASH;
  const minutes = Math.max(0, Math.floor((now - at) / 60_000));
  if (minutes >= 1440) return `${Math.floor(minutes / 1440)} d`;
  if (minutes >= 60) return `${Math.floor(minutes / 60)} h`;
  return `${minutes} min`;
}

/** "42 s ago", "5 min ago", "3 h ago" (the same words as components/time.ts ago()). */
export function agoText(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** The creation date in the viewer's locale (the CLI: the system's). */
function dateText(iso: string | null): string {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? DASH : new Date(t).toLocaleDateString();
}

const later = (a: string | null | undefined, b: string | null | undefined): string | null => (!a ? (b ?? null) : !b ? a : a > b ? a : b);

/** When the VM's row was last confirmed: its own observation or its host's latest sync (stores/vm-freshness confirmedAt). */
export function confirmedAt(vm: InventoryVm, host: InventoryHost | undefined): string | null {
  if (vm.placeholder || !host) return vm.observedAt;
  return later(vm.observedAt, later(host.sync.lastSuccessAt, host.sync.lastQuickAt));
}

/** The Freshness cell: "observed 42 s ago", or only "stale since 3 min ago" for a stale row (the tooltip has both). */
export function freshnessText(vm: InventoryVm, host: InventoryHost | undefined, now: number): string {
  if (vm.stale && vm.staleSince) return `stale since ${agoText(vm.staleSince, now)}`;
  return `observed ${agoText(confirmedAt(vm, host), now)}`;
}

const PROGRESS: Record<string, string> = Object.fromEntries(VM_OPERATIONS.map((op) => [op, vmOperationDef(op).progress]));

/** The State cell: the observed state, then "→ Running" (or "Moving…") while an operation is pending. */
export function stateText(vm: InventoryVm): string {
  let text: string = vm.state;
  if (vm.pending) {
    text += vm.pending.desiredState ? ` → ${vm.pending.desiredState}` : ` ${PROGRESS[vm.pending.action] ?? `${vm.pending.action}…`}`;
    if (vm.pending.unconfirmed) text += ' (unconfirmed)';
  }
  if (vm.placeholder) text += ' (not yet on host)';
  return text;
}

/** An RDP or SSH cell: "Open", "Closed", "…" (not probed yet) or "—" (not probed: off, no address, probing disabled). */
export function reachText(vm: Pick<InventoryVm, 'state' | 'ipAddresses'>, reach: VmReach | undefined, service: 'rdp' | 'ssh', enabled: boolean): string {
  if (!enabled || vm.state !== 'Running' || vm.ipAddresses.length === 0) return DASH;
  const state = reach?.[service] ?? 'unknown';
  if (state === 'unknown' || !reach?.checkedAt) return '…';
  return state === 'open' ? 'Open' : 'Closed';
}

/** Exactly the text the VM table shows in this cell. */
export function cellText(column: CellColumn, vm: InventoryVm, ctx: CellContext): string {
  switch (column) {
    case 'name':
      return vm.name;
    case 'state':
      return stateText(vm);
    case 'host':
      return ctx.hostName(vm.hostId);
    case 'cluster':
      return ctx.clusterOf(vm.hostId) ?? DASH;
    case 'cpu':
      return cpuUsageText(vm);
    case 'memory':
      return heldMemoryText(vm, vm.memoryAssignedMb);
    case 'demand':
      return heldMemoryText(vm, vm.memoryDemandMb);
    case 'startup':
      return vm.memoryStartupMb === null ? DASH : `${(vm.memoryStartupMb / 1024).toFixed(1)} GB`;
    case 'vcpu':
      return dash(vm.processorCount);
    case 'uptime':
      return uptimeText(vm);
    case 'os':
      return dash(vm.operatingSystem);
    case 'generation':
      return dash(vm.generation);
    case 'disks':
      return String(vm.diskCount);
    case 'created':
      return dateText(vm.createdAt);
    case 'ip':
      return vm.ipAddresses[0] ?? DASH;
    case 'heartbeat':
      return dash(heartbeatInWords(vm.heartbeat));
    case 'checkpoints':
      return String(vm.checkpointCount);
    case 'checkpointAge':
      return checkpointAge(vm.oldestCheckpointAt, ctx.now);
    case 'observed':
      return freshnessText(vm, ctx.host?.(vm.hostId), ctx.now);
    case 'rdp':
    case 'ssh':
      return reachText(vm, ctx.reach?.(vm.key), column, ctx.reachEnabled ?? true);
    case 'tags':
      return vm.tags.length ? vm.tags.join(', ') : DASH;
  }
}
