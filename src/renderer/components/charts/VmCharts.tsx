import { useInventoryHost } from '../../stores/inventory-derived';
import { ResourceCharts } from './ResourceCharts';
import { lastSyncOf } from './useMetricsHistory';

const VM_MEMORY: Array<{ column: 'memoryAssignedMb' | 'memoryDemandMb'; label: string }> = [
  { column: 'memoryAssignedMb', label: 'Assigned' },
  { column: 'memoryDemandMb', label: 'Demand' },
];

/** The VM page's charts: its CPU (share of the host's processors) and memory assigned and demanded. */
export function VmCharts({ hostId, vmId }: { hostId: string; vmId: string }) {
  const host = useInventoryHost(hostId);
  return <ResourceCharts target={{ kind: 'vm', hostId, vmId }} syncedAt={lastSyncOf(host?.sync)} cpuLabel="CPU" memory={VM_MEMORY} testId="vm-charts" />;
}
