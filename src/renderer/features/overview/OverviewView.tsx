import { useApp } from '../../stores/app-store';
import { StatusDot, statusLabel } from '../../components/StatusDot';
import { Ago } from '../../components/Freshness';
import { VmTable } from '../../components/vm-table/VmTable';
import { fleetFigures, isDisconnected, useClusterByHost } from '../../stores/inventory-derived';
import { useInventory } from '../../stores/inventory-store';

/**
 * Fleet figures (hosts, clusters, VMs), disconnected hosts, every host, recent activity, all VMs.
 * Under a stream of VM deltas only the parts showing VM counts re-render (the VM figures and each
 * host row's count, see VmFigures and HostVmCount), and the clock re-renders only the "… ago" texts.
 */
export function OverviewView() {
  const allHosts = useApp((s) => s.hosts);
  const notifications = useApp((s) => s.notifications);
  const navigate = useApp((s) => s.navigate);
  const anyVms = useInventory((s) => s.model.vms.size > 0);
  const clusterByHost = useClusterByHost();
  const unavailable = useInventory((s) => s.unavailable);
  useInventory((s) => s.hostsVersion);
  const model = useInventory.getState().model;
  const hosts = Object.values(allHosts).sort((a, b) => a.displayName.localeCompare(b.displayName));
  const connected = hosts.filter((h) => h.status === 'connected').length;
  const clusters = new Set([...clusterByHost.values()].filter(Boolean)).size;
  const down = hosts.filter((h) => isDisconnected(h, model.hosts.get(h.id))).length;
  const recent = Object.values(notifications)
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .slice(0, 8);

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <div className="cards">
        <Figure label="Hosts" value={hosts.length} testId="figure-hosts" />
        <Figure label="Connected" value={connected} testId="figure-connected" />
        <Figure label="Clusters" value={clusters} testId="figure-clusters" />
        <VmFigures />
      </div>
      {down > 0 && (
        <div className="banner banner-warning" role="alert" data-testid="overview-disconnected">
          {down} host{down === 1 ? ' is' : 's are'} unreachable; their VMs show the last known state.{' '}
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
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Host</th>
              <th>Address</th>
              <th>Cluster</th>
              <th>Status</th>
              <th>VMs</th>
              <th>Last seen</th>
            </tr>
          </thead>
          <tbody>
            {hosts.map((h) => {
              const ih = model.hosts.get(h.id);
              return (
                <tr key={h.id} className={isDisconnected(h, ih) ? 'stale' : ''} onClick={() => navigate({ name: 'host', id: h.id })}>
                  <td>
                    <button className="link" onClick={() => navigate({ name: 'host', id: h.id })}>
                      {h.displayName}
                    </button>
                  </td>
                  <td>{h.address}</td>
                  <td>{clusterByHost.get(h.id) ?? '—'}</td>
                  <td>
                    <StatusDot status={h.status} /> {statusLabel(h.status)}
                  </td>
                  <td>
                    <HostVmCount hostId={h.id} />
                  </td>
                  <td>
                    <Ago at={ih?.sync.lastSuccessAt ?? h.lastSeenAt} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <h2>Recent activity</h2>
      {recent.length === 0 ? (
        <p className="muted">Nothing yet.</p>
      ) : (
        <ul className="activity" data-testid="recent-activity">
          {recent.map((n) => (
            <li key={n.id} className={`level-${n.level}`}>
              <span className="when">
                <Ago at={n.updatedAt} />
              </span> <strong>{n.title}</strong> {n.message}
            </li>
          ))}
        </ul>
      )}
      {anyVms && (
        <>
          <h2>All virtual machines</h2>
          <VmTable scope={{ kind: 'all' }} />
        </>
      )}
    </section>
  );
}

/** The VM total and running figures; a delta that changes neither (CPU, memory) does not re-render them. */
function VmFigures() {
  const vms = useInventory((s) => fleetFigures(s.model).vms);
  const running = useInventory((s) => fleetFigures(s.model).running);
  return (
    <>
      <Figure label="VMs" value={vms} testId="figure-vms" />
      <Figure label="Running" value={running} testId="figure-running" />
    </>
  );
}

/** "running/total" for one host, re-rendered only when that host's figures change. */
function HostVmCount({ hostId }: { hostId: string }) {
  const text = useInventory((s) => {
    const c = s.model.counts.get(hostId);
    return `${c?.running ?? 0}/${c?.total ?? 0}`;
  });
  return <>{text}</>;
}

function Figure({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <div className="card figure">
      <div className="figure-value" data-testid={testId}>
        {value}
      </div>
      <div className="figure-label">{label}</div>
    </div>
  );
}
