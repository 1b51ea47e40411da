import { useApp } from '../../stores/app-store';
import { StatusDot, statusLabel } from '../../components/StatusDot';
import { ago } from '../../components/time';

/** Fleet figures and recent activity; with `cluster`, the same for one cluster's hosts. */
export function OverviewView({ cluster }: { cluster?: string }) {
  const allHosts = useApp((s) => s.hosts);
  const notifications = useApp((s) => s.notifications);
  const navigate = useApp((s) => s.navigate);
  const hosts = Object.values(allHosts).filter((h) => !cluster || h.cluster === cluster);
  const connected = hosts.filter((h) => h.status === 'connected').length;
  const clusters = new Set(hosts.map((h) => h.cluster).filter(Boolean)).size;
  const recent = Object.values(notifications)
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .slice(0, 8);

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{cluster ? `Cluster ${cluster}` : 'Overview'}</h1>
      <div className="cards">
        <Figure label="Hosts" value={hosts.length} testId="figure-hosts" />
        <Figure label="Connected" value={connected} testId="figure-connected" />
        {!cluster && <Figure label="Clusters" value={clusters} testId="figure-clusters" />}
      </div>
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
              <th>Last seen</th>
            </tr>
          </thead>
          <tbody>
            {hosts.map((h) => (
              <tr key={h.id} className={h.status === 'unreachable' ? 'stale' : ''} onClick={() => navigate({ name: 'host', id: h.id })}>
                <td>
                  <button className="link" onClick={() => navigate({ name: 'host', id: h.id })}>
                    {h.displayName}
                  </button>
                </td>
                <td>{h.address}</td>
                <td>{h.cluster ?? '—'}</td>
                <td>
                  <StatusDot status={h.status} /> {statusLabel(h.status)}
                </td>
                <td>{ago(h.lastSeenAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Recent activity</h2>
      {recent.length === 0 ? (
        <p className="muted">Nothing yet.</p>
      ) : (
        <ul className="activity">
          {recent.map((n) => (
            <li key={n.id} className={`level-${n.level}`}>
              <span className="when">{ago(n.updatedAt)}</span> <strong>{n.title}</strong> {n.message}
            </li>
          ))}
        </ul>
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
