import { useState } from 'react';
import type { ConnectionTestResult } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { StatusDot, statusLabel } from '../../components/StatusDot';
import { ago } from '../../components/time';
import { ConnectionTestReport } from '../settings/ConnectionTestReport';

export function HostView({ id }: { id: string }) {
  const host = useApp((s) => s.hosts[id]);
  const backend = useApp((s) => s.backend);
  const [testing, setTesting] = useState(false);
  const [report, setReport] = useState<ConnectionTestResult | string | undefined>();
  if (!host) return <p className="muted">This host is no longer configured.</p>;

  const test = async () => {
    if (!backend) return;
    setTesting(true);
    const result = await backend.invoke('hosts.testConnection', { id });
    setTesting(false);
    setReport(result.ok ? result.data : result.error.message);
  };

  return (
    <section aria-labelledby="host-title">
      <h1 id="host-title">
        <StatusDot status={host.status} /> {host.displayName}
      </h1>
      {host.status === 'unreachable' && (
        <div className="banner banner-warning" role="alert">
          Unreachable{host.lastError ? `: ${host.lastError}` : ''}. Last seen {ago(host.lastSeenAt)}.
        </div>
      )}
      <dl className="facts">
        <dt>Status</dt>
        <dd>{statusLabel(host.status)}</dd>
        <dt>Address</dt>
        <dd>
          {host.transport}://{host.address}:{host.port} ({host.auth.toUpperCase()})
        </dd>
        <dt>Cluster</dt>
        <dd>{host.cluster ?? '—'}</dd>
        <dt>Last seen</dt>
        <dd>{ago(host.lastSeenAt)}</dd>
      </dl>
      <button onClick={() => void test()} disabled={testing}>
        {testing ? 'Testing…' : 'Test connection'}
      </button>
      {report !== undefined && <ConnectionTestReport report={report} />}
    </section>
  );
}
