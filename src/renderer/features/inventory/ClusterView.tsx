import { StatusDot, statusLabel } from '../../components/StatusDot';
import { VmTable } from '../../components/vm-table/VmTable';
import { useApp } from '../../stores/app-store';
import { isDisconnected, isPreparing, useClusterByHost, useHostCounts } from '../../stores/inventory-derived';
import { useInventory } from '../../stores/inventory-store';
import { Observed } from '../../components/Freshness';
import { compareNatural } from '../../components/natural-compare';

/** One cluster: summed resources, a card per host (status, VM counts, freshness), and its VMs. */
export function ClusterView({ cluster }: { cluster: string }) {
  const hosts = useApp((s) => s.hosts);
  const navigate = useApp((s) => s.navigate);
  const clusterByHost = useClusterByHost();
  const counts = useHostCounts();
  useInventory((s) => s.hostsVersion);
  const model = useInventory.getState().model;
  const members = Object.values(hosts)
    .filter((h) => clusterByHost.get(h.id) === cluster)
    .sort((a, b) => compareNatural(a.displayName, b.displayName));

  let cores = 0;
  let memory = 0;
  let available: number | undefined;
  let vms = 0;
  let running = 0;
  for (const h of members) {
    const ih = model.hosts.get(h.id);
    cores += ih?.cpuCores ?? 0;
    memory += ih?.memoryGb ?? 0;
    if (ih?.memoryAvailableGb != null) available = (available ?? 0) + ih.memoryAvailableGb;
    vms += counts.get(h.id)?.total ?? 0;
    running += counts.get(h.id)?.running ?? 0;
  }
  const connected = members.filter((h) => h.status === 'connected').length;

  return (
    <section aria-labelledby="cluster-title">
      <h1 id="cluster-title">Cluster {cluster}</h1>
      <div className="cards" data-testid="cluster-resources">
        <Figure label="Hosts connected" value={`${connected}/${members.length}`} />
        <Figure label="VMs running" value={`${running}/${vms}`} />
        <Figure label="CPU cores" value={String(cores)} />
        <Figure label="Memory free / total" value={`${available === undefined ? '—' : Math.round(available)}/${Math.round(memory)} GB`} />
      </div>
      <h2>Hosts</h2>
      <div className="host-cards">
        {members.map((h) => {
          const ih = model.hosts.get(h.id);
          const c = counts.get(h.id);
          const down = isDisconnected(h, ih);
          return (
            <button key={h.id} className={`card host-card ${down ? 'stale' : ''}`} onClick={() => navigate({ name: 'host', id: h.id })} data-testid="host-card">
              <div className="host-card-title">
                <StatusDot status={h.status} /> <strong>{h.displayName}</strong>
              </div>
              <div className="muted">
                {isPreparing(h, ih) ? 'Preparing host, will retry' : down ? `Unreachable${ih?.sync.lastError ? ': ' + ih.sync.lastError : ''}` : statusLabel(h.status)}
              </div>
              <div>
                {c?.running ?? 0}/{c?.total ?? 0} VMs running · {ih?.cpuCores ?? '—'} cores · {ih?.memoryGb ? `${Math.round(ih.memoryGb)} GB` : '—'}
              </div>
              <Observed at={ih?.sync.lastSuccessAt} prefix="synced" />
            </button>
          );
        })}
      </div>
      <h2>Virtual machines</h2>
      <VmTable scope={{ kind: 'cluster', cluster }} />
    </section>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div className="card figure">
      <div className="figure-value">{value}</div>
      <div className="figure-label">{label}</div>
    </div>
  );
}
