import { create } from 'zustand';
import type { InventoryVm } from '../../../shared/contract';
import type { VmEditOperation } from '../../../shared/contract/vm-operations';
import { runVmOperation, toastOutcome } from './operate';
import { TARGETED } from './operation-model';

/** The operation dialog that is open (any view opens it: VM page, right-click menu, palette). */
export interface OperationRequest {
  vmKey: string;
  operation: VmEditOperation;
  /** The disk, adapter or checkpoint it acts on, when chosen before the dialog opened. */
  targetId?: string;
}

export const useOperationDialog = create<{ request?: OperationRequest }>(() => ({}));

export function closeOperationDialog(): void {
  useOperationDialog.setState({ request: undefined });
}

/** Operations whose only parameter is the thing they act on: once it is chosen, only the question remains. */
const TARGET_ONLY: ReadonlySet<VmEditOperation> = new Set(['checkpoint.apply', 'nic.remove']);

/**
 * An operation as chosen from a button, menu or palette: one that needs nothing but its target,
 * given, runs at once (asking first when the table says so); every other opens its dialog.
 */
export function chooseOperation(
  vm: Pick<InventoryVm, 'key' | 'hostId' | 'vmId' | 'name'>,
  operation: VmEditOperation,
  targetId?: string,
  what?: string,
): void {
  if (targetId && TARGET_ONLY.has(operation) && TARGETED[operation]) {
    const params = (
      operation === 'checkpoint.apply' ? { checkpointId: targetId } : { nicId: targetId }
    ) as never;
    // Queued: the VM's pending note shows the progress and links to the job; refused: a toast says why.
    void runVmOperation(vm, operation, params, what).then((outcome) => toastOutcome(vm, operation, outcome));
    return;
  }
  useOperationDialog.setState({ request: { vmKey: vm.key, operation, ...(targetId ? { targetId } : {}) } });
}
