import { memo, useMemo } from 'react';
import type { HostView, InventoryHost } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { Ago } from '../../components/Freshness';
import { VmTable } from '../../components/vm-table/VmTable';
import { fleetFigures, isDisconnected, useClusterByHost, useHostNames } from '../../stores/inventory-derived';
import { useInventory } from '../../stores/inventory-store';
import { useCountsPace } from '../../stores/counts-pace';
import { HostGrid, WINDOWED_HOSTS_FROM } from './HostGrid';
import { HOST_COLUMNS, hostCells } from './host-cells';
import { compareNatural } from '../../components/natural-compare';
import { newestFirst } from '../../components/time';
import { messageBesideTitle } from '../../../shared/notification-text';
import { counted } from '../../../shared/counted';

/**
 * Fleet figures (hosts, clusters, VMs), disconnected hosts, every host, recent activity, all VMs.
 * Under a stream of VM deltas only the parts showing VM counts re-render (the VM figures and each
 * host row's count, see VmFigures and HostVmCount), at the counts' pace (a few times a second),
 * and the clock re-renders only the "… ago" texts. A notification re-renders only RecentActivity.
 */
/**
 * The overview's banner for hosts whose inventory is not refreshed: those that do not answer, and
 * those that answer but whose agent cannot be used (newer than this app, deployment failed).
 */
export function notRefreshedSummary(unreachable: number, answering: number): string {
  const total = unreachable + answering;
  const theirVms = total === 1 ? 'its VMs show' : 'their VMs show';
  if (answering === 0) return `${counted(total, 'host')} ${total === 1 ? 'is' : 'are'} unreachable; ${theirVms} the last known state.`;
  if (unreachable === 0) return `${counted(total, 'host')} ${total === 1 ? 'answers' : 'answer'} but ${total === 1 ? 'is' : 'are'} not refreshed; ${theirVms} the last known state.`;
  return `${counted(total, 'host')} are not refreshed (${unreachable} unreachable, ${answering} answering but not refreshed); their VMs show the last known state.`;
}

type Navigate = ReturnType<typeof useApp.getState>['navigate'];

export function OverviewView() {
  const allHosts = useApp((s) => s.hosts);
  const navigate = useApp((s) => s.navigate);
  const anyVms = useInventory((s) => s.model.vms.size > 0);
  const clusterByHost = useClusterByHost();
  const unavailable = useInventory((s) => s.unavailable);
  useInventory((s) => s.hostsVersion);
  const model = useInventory.getState().model;
  // Sorted once per change of names, not per host status event (2,000 hosts: hundreds a minute while hosts are down).
  const hostNames = useHostNames();
  const sortedIds = useMemo(() => [...hostNames].sort((a, b) => compareNatural(a[1], b[1])).map(([id]) => id), [hostNames]);
  const hosts = sortedIds.flatMap((id) => (allHosts[id] ? [allHosts[id]] : []));
  const connected = hosts.filter((h) => h.status === 'connected').length;
  const clusters = new Set([...clusterByHost.values()].filter(Boolean)).size;
  const down = hosts.filter((h) => isDisconnected(h, model.hosts.get(h.id)));
  const unreachable = down.filter((h) => h.status !== 'connected').length;

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <div className="cards">
        <Figure label="Hosts" value={hosts.length} testId="figure-hosts" />
        <Figure label="Connected" value={connected} testId="figure-connected" />
        <Figure label="Clusters" value={clusters} testId="figure-clusters" />
        <VmFigures />
      </div>
      {down.length > 0 && (
        <div className="banner banner-warning" role="alert" data-testid="overview-disconnected">
          {notRefreshedSummary(unreachable, down.length - unreachable)}{' '}
          <button className="link" onClick={() => navigate({ name: 'disconnected' })}>
            Show disconnected hosts
          </button>
        </div>
      )}
      {unavailable && hosts.length > 0 && <p className="muted">Inventory is not available: {unavailable}</p>}
      <h2>Hosts</h2>
      {hosts.length === 0 ? (
        <p className="muted">
          No hosts configured. <button className="link" onClick={() => navigate({ name: 'settings' })}>Add one in Settings</button>.
        </p>
      ) : hosts.length > WINDOWED_HOSTS_FROM ? (
        <HostGrid hosts={hosts} inventoryHostOf={(id) => model.hosts.get(id)} clusterOf={(id) => clusterByHost.get(id)} navigate={navigate} />
      ) : (
        <table className="table">
          <thead>
            <tr>
              {HOST_COLUMNS.map((label) => (
                <th key={label}>{label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {hosts.map((h) => (
              <HostRow key={h.id} host={h} inventoryHost={model.hosts.get(h.id)} cluster={clusterByHost.get(h.id)} navigate={navigate} />
            ))}
          </tbody>
        </table>
      )}
      {/* The VMs before the activity list: the table is what an admin opens the overview for. */}
      {anyVms && (
        <>
          <h2>All virtual machines</h2>
          <VmTable scope={{ kind: 'all' }} />
        </>
      )}
      <RecentActivity />
    </section>
  );
}

/** The latest notifications; its own component, so a notification does not re-render the whole page. */
function RecentActivity() {
  const notifications = useApp((s) => s.notifications);
  const recent = Object.values(notifications).sort(newestFirst).slice(0, 8);
  return (
    <>
      <h2>Recent activity</h2>
      {recent.length === 0 ? (
        <p className="muted">Nothing yet.</p>
      ) : (
        // As tall as its entries (a line each, room for one wrapped), not always ten lines of empty space.
        <ul className="activity" data-testid="recent-activity" style={{ blockSize: `calc(${recent.length + 1} * (1.45em + 6px))` }}>
          {recent.map((n) => (
            <li key={n.id} className={`level-${n.level}`}>
              <span className="when live-box live-ago">
                <Ago at={n.updatedAt} />
              </span> <strong>{n.title}</strong> {messageBesideTitle(n)}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The VM total and running figures, at the counts' pace. */
function VmFigures() {
  useCountsPace();
  const { vms, running } = fleetFigures(useInventory.getState().model);
  return (
    <>
      <Figure label="VMs" value={vms} testId="figure-vms" live />
      <Figure label="Running" value={running} testId="figure-running" live />
    </>
  );
}

/**
 * One host's row. Memoised on its own records: a status update of one host (an unreachable host is
 * retried all the time; with 2,000 hosts several a second) re-renders that row, not the table.
 */
const HostRow = memo(function HostRow({ host: h, inventoryHost: ih, cluster, navigate }: { host: HostView; inventoryHost: InventoryHost | undefined; cluster: string | undefined; navigate: Navigate }) {
  return (
    <tr className={isDisconnected(h, ih) ? 'stale' : ''} onClick={() => navigate({ name: 'host', id: h.id })}>
      {hostCells({ host: h, inventoryHost: ih, cluster, navigate, linkFocusable: true }).map((cell, i) => (
        <td key={HOST_COLUMNS[i]}>{cell}</td>
      ))}
    </tr>
  );
});

/** `live`: a figure that changes under a stream of deltas; it is laid out and painted on its own. */
function Figure({ label, value, testId, live = false }: { label: string; value: number; testId: string; live?: boolean }) {
  return (
    <div className={`card figure ${live ? 'figure-live' : ''}`}>
      <div className="figure-value" data-testid={testId}>
        {value}
      </div>
      <div className="figure-label">{label}</div>
    </div>
  );
}
