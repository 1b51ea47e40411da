import { useState } from 'react';
import type { InventoryVm, VmAction } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { useJobs } from '../../stores/jobs-store';
import { confirmsDestructive, runVmAction } from './job-commands';
import { pendingLabel, vmActionButtons } from './vm-action-model';
import { VM_OPERATIONS_BY_GROUP } from '../../../shared/contract/vm-operations';
import './jobs.css';

/** Only a power action left unconfirmed is answered by turning the VM off; an edit or a move is not. */
const isPowerAction = (action: string) => (VM_OPERATIONS_BY_GROUP('power') as string[]).includes(action);

/**
 * A VM's action buttons (enabled from the shared matrix) and its pending operation: shown at once
 * ("Stopping… requested 10:03"), and when the host never confirmed it, a Turn off. Destructive
 * actions ask first (runVmAction; their labels end in "…" then).
 */
export function VmActions({ vm, compact = false }: { vm: InventoryVm; compact?: boolean }) {
  const navigate = useApp((s) => s.navigate);
  const confirm = useApp((s) => confirmsDestructive(s.settings));
  const [busy, setBusy] = useState<string | undefined>();
  const run = async (action: VmAction) => {
    setBusy(action);
    await runVmAction(vm, action);
    setBusy(undefined);
  };
  const buttons = vmActionButtons(vm, confirm);
  return (
    <div className={compact ? 'vm-actions compact' : 'vm-actions'} role="group" aria-label={`Actions for ${vm.name}`} data-testid="vm-actions">
      {buttons.map((b) => (
        <button
          key={b.action}
          disabled={!b.enabled || busy !== undefined}
          title={b.reason ?? b.label}
          className={b.action === 'delete' ? 'danger' : undefined}
          data-testid={`vm-action-${b.action}`}
          onClick={() => (b.action === 'delete' ? useJobs.setState({ deleteKey: vm.key }) : void run(b.action))}
        >
          {b.label}
        </button>
      ))}
      {vm.pending && <PendingNote vm={vm} onTurnOff={() => void run('turnoff')} onOpenJob={(id) => navigate({ name: 'job', id })} />}
    </div>
  );
}

function PendingNote({ vm, onTurnOff, onOpenJob }: { vm: InventoryVm; onTurnOff(): void; onOpenJob(id: string): void }) {
  const pending = vm.pending!;
  const label = pendingLabel(pending);
  const jobId = pending.jobId;
  return (
    <span className={label.unconfirmed ? 'pending-note unconfirmed' : 'pending-note'} role="status" data-testid="vm-pending">
      {label.text}
      {label.unconfirmed && vm.state !== 'Off' && isPowerAction(pending.action) && (
        <>
          {' — turn off? '}
          <button className="danger" onClick={onTurnOff} data-testid="vm-pending-turnoff">
            Turn off
          </button>
        </>
      )}
      {jobId && (
        <button className="link" onClick={() => onOpenJob(jobId)}>
          view job
        </button>
      )}
    </span>
  );
}
