import { useApp } from '../../stores/app-store';
import { StatusDot, statusLabel } from '../../components/StatusDot';
import { ago } from '../../components/time';
import { useClock } from '../../components/Freshness';
import { VmTable } from '../../components/vm-table/VmTable';
import { isDisconnected, useClusterByHost, useFleetFigures, useHostCounts } from '../../stores/inventory-derived';
import { useInventory } from '../../stores/inventory-store';

/** Fleet figures (hosts, clusters, VMs), disconnected hosts, every host, recent activity, all VMs. */
export function OverviewView() {
  const allHosts = useApp((s) => s.hosts);
  const notifications = useApp((s) => s.notifications);
  const navigate = useApp((s) => s.navigate);
  const figures = useFleetFigures();
  const counts = useHostCounts();
  const clusterByHost = useClusterByHost();
  const unavailable = useInventory((s) => s.unavailable);
  useInventory((s) => s.hostsVersion);
  const model = useInventory.getState().model;
  const now = useClock();
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
        <Figure label="VMs" value={figures.vms} testId="figure-vms" />
        <Figure label="Running" value={figures.running} testId="figure-running" />
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
                    {counts.get(h.id)?.running ?? 0}/{counts.get(h.id)?.total ?? 0}
                  </td>
                  <td>{ago(ih?.sync.lastSuccessAt ?? h.lastSeenAt, now)}</td>
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
              <span className="when">{ago(n.updatedAt, now)}</span> <strong>{n.title}</strong> {n.message}
            </li>
          ))}
        </ul>
      )}
      {figures.vms > 0 && (
        <>
          <h2>All virtual machines</h2>
          <VmTable scope={{ kind: 'all' }} />
        </>
      )}
    </section>
  );
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
