import { useEffect, useState } from 'react';
import type { Fault, Metrics } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { cellText, columnLabel, groupTitle } from './metric-words';
import './diagnostics.css';

export function DiagnosticsView() {
  const backend = useApp((s) => s.backend);
  const info = useApp((s) => s.info);
  const health = useApp((s) => s.health);
  const hosts = useApp((s) => s.hosts);
  const hostName = (id: string) => hosts[id]?.displayName;
  const [metrics, setMetrics] = useState<Metrics | undefined>();

  useEffect(() => {
    if (!backend) return;
    let stopped = false;
    const load = async () => {
      const result = await backend.invoke('diagnostics.metrics', {});
      if (!stopped && result.ok) setMetrics(result.data);
    };
    void load();
    const timer = setInterval(() => void load(), 5_000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [backend]);

  return (
    <section aria-labelledby="diag-title">
      <h1 id="diag-title">Diagnostics</h1>
      {info && (
        <dl className="facts">
          <dt>Version</dt>
          <dd>
            {info.version} (agent {info.agentVersion})
          </dd>
          <dt>Runtime</dt>
          <dd>
            {info.runtime}, Node {info.nodeVersion}, {info.platform}
          </dd>
          <dt>Data directory</dt>
          <dd>{info.dataDir}</dd>
          <dt>Passwords</dt>
          <dd>{info.secretStorage}</dd>
          {info.keychain && (
            <>
              <dt>OS keychain</dt>
              <dd data-testid="keychain">{info.keychain.available ? `yes — ${info.keychain.detail}` : `no — ${info.keychain.detail}`}</dd>
            </>
          )}
          <dt>Mode</dt>
          <dd>{health?.mode ?? '…'}</dd>
        </dl>
      )}
      <FaultList faults={health?.faults ?? []} />
      {metrics && (
        <>
          <p>
            Up {metrics.uptimeS} s · RSS {metrics.rssMb} MB · heap {metrics.heapUsedMb} MB · event-loop delay p99 {metrics.eventLoopDelayP99Ms} ms
          </p>
          <h2>Services</h2>
          <table className="table" data-testid="services">
            <thead>
              <tr>
                <th>Service</th>
                <th>State</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {metrics.services.map((s) => (
                <tr key={s.name}>
                  <td>{s.name}</td>
                  <td>{s.state}</td>
                  <td>{s.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {metrics.groups.map((g) => (
            <div key={g.name} className="metric-group" data-testid="metric-group" data-group={g.name}>
              <h2>{groupTitle(g.name)}</h2>
              {g.rows.length === 1 ? (
                // One row reads better as label/value pairs than as a table wider than the window.
                <dl className="facts metric-facts">
                  {Object.entries(g.rows[0]!).map(([k, v]) => (
                    <div key={k} className="metric-fact">
                      <dt title={k}>{columnLabel(k)}</dt>
                      <dd>{cellText(k, v, hostName)}</dd>
                    </div>
                  ))}
                </dl>
              ) : (
                <div className="metric-scroll">
                  <table className="table">
                    <thead>
                      <tr>
                        {Object.keys(g.rows[0] ?? {}).map((k) => (
                          <th key={k} title={k}>
                            {columnLabel(k)}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {g.rows.map((row, i) => (
                        <tr key={i}>
                          {Object.entries(row).map(([k, v]) => (
                            <td key={k}>{cellText(k, v, hostName)}</td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </div>
          ))}
        </>
      )}
    </section>
  );
}

const FAULT_LABELS: Record<Fault['kind'], string> = {
  'uncaught-exception': 'Uncaught error',
  'unhandled-rejection': 'Unhandled rejection',
  'disk-full': 'Disk full',
};

/** Errors the backend survived: it kept running, but each one is a bug or a full disk to look at. */
function FaultList({ faults }: { faults: Fault[] }) {
  return (
    <>
      <h2>Faults</h2>
      {faults.length === 0 ? (
        <p data-testid="faults-none">None since the app started.</p>
      ) : (
        <>
          <p>The app kept running after these; details are in the app log.</p>
          <table className="table" data-testid="faults">
            <thead>
              <tr>
                <th>Kind</th>
                <th>Source</th>
                <th>Message</th>
                <th>Count</th>
                <th>Last</th>
              </tr>
            </thead>
            <tbody>
              {faults.map((f) => (
                <tr key={`${f.kind}|${f.source}|${f.message}`}>
                  <td>{FAULT_LABELS[f.kind]}</td>
                  <td>{f.source}</td>
                  <td>{f.message}</td>
                  <td>{f.count}</td>
                  <td>{new Date(f.lastAt).toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
