import type { ReactNode } from 'react';
import type { InventoryVm } from '../../../shared/contract';
import { heartbeatInWords } from '../../../shared/heartbeat-words';
import { cpuUsageText, heldMemoryText } from '../vm-usage';
import { ReachCell } from '../../features/connect/ReachCell';
import type { SortColumn, TableContext } from './table-model';
import { checkpointAge } from '../../features/vm-ops/checkpoint-tree';

/**
 * Every column the VM tables can show, from the fields the inventory list carries (InventoryVm:
 * what travels for every VM; disks' details, NICs and notes are read on demand and are not
 * columns). `width` is the default in px, `min` the narrowest a drag can make it. The name column
 * also takes any spare width.
 */
export interface VmColumn {
  id: SortColumn;
  label: string;
  /** A shorter header where the full label would not fit a narrow column (the chooser and tooltip use `label`). */
  short?: string;
  width: number;
  min: number;
  /** Right-aligned numbers. */
  numeric?: boolean;
  /** The cell's text; columns with a live component (state, freshness) are rendered by the row. */
  text?(vm: InventoryVm, ctx: TableContext): ReactNode;
}

const dash = (v: string | number | null | undefined): string => (v === null || v === undefined || v === '' ? '—' : String(v));

/** Uptime as the tables and the VM page show it: "3 d 4 h", "2 h 5 min", "7 min"; "—" for a VM that is off, saved or unknown. */
export function uptimeText(vm: Pick<InventoryVm, 'state' | 'uptimeS'>): string {
  if (vm.uptimeS === null || vm.state === 'Off' || vm.state === 'Saved' || vm.state === 'Unknown') return '—';
  const s = vm.uptimeS;
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min`;
}

const dateText = (iso: string | null): string => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? '—' : new Date(t).toLocaleDateString();
};

export const VM_COLUMNS: readonly VmColumn[] = [
  { id: 'name', label: 'Name', width: 140, min: 90 },
  { id: 'state', label: 'State', width: 118, min: 80 },
  { id: 'host', label: 'Host', width: 104, min: 60, text: (vm, ctx) => ctx.hostName(vm.hostId) },
  { id: 'cluster', label: 'Cluster', width: 96, min: 60, text: (vm, ctx) => ctx.clusterOf(vm.hostId) ?? '—' },
  { id: 'cpu', label: 'CPU', width: 58, min: 44, numeric: true, text: (vm) => cpuUsageText(vm) },
  { id: 'memory', label: 'Memory', width: 76, min: 56, numeric: true, text: (vm) => heldMemoryText(vm, vm.memoryAssignedMb) },
  { id: 'demand', label: 'Memory demand', short: 'Demand', width: 80, min: 56, numeric: true, text: (vm) => heldMemoryText(vm, vm.memoryDemandMb) },
  { id: 'startup', label: 'Startup memory', short: 'Startup', width: 80, min: 56, numeric: true, text: (vm) => (vm.memoryStartupMb === null ? '—' : `${(vm.memoryStartupMb / 1024).toFixed(1)} GB`) },
  { id: 'vcpu', label: 'vCPU', width: 62, min: 40, numeric: true, text: (vm) => dash(vm.processorCount) },
  { id: 'uptime', label: 'Uptime', width: 92, min: 60, text: uptimeText },
  { id: 'os', label: 'Operating system', short: 'OS', width: 150, min: 70, text: (vm) => dash(vm.operatingSystem) },
  { id: 'generation', label: 'Generation', short: 'Gen.', width: 60, min: 44, numeric: true, text: (vm) => dash(vm.generation) },
  { id: 'disks', label: 'Disks', width: 60, min: 40, numeric: true, text: (vm) => String(vm.diskCount) },
  { id: 'created', label: 'Created', width: 92, min: 60, text: (vm) => dateText(vm.createdAt) },
  { id: 'ip', label: 'IP address', width: 112, min: 70, text: (vm) => vm.ipAddresses[0] ?? '—' },
  { id: 'heartbeat', label: 'Heartbeat', width: 180, min: 60, text: (vm) => dash(heartbeatInWords(vm.heartbeat)) },
  { id: 'checkpoints', label: 'Checkpoints', short: 'Chkpts', width: 70, min: 44, numeric: true, text: (vm) => String(vm.checkpointCount) },
  { id: 'checkpointAge', label: 'Oldest checkpoint', short: 'Oldest chkpt', width: 96, min: 56, numeric: true, text: (vm) => checkpointAge(vm.oldestCheckpointAt) },
  { id: 'observed', label: 'Freshness', width: 124, min: 80 },
  { id: 'rdp', label: 'RDP reachable', short: 'RDP', width: 64, min: 44, text: (vm) => <ReachCell vm={vm} service="rdp" /> },
  { id: 'ssh', label: 'SSH reachable', short: 'SSH', width: 64, min: 44, text: (vm) => <ReachCell vm={vm} service="ssh" /> },
  { id: 'tags', label: 'Tags', width: 120, min: 50, text: (vm) => (vm.tags.length ? vm.tags.join(', ') : '—') },
];

export const COLUMN_BY_ID: ReadonlyMap<SortColumn, VmColumn> = new Map(VM_COLUMNS.map((c) => [c.id, c]));

/** Shown until the user chooses: they fit beside the tree at 1024 px. */
export const DEFAULT_VISIBLE: readonly SortColumn[] = ['name', 'state', 'host', 'cpu', 'memory', 'ip', 'observed'];

/** The row grid's template: fixed widths, the name column taking any spare width. */
export function gridTemplate(visible: readonly VmColumn[], widths: Partial<Record<SortColumn, number>>): string {
  return visible.map((c) => (c.id === 'name' ? `minmax(${widths.name ?? c.width}px, 1fr)` : `${widths[c.id] ?? c.width}px`)).join(' ');
}

/** The narrowest the row can be (columns at their widths, plus the row's padding): below it the table scrolls sideways. */
export function minRowWidth(visible: readonly VmColumn[], widths: Partial<Record<SortColumn, number>>): number {
  return visible.reduce((sum, c) => sum + (widths[c.id] ?? c.width), 0) + 12;
}
