import type { ReactNode } from 'react';
import type { HostView, InventoryHost } from '../../../shared/contract';
import type { View } from '../../stores/app-store';
import { StatusDot, statusLabel } from '../../components/StatusDot';
import { Ago } from '../../components/Freshness';
import { HostTrend } from '../../components/charts/HostTrend';
import { lastSeenAt } from '../../../shared/last-seen';
import { HostVmCount } from './HostVmCount';

/** The overview's host columns, shared by the plain table and the windowed grid (HostGrid). */
export const HOST_COLUMNS = ['Host', 'Address', 'Cluster', 'Status', 'VMs', 'CPU (1 h)', 'Last seen'] as const;

export interface HostCellsInput {
  host: HostView;
  inventoryHost: InventoryHost | undefined;
  cluster: string | undefined;
  navigate(view: View): void;
  /** False in the grid: the grid itself takes the keyboard (arrows, Enter), its links are not tab stops. */
  linkFocusable: boolean;
}

/** One host's cells, in HOST_COLUMNS order; the caller wraps each in its own cell element. */
export function hostCells({ host: h, inventoryHost: ih, cluster, navigate, linkFocusable }: HostCellsInput): ReactNode[] {
  return [
    <button className="link" {...(linkFocusable ? {} : { tabIndex: -1 })} onClick={() => navigate({ name: 'host', id: h.id })}>
      {h.displayName}
    </button>,
    h.address,
    cluster ?? '—',
    <>
      <StatusDot status={h.status} /> {statusLabel(h.status)}
    </>,
    <HostVmCount hostId={h.id} />,
    <HostTrend hostId={h.id} />,
    <span className="live-box live-ago">
      <Ago at={lastSeenAt(ih?.sync, h.lastSeenAt)} />
    </span>,
  ];
}
