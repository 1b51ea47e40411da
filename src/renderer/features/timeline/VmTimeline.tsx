import type { InventoryVm } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { TimelineList } from './TimelineList';

/** The VM page's "Timeline" tab: what inventory saw change, jobs and pending operations. */
export function VmTimeline({ vm }: { vm: InventoryVm }) {
  const backend = useApp((s) => s.backend);
  if (vm.placeholder) return <p className="muted">The timeline starts once the host reports the VM.</p>;
  const reloadOn = `${vm.key}|${vm.state}|${vm.detailsHash}|${vm.pending?.requestedAt ?? ''}|${vm.pending?.unconfirmed ?? ''}|${vm.name}`;
  return <TimelineList label={`Timeline of ${vm.name}`} reloadOn={reloadOn} load={(before, limit) => backend?.invoke('timeline.vm', { hostId: vm.hostId, vmId: vm.vmId, limit, ...(before ? { before } : {}) })} />;
}
