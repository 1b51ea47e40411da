import { useInventoryHost } from '../../stores/inventory-derived';
import { ResourceCharts } from './ResourceCharts';
import { lastSyncOf } from './useMetricsHistory';

const HOST_MEMORY: Array<{ column: 'memoryUsedMb' | 'memoryAssignedMb'; label: string }> = [
  { column: 'memoryUsedMb', label: 'In use' },
  { column: 'memoryAssignedMb', label: 'Assigned to VMs' },
];

/** The host page's charts: its VMs' combined CPU, and its memory in use and assigned to VMs. */
export function HostCharts({ hostId }: { hostId: string }) {
  const host = useInventoryHost(hostId);
  return (
    <ResourceCharts
      target={{ kind: 'host', hostId }}
      syncedAt={lastSyncOf(host?.sync)}
      cpuLabel="CPU used by VMs"
      memory={HOST_MEMORY}
      memoryTotalMb={host?.memoryGb ? host.memoryGb * 1024 : undefined}
      testId="host-charts"
    />
  );
}
