import { memo, useState, type CSSProperties, type KeyboardEvent } from 'react';
import type { HostView, InventoryHost } from '../../../shared/contract';
import type { View } from '../../stores/app-store';
import { VirtualList } from '../../components/VirtualList';
import { isDisconnected } from '../../stores/inventory-derived';
import { HOST_COLUMNS, hostCells } from './host-cells';

/**
 * Above this many hosts the overview's host table is windowed: only the rows in view exist in the
 * DOM. At 2,000 hosts (bench:scale) the plain table cost every host event and every counts update
 * React work, layout and pre-paint for 2,000 rows nobody could see; windowed, ~30 rows.
 */
export const WINDOWED_HOSTS_FROM = 100;
export const HOST_ROW_HEIGHT = 34;
const VIEWPORT_ROWS = 14;
const COLUMNS = '1.3fr 1.2fr 1fr 1fr 0.6fr 1fr 0.8fr';

export interface HostGridProps {
  hosts: HostView[];
  inventoryHostOf(id: string): InventoryHost | undefined;
  clusterOf(id: string): string | undefined;
  navigate(view: View): void;
}

/** The host table for a large fleet: a grid of fixed-height rows, windowed; ↑/↓/Home/End move, Enter opens. */
export function HostGrid({ hosts, inventoryHostOf, clusterOf, navigate }: HostGridProps) {
  const [cursor, setCursor] = useState<number | undefined>();
  const onKeyDown = (e: KeyboardEvent) => {
    const last = hosts.length - 1;
    const at = cursor ?? -1;
    let next: number | undefined;
    if (e.key === 'ArrowDown') next = Math.min(last, at + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, at - 1);
    else if (e.key === 'PageDown') next = Math.min(last, at + VIEWPORT_ROWS);
    else if (e.key === 'PageUp') next = Math.max(0, at - VIEWPORT_ROWS);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = last;
    else if (e.key === 'Enter' && cursor !== undefined && hosts[cursor]) navigate({ name: 'host', id: hosts[cursor].id });
    else return;
    e.preventDefault();
    if (next !== undefined) setCursor(next);
  };
  const renderRow = (index: number) => {
    const h = hosts[index]!;
    return <HostGridRow key={h.id} host={h} inventoryHost={inventoryHostOf(h.id)} cluster={clusterOf(h.id)} cursor={index === cursor} navigate={navigate} />;
  };
  return (
    <div
      className="host-grid"
      role="grid"
      aria-label="Hosts"
      aria-rowcount={hosts.length + 1}
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="host-grid"
      style={{ '--host-columns': COLUMNS } as CSSProperties}
    >
      <div className="host-grid-row host-grid-head" role="row">
        {HOST_COLUMNS.map((label) => (
          <div key={label} role="columnheader">
            {label}
          </div>
        ))}
      </div>
      <VirtualList
        count={hosts.length}
        rowHeight={HOST_ROW_HEIGHT}
        height={Math.min(VIEWPORT_ROWS * HOST_ROW_HEIGHT, hosts.length * HOST_ROW_HEIGHT + 2)}
        renderRow={renderRow}
        revealIndex={cursor}
        testId="host-rows"
        scrollKey="overview:hosts"
      />
    </div>
  );
}

/** One host's row, memoised on its own records (a status event re-renders that row only). */
const HostGridRow = memo(function HostGridRow({
  host: h,
  inventoryHost: ih,
  cluster,
  cursor,
  navigate,
}: {
  host: HostView;
  inventoryHost: InventoryHost | undefined;
  cluster: string | undefined;
  cursor: boolean;
  navigate(view: View): void;
}) {
  return (
    <div
      role="row"
      className={`host-grid-row ${isDisconnected(h, ih) ? 'stale' : ''} ${cursor ? 'cursor' : ''}`}
      style={{ height: HOST_ROW_HEIGHT }}
      aria-selected={cursor}
      data-testid={`host-row-${h.id}`}
      onClick={() => navigate({ name: 'host', id: h.id })}
    >
      {hostCells({ host: h, inventoryHost: ih, cluster, navigate, linkFocusable: false }).map((cell, i) => (
        <div key={HOST_COLUMNS[i]} role="gridcell">
          {cell}
        </div>
      ))}
    </div>
  );
});
