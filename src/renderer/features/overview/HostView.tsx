import { useState } from 'react';
import type { ConnectionTestResult, InventoryHost } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { StatusDot, statusLabel } from '../../components/StatusDot';
import { Ago, Observed } from '../../components/Freshness';
import { VmTable } from '../../components/vm-table/VmTable';
import { useInventoryHost } from '../../stores/inventory-derived';
import { useInventory } from '../../stores/inventory-store';
import { useCountsPace } from '../../stores/counts-pace';
import { HostSyncBanner } from '../inventory/HostSyncBanner';
import { HostWarnings } from '../health/Warnings'; // health
import { ClusterMembership } from '../inventory/ClusterMembership';
import { useHostRetry } from '../inventory/use-host-retry';
import { lastSeenAt } from '../../../shared/last-seen';
import { ConnectionTestReport } from '../settings/ConnectionTestReport';
import { HostCharts } from '../../components/charts/HostCharts';
import { HostTimeline } from '../timeline'; // host events

/** A host's inventory state in words (the store's names are terse). */
const SYNC_STATE_WORDS: Record<InventoryHost['sync']['state'], string> = {
  fresh: 'fresh',
  stale: 'stale, not confirmed since the app started',
  error: 'not refreshed, its last attempt failed',
  preparing: 'preparing the host',
  never: 'never read',
};

export function HostView({ id }: { id: string }) {
  const host = useApp((s) => s.hosts[id]);
  const backend = useApp((s) => s.backend);
  const inventoryHost = useInventoryHost(id);
  const [testing, setTesting] = useState(false);
  const { busy, retry } = useHostRetry();
  const [report, setReport] = useState<ConnectionTestResult | string | undefined>();
  if (!host) return <p className="muted">This host is no longer configured.</p>;

  const test = async () => {
    if (!backend) return;
    setTesting(true);
    const result = await backend.invoke('hosts.testConnection', { id });
    setTesting(false);
    setReport(result.ok ? result.data : result.error.message);
  };
  const sync = inventoryHost?.sync;

  return (
    <section aria-labelledby="host-title">
      <h1 id="host-title">
        <StatusDot status={host.status} /> {host.displayName}
      </h1>
      <HostSyncBanner host={host} inventoryHost={inventoryHost} />
      <HostWarnings hostId={host.id} /> {/* health: the agent's host warnings */}
      <dl className="facts" data-testid="host-facts">
        <dt>Status</dt>
        <dd>{statusLabel(host.status)}</dd>
        <dt>Address</dt>
        <dd>
          {host.transport}://{host.address}:{host.port} ({host.auth.toUpperCase()})
        </dd>
        <dt>Cluster</dt>
        <dd>
          <ClusterMembership host={host} inventoryHost={inventoryHost} />
        </dd>
        <dt>Last seen</dt>
        <dd>
          <Ago at={lastSeenAt(sync, host.lastSeenAt)} />
        </dd>
        <dt>Inventory</dt>
        <dd>
          {sync ? (
            <>
              {SYNC_STATE_WORDS[sync.state]} · <Observed at={sync.lastSuccessAt} prefix="full sync" />
              {sync.lastQuickAt && (
                <>
                  {' '}
                  · <Observed at={sync.lastQuickAt} prefix="status" />
                </>
              )}
            </>
          ) : (
            'not synced yet'
          )}
        </dd>
        {sync?.lastError && (
          <>
            <dt>Last error</dt>
            <dd className="error">{sync.lastError}</dd>
          </>
        )}
        <dt>Resources</dt>
        <dd>
          {inventoryHost?.cpuCores ?? '—'} cores · {inventoryHost?.memoryGb ? `${Math.round(inventoryHost.memoryGb)} GB` : '—'} memory
          {inventoryHost?.memoryAvailableGb ? ` (${Math.round(inventoryHost.memoryAvailableGb)} GB free)` : ''}
        </dd>
        {inventoryHost?.switches && (
          <>
            <dt>Virtual switches</dt>
            <dd data-testid="host-switches">{inventoryHost.switches.length > 0 ? inventoryHost.switches.join(', ') : 'none'}</dd>
          </>
        )}
        <dt>VMs</dt>
        <dd data-testid="host-vm-count">
          <HostVmCounts id={id} />
        </dd>
      </dl>
      <div className="row-actions">
        <button onClick={() => void retry(id, host.displayName)} disabled={busy(id)} aria-busy={busy(id)} data-testid="host-refresh">
          {busy(id) ? 'Refreshing…' : 'Refresh now'}
        </button>
        <button onClick={() => void test()} disabled={testing}>
          {testing ? 'Testing…' : 'Test connection'}
        </button>
      </div>
      {report !== undefined && <ConnectionTestReport report={report} />}
      <HostCharts hostId={id} />
      <HostTimeline hostId={id} />
      <h2>Virtual machines</h2>
      <VmTable scope={{ kind: 'host', hostId: id }} />
    </section>
  );
}

/** "3 running of 6", at the counts' pace: VM deltas do not re-render the page around it. */
function HostVmCounts({ id }: { id: string }) {
  useCountsPace();
  const c = useInventory.getState().model.counts.get(id);
  return (
    <>
      {c?.running ?? 0} running of {c?.total ?? 0}
    </>
  );
}
