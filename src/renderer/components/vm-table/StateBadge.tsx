import type { InventoryVm } from '../../../shared/contract';

const TONE: Record<string, string> = { Running: 'ok', Off: 'off', Saved: 'off', Paused: 'warn', Creating: 'busy', Deleting: 'busy' };

/** The VM's observed state; a pending action shows as "→ desired" until the host confirms it. */
export function StateBadge({ vm }: { vm: InventoryVm }) {
  const tone = TONE[vm.state] ?? (vm.state.endsWith('ing') ? 'busy' : 'off');
  return (
    <span className={`state state-${tone}`} data-testid="state-badge" data-state={vm.state}>
      <span className={`dot vm-dot-${tone}`} aria-hidden="true" />
      {vm.state}
      {vm.pending?.desiredState && (
        <span className={vm.pending.unconfirmed ? 'pending unconfirmed' : 'pending'} title={`requested ${vm.pending.requestedAt}`}>
          {' '}
          → {vm.pending.desiredState}
          {vm.pending.unconfirmed ? ' (unconfirmed)' : ''}
        </span>
      )}
      {vm.placeholder && <span className="pending"> (not yet on host)</span>}
    </span>
  );
}
