import type { InventoryVm } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { reachCell, type ReachService } from './reach-words';
import { useReachability } from './reach-store';

/** A VM table cell for RDP or SSH: subscribed to this VM's result alone, so a probe elsewhere does not re-render it. */
export function ReachCell({ vm, service }: { vm: InventoryVm; service: ReachService }) {
  const reach = useReachability((s) => s.byKey.get(vm.key));
  const enabled = useApp((s) => s.settings?.reachability?.enabled ?? true);
  const cell = reachCell(vm, reach, service, enabled);
  return (
    <span className={`reach reach-${cell.state}`} title={cell.title} data-reach={cell.state}>
      {cell.text}
    </span>
  );
}
