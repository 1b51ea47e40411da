import { useApp } from '../../stores/app-store';
import { useInventoryHost } from '../../stores/inventory-derived';
import { TimelineList } from './TimelineList';

/** The host page's timeline: connection, sync failures and recovery, agent deployments, cluster membership. */
export function HostTimeline({ hostId }: { hostId: string }) {
  const backend = useApp((s) => s.backend);
  const status = useApp((s) => s.hosts[hostId]?.status);
  const sync = useInventoryHost(hostId)?.sync;
  const reloadOn = `${hostId}|${status}|${sync?.state}|${sync?.consecutiveFailures}`;
  return (
    <section aria-labelledby="host-timeline-title">
      <h2 id="host-timeline-title">Timeline</h2>
      <TimelineList label="Host timeline" reloadOn={reloadOn} load={(before, limit) => backend?.invoke('timeline.host', { hostId, limit, ...(before ? { before } : {}) })} />
    </section>
  );
}
