import type { InventoryVm } from '../../../shared/contract';
import { VmStateDot, vmStateTone } from '../StatusDot';
import { ACTION_PROGRESS } from '../../features/jobs/vm-action-model';

/** The VM's observed state; a pending action shows as "→ desired" (or its progress text, "Moving…") until the host confirms it. */
export function StateBadge({ vm }: { vm: InventoryVm }) {
  return (
    <span className={`state state-${vmStateTone(vm.state)}`} data-testid="state-badge" data-state={vm.state}>
      <VmStateDot state={vm.state} decorative />
      {vm.state}
      {vm.pending?.desiredState && (
        <span className={vm.pending.unconfirmed ? 'pending unconfirmed' : 'pending'} title={`requested ${vm.pending.requestedAt}`}>
          {' '}
          → {vm.pending.desiredState}
          {vm.pending.unconfirmed ? ' (unconfirmed)' : ''}
        </span>
      )}
      {vm.pending && !vm.pending.desiredState && (
        // An edit, checkpoint or move: no state to reach, so the table's progress text ("Moving…").
        <span className={vm.pending.unconfirmed ? 'pending unconfirmed' : 'pending'} title={`requested ${vm.pending.requestedAt}`} data-testid="state-pending">
          {' '}
          {ACTION_PROGRESS[vm.pending.action] ?? `${vm.pending.action}…`}
          {vm.pending.unconfirmed ? ' (unconfirmed)' : ''}
        </span>
      )}
      {vm.placeholder && <span className="pending"> (not yet on host)</span>}
    </span>
  );
}
