import type { JobState, VmAction } from './jobs';

// Plain values and rules, no schemas: the renderer imports these without TypeBox.

export const FINISHED_JOB_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];
export const VM_ACTIONS: readonly VmAction[] = ['start', 'shutdown', 'turnoff', 'restart', 'save', 'pause', 'resume'];

// The VM action matrix (contracts §7), shared by the backend and the renderer.

/** States a VM must be in for each action (docs/agent.md "vm.action", contracts §7.1). */
export const VM_ACTION_ALLOWED: Readonly<Record<VmAction, readonly string[]>> = {
  start: ['Off', 'Saved', 'Paused'],
  shutdown: ['Running'],
  turnoff: ['Running', 'Paused', 'Saved', 'Starting', 'Stopping'],
  restart: ['Running'],
  save: ['Running'],
  pause: ['Running'],
  resume: ['Paused'],
};

/** The observed state that confirms an action (pending operation's desired state). */
export const VM_ACTION_DESIRED: Readonly<Record<VmAction, string>> = {
  start: 'Running',
  shutdown: 'Off',
  turnoff: 'Off',
  restart: 'Running',
  save: 'Saved',
  pause: 'Paused',
  resume: 'Running',
};

/** States from which delete runs without force; other settled states need force (turned off first). */
export const VM_DELETE_ALLOWED: readonly string[] = ['Off'];
const DELETE_WITH_FORCE = ['Running', 'Paused', 'Saved', 'Off'];

export type ActionCheck = { allowed: true } | { allowed: false; code: 'INVALID_STATE' | 'ALREADY_IN_STATE'; reason: string };

/**
 * Whether `action` may run on a VM in `state` (pure; the renderer enables buttons with it and the
 * backend refuses with the same reason). `restart` of a Running VM is never "already in state".
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
  if (action !== 'restart' && VM_ACTION_DESIRED[action] === state) {
    return { allowed: false, code: 'ALREADY_IN_STATE', reason: `the VM is already ${state}` };
  }
  return { allowed: false, code: 'INVALID_STATE', reason: `${action} is not allowed while the VM is ${state}; allowed when ${allowed.join(', ')}` };
}

/** Actions offered for a VM in `state` (for menus and the command palette). */
export function allowedVmActions(state: string): VmAction[] {
  return VM_ACTIONS.filter((a) => checkVmAction(state, a).allowed);
}
