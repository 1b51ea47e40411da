import type { VmAction } from '../../../shared/contract';
import { checkVmAction, VM_ACTION_DEFS, VM_ACTIONS, vmActionAsks } from '../../../shared/contract/vm-actions';
import type { InventoryVm } from '../../../shared/contract';
import { VM_OPERATIONS, vmOperationDef } from '../../../shared/contract/vm-operations';
import { vmBlockedReason } from '../vm-ops/operation-model';

const byAction = <T>(pick: (a: VmAction) => T) => Object.fromEntries(VM_ACTIONS.map((a) => [a, pick(a)])) as Record<VmAction, T>;

export const ACTION_LABEL: Record<VmAction | 'delete', string> = { ...byAction((a) => VM_ACTION_DEFS[a].label), delete: 'Delete…' };

/** "Stopping…", "Moving…" etc.: what a pending operation is doing, for the label shown at once (every operation of the one table). */
export const ACTION_PROGRESS: Record<string, string> = Object.fromEntries(VM_OPERATIONS.map((op) => [op, vmOperationDef(op).progress]));

/** A label that ends in "…" when choosing it opens a question first (the usual convention). */
export function actionLabel(action: VmAction, confirmDestructiveActions: boolean): string {
  return vmActionAsks(action, confirmDestructiveActions) ? `${ACTION_LABEL[action]}…` : ACTION_LABEL[action];
}

export interface ActionButton {
  action: VmAction | 'delete';
  label: string;
  enabled: boolean;
  /** Why the button is disabled (tooltip), from the shared matrix or the VM's situation. */
  reason?: string;
}

/**
 * The buttons for one VM, enabled exactly as the backend would allow them (the shared matrix),
 * plus what the matrix cannot know: a placeholder is not on the host yet, a stale row's state
 * may be wrong, and one action at a time per VM (the backend refuses with ACTION_PENDING).
 */
export function vmActionButtons(vm: Pick<InventoryVm, 'state' | 'placeholder' | 'stale' | 'pending' | 'name'>, confirmDestructiveActions = false): ActionButton[] {
  const blocked = vmBlockedReason(vm);
  const buttons: ActionButton[] = VM_ACTIONS.map((action) => {
    const label = actionLabel(action, confirmDestructiveActions);
    if (blocked) return { action, label, enabled: false, reason: blocked };
    const check = checkVmAction(vm.state, action);
    return check.allowed ? { action, label, enabled: true } : { action, label, enabled: false, reason: check.reason };
  });
  // Delete is offered for any settled state: the dialog offers "turn off first" (force) when needed.
  const del = checkVmAction(vm.state, 'delete', { force: true });
  buttons.push(blocked ? { action: 'delete', label: ACTION_LABEL.delete, enabled: false, reason: blocked } : del.allowed ? { action: 'delete', label: ACTION_LABEL.delete, enabled: true } : { action: 'delete', label: ACTION_LABEL.delete, enabled: false, reason: del.reason });
  return buttons;
}

/** The label for a pending operation: "Stopping… requested 10:03" or the unconfirmed question. */
export function pendingLabel(pending: NonNullable<InventoryVm['pending']>): { text: string; unconfirmed: boolean } {
  const at = new Date(pending.requestedAt);
  const time = Number.isNaN(at.getTime()) ? pending.requestedAt : at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const doing = ACTION_PROGRESS[pending.action] ?? `${pending.action}…`;
  if (pending.unconfirmed) return { text: `${doing.replace('…', '')} requested ${time}: no confirmation`, unconfirmed: true };
  return { text: `${doing} requested ${time}`, unconfirmed: false };
}
