import type { JobState, VmAction } from './jobs';
import { VM_OPERATIONS_BY_GROUP, vmOperationDef, type VmPowerOperation } from './vm-operations';

// Plain values and rules, no schemas: the renderer imports these without TypeBox.

export const FINISHED_JOB_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];
export const VM_ACTIONS: readonly VmAction[] = VM_OPERATIONS_BY_GROUP('power') as VmPowerOperation[];

/** How a power action is confirmed: `state` (the desired state observed) or `boot` (a new boot: restart). */
export type VmActionConfirmation = 'state' | 'boot';

/** One VM power action: its entry in the one table of VM operations (vm-operations.ts). */
export interface VmActionDef {
  label: string;
  verb: string;
  progress: string;
  allowed: readonly string[];
  desired: string;
  confirmedBy: VmActionConfirmation;
  ask: { consequence: string } | null;
}

export const VM_ACTION_DEFS: Readonly<Record<VmAction, VmActionDef>> = Object.fromEntries(
  VM_ACTIONS.map((a) => {
    const def = vmOperationDef(a);
    return [a, { label: def.label, verb: def.verb, progress: def.progress, allowed: def.allowed, desired: def.desired!, confirmedBy: def.confirmedBy as VmActionConfirmation, ask: def.ask }];
  }),
) as Record<VmAction, VmActionDef>;

// The VM action matrix (contracts §7), shared by the backend and the renderer.

const fromDefs = <T>(pick: (def: VmActionDef) => T): Readonly<Record<VmAction, T>> =>
  Object.fromEntries(VM_ACTIONS.map((a) => [a, pick(VM_ACTION_DEFS[a])])) as Record<VmAction, T>;

/** States a VM must be in for each action (docs/agent.md "vm.action", contracts §7.1). */
export const VM_ACTION_ALLOWED: Readonly<Record<VmAction, readonly string[]>> = fromDefs((d) => d.allowed);

/** The observed state that confirms an action (pending operation's desired state). */
export const VM_ACTION_DESIRED: Readonly<Record<VmAction, string>> = fromDefs((d) => d.desired);

/** How a pending operation of `action` is confirmed; anything not a power action (delete) by state/absence. */
export function vmActionConfirmation(action: string): VmActionConfirmation {
  return (VM_ACTION_DEFS as Record<string, VmActionDef | undefined>)[action]?.confirmedBy ?? 'state';
}

/** Whether `action` asks before it runs, given the admin's setting (one rule for page, palette and bulk). */
export function vmActionAsks(action: VmAction, confirmDestructiveActions: boolean): boolean {
  return confirmDestructiveActions && VM_ACTION_DEFS[action].ask !== null;
}

/** States from which delete runs without force; other settled states need force (turned off first). */
export const VM_DELETE_ALLOWED: readonly string[] = vmOperationDef('delete').allowed;
const DELETE_WITH_FORCE = ['Running', 'Paused', 'Saved', 'Off'];

export type ActionCheck = { allowed: true } | { allowed: false; code: 'INVALID_STATE' | 'ALREADY_IN_STATE'; reason: string };

/**
 * Whether `action` may run on a VM in `state` (pure; the renderer enables buttons with it and the
 * backend refuses with the same reason). An action confirmed by a new boot (restart of a Running
 * VM) is never "already in state".
 */
export function checkVmAction(state: string, action: VmAction | 'delete', options: { force?: boolean } = {}): ActionCheck {
  if (action === 'delete') {
    const ok = options.force ? DELETE_WITH_FORCE : VM_DELETE_ALLOWED;
    if (ok.includes(state)) return { allowed: true };
    const hint = options.force ? '' : ' (Running, Paused or Saved with "turn off first")';
    return { allowed: false, code: 'INVALID_STATE', reason: `delete is not allowed while the VM is ${state}; allowed when ${ok.join(', ')}${hint}` };
  }
  const allowed = VM_ACTION_ALLOWED[action];
  if (allowed.includes(state)) return { allowed: true };
  if (VM_ACTION_DEFS[action].confirmedBy === 'state' && VM_ACTION_DESIRED[action] === state) {
    return { allowed: false, code: 'ALREADY_IN_STATE', reason: `the VM is already ${state}` };
  }
  return { allowed: false, code: 'INVALID_STATE', reason: `${action} is not allowed while the VM is ${state}; allowed when ${allowed.join(', ')}` };
}

/** Actions offered for a VM in `state` (for menus and the command palette). */
export function allowedVmActions(state: string): VmAction[] {
  return VM_ACTIONS.filter((a) => checkVmAction(state, a).allowed);
}
