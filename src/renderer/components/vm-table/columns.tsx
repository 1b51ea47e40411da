import type { ReactNode } from 'react';
import type { InventoryVm } from '../../../shared/contract';
import { cellText, COLUMN_TITLES, confirmedAt, type CellContext } from '../../../shared/vm-cells';
import type { SortColumn, TableContext } from './table-model';
import { StateBadge } from './StateBadge';
import { useClock } from '../Freshness';
import { ago } from '../time';
import { useInventory } from '../../stores/inventory-store';
import { useReachability } from '../../features/connect/reach-store';
import { reachCell } from '../../features/connect/reach-words';
import { useApp } from '../../stores/app-store';

export { uptimeText } from '../../../shared/vm-cells';

/**
 * Every column the VM tables can show, from the fields the inventory list carries (InventoryVm:
 * what travels for every VM; disks' details, NICs and notes are read on demand and are not
 * columns). `width` is the default in px, `min` the narrowest a drag can make it. The name column
 * also takes any spare width.
 *
 * Every cell's words come from cellText (src/shared/vm-cells.ts), which the exports also write:
 * the components here only add decoration (a state dot, a tooltip, a colour) and liveness.
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
  /** The cell as the table renders it (the name column's link is drawn by the row). */
  render(vm: InventoryVm, ctx: TableContext): ReactNode;
}

/** The table's context as the cell formatter wants it. */
export function cellContext(ctx: TableContext, now = Date.now(), reachEnabled = true): CellContext {
  return { hostName: ctx.hostName, clusterOf: ctx.clusterOf, host: ctx.host, reach: ctx.reach, reachEnabled, now };
}

const plain = (id: SortColumn) => (vm: InventoryVm, ctx: TableContext) => cellText(id, vm, cellContext(ctx));

/** The freshness cell: ticks with the shared clock; re-renders when its host's record is replaced. */
function FreshnessCell({ vm, ctx }: { vm: InventoryVm; ctx: TableContext }) {
  const t = useClock();
  const host = useInventory((s) => s.model.hosts.get(vm.hostId));
  const at = confirmedAt(vm, host);
  const stale = vm.stale && vm.staleSince;
  const label = `observed ${ago(at ?? undefined, t)}`;
  const title = [stale ? `${label} · stale since ${ago(vm.staleSince ?? undefined, t)}` : label, at].filter(Boolean).join('\n');
  return (
    <span className={`freshness ${stale ? 'freshness-stale' : ''}`} data-testid="freshness" title={title}>
      <span className={stale ? 'stale-note' : undefined}>{cellText('observed', vm, { ...cellContext(ctx, t), host: () => host })}</span>
    </span>
  );
}

/** An RDP or SSH cell, subscribed to this VM's probe result alone. */
function ReachTextCell({ vm, service }: { vm: InventoryVm; service: 'rdp' | 'ssh' }) {
  const reach = useReachability((s) => s.byKey.get(vm.key));
  const enabled = useApp((s) => s.settings?.reachability?.enabled ?? true);
  const cell = reachCell(vm, reach, service, enabled);
  const text = cellText(service, vm, { hostName: String, clusterOf: () => null, reach: () => reach, reachEnabled: enabled, now: Date.now() });
  return (
    <span className={`reach reach-${cell.state}`} title={cell.title} data-reach={cell.state}>
      {text}
    </span>
  );
}

type ColumnShape = Omit<VmColumn, 'label' | 'render'> & { render?: VmColumn['render'] };
const column = (c: ColumnShape): VmColumn => ({ ...c, label: COLUMN_TITLES[c.id], render: c.render ?? plain(c.id) });

export const VM_COLUMNS: readonly VmColumn[] = [
  column({ id: 'name', width: 140, min: 90 }),
  column({ id: 'state', width: 118, min: 80, render: (vm) => <StateBadge vm={vm} /> }),
  column({ id: 'host', width: 104, min: 60 }),
  column({ id: 'cluster', width: 96, min: 60 }),
  column({ id: 'cpu', width: 58, min: 44, numeric: true }),
  column({ id: 'memory', width: 76, min: 56, numeric: true }),
  column({ id: 'demand', short: 'Demand', width: 80, min: 56, numeric: true }),
  column({ id: 'startup', short: 'Startup', width: 80, min: 56, numeric: true }),
  column({ id: 'vcpu', width: 62, min: 40, numeric: true }),
  column({ id: 'uptime', width: 92, min: 60 }),
  column({ id: 'os', short: 'OS', width: 150, min: 70 }),
  column({ id: 'generation', short: 'Gen.', width: 60, min: 44, numeric: true }),
  column({ id: 'disks', width: 60, min: 40, numeric: true }),
  column({ id: 'created', width: 92, min: 60 }),
  column({ id: 'ip', width: 112, min: 70 }),
  column({ id: 'heartbeat', width: 180, min: 60 }),
  column({ id: 'checkpoints', short: 'Chkpts', width: 70, min: 44, numeric: true }),
  column({ id: 'checkpointAge', short: 'Oldest chkpt', width: 96, min: 56, numeric: true }),
  column({ id: 'observed', width: 124, min: 80, render: (vm, ctx) => <FreshnessCell vm={vm} ctx={ctx} /> }),
  column({ id: 'rdp', short: 'RDP', width: 64, min: 44, render: (vm) => <ReachTextCell vm={vm} service="rdp" /> }),
  column({ id: 'ssh', short: 'SSH', width: 64, min: 44, render: (vm) => <ReachTextCell vm={vm} service="ssh" /> }),
  column({ id: 'tags', width: 120, min: 50 }),
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
