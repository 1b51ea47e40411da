// The agent's warnings (issue 16 item 8) where they matter: on the host page and the VM page, in
// the host's words, until a later full inventory no longer reports them. The backend masked any
// secret in them before they were stored.
import { useInventoryHost } from '../../stores/inventory-derived';
import './health.css';

function WarningList({ warnings, testId }: { warnings: readonly string[]; testId: string }) {
  if (warnings.length === 0) return null;
  return (
    <div className="banner banner-warning agent-warnings" role="status" data-testid={testId}>
      <strong>The host reported:</strong>
      <ul>
        {warnings.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
      <span className="muted">Values from the failed queries may be out of date until the host reports them again.</span>
    </div>
  );
}

/** On the host page: the host's own warnings from its last full inventory. */
export function HostWarnings({ hostId }: { hostId: string }) {
  const host = useInventoryHost(hostId);
  return <WarningList warnings={host?.warnings ?? []} testId="host-warnings" />;
}

/**
 * On the VM page: this VM's own warnings (from the details the page already reads) and its host's
 * (a failed batch query, e.g. checkpoints, concerns every VM on it).
 */
export function VmWarnings({ hostId, warnings }: { hostId: string; warnings: readonly string[] | undefined }) {
  const host = useInventoryHost(hostId);
  const all = [...new Set([...(warnings ?? []), ...(host?.warnings ?? [])])];
  return <WarningList warnings={all} testId="vm-warnings" />;
}
