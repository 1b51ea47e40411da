// Agent deployment in Settings: the live progress line (the same notification the bell shows),
// where hosts download from, each host's agent state and error, and force-redeploy buttons.
import { useCallback, useEffect, useState } from 'react';
import type { DeploymentHostState, DeploymentStatus } from '../../../shared/contract/areas/deployment';
import { useApp } from '../../stores/app-store';

const PROGRESS_KEY = 'agent-deployment';
const POLL_MS = 1000;

const STATE_LABEL: Record<DeploymentHostState, string> = {
  pending: 'waiting',
  checking: 'checking version',
  deploying: 'deploying',
  ready: 'ready',
  newer: 'newer agent (left alone)',
  failed: 'failed',
  unreachable: 'unreachable',
};

// Colours come from the theme variables (styles.css belongs to the shell).
const STATE_COLOR: Record<DeploymentHostState, string> = {
  pending: 'var(--muted)',
  checking: 'var(--muted)',
  deploying: 'var(--muted)',
  ready: 'var(--ok)',
  newer: 'var(--warn)',
  failed: 'var(--bad)',
  unreachable: 'var(--bad)',
};
const BAD = { color: 'var(--bad)' };

export function DeploymentPanel() {
  const backend = useApp((s) => s.backend);
  const toast = useApp((s) => s.toast);
  const progress = useApp((s) => Object.values(s.notifications).find((n) => n.key === PROGRESS_KEY));
  const [status, setStatus] = useState<DeploymentStatus | undefined>();
  const [error, setError] = useState<string | undefined>();

  const refresh = useCallback(async () => {
    if (!backend) return;
    const result = await backend.invoke('deployment.status', {});
    if (result.ok) {
      setStatus(result.data);
      setError(undefined);
    } else setError(result.error.message);
  }, [backend]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  const redeploy = async (hostId?: string) => {
    if (!backend) return;
    const result = await backend.invoke('deployment.redeploy', hostId ? { hostId } : {});
    if (!result.ok) toast('error', result.error.message);
    else
      toast(
        'info',
        hostId ? 'Redeploying the agent.' : `Redeploying the agent to ${result.data.hostIds.length} host(s).`,
      );
    void refresh();
  };

  return (
    <div className="panel" data-testid="deployment-panel">
      <div className="panel-head">
        <h2>Agent deployment</h2>
        <button
          onClick={() => void redeploy()}
          disabled={!status || status.hosts.length === 0}
          data-testid="redeploy-all"
        >
          Redeploy all
        </button>
      </div>
      {progress && (
        <p className={`level-${progress.level}`} data-testid="deployment-progress">
          <strong>{progress.message}</strong>
        </p>
      )}
      {error && <p style={BAD}>{error}</p>}
      {status && (
        <p className="muted" data-testid="artifact-server">
          Agent {status.agentVersion} ·{' '}
          {status.server.ready ? (
            <>
              hosts download from <code>{status.server.advertisedBaseUrl}</code> ({status.server.downloads}{' '}
              downloads)
            </>
          ) : (
            <span style={BAD}>artifact server not running: {status.server.error}</span>
          )}
        </p>
      )}
      <ul className="host-list" data-testid="deployment-hosts">
        {status?.hosts.map((h) => (
          <li
            key={h.hostId}
            className="host-row"
            data-testid={`deploy-${h.displayName}`}
            data-state={h.state}
          >
            <span className="host-name">{h.displayName}</span>
            <span style={{ color: STATE_COLOR[h.state] }}>{STATE_LABEL[h.state]}</span>
            {h.hostVersion && <span className="muted">host agent {h.hostVersion}</span>}
            {h.lastError && (
              <span className="muted" data-testid="deploy-error">
                {h.lastError}
              </span>
            )}
            <span className="row-actions">
              <button
                onClick={() => void redeploy(h.hostId)}
                aria-label={`Redeploy agent to ${h.displayName}`}
              >
                Redeploy agent
              </button>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
