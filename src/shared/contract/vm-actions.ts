import type { JobState, VmAction } from './jobs';

// Plain values and rules, no schemas: the renderer imports these without TypeBox.

export const FINISHED_JOB_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];
export const VM_ACTIONS: readonly VmAction[] = ['start', 'shutdown', 'turnoff', 'restart', 'save', 'pause', 'resume'];

/**
 * How the host confirms an action (docs/jobs.md "Pending operations"):
 * - `state`: an observation shows the VM in the desired state;
 * - `boot`: the desired state is the state the action starts from (restart of a Running VM), so
 *   the state proves nothing: the host must show the VM running with a boot time newer than the
 *   one it had when the action was requested (its uptime reset), or, from a host that reports no
 *   uptime, the job's own result.
 */
export type VmActionConfirmation = 'state' | 'boot';

/** One VM power action, declared once: buttons, palette, backend check, pending and prompts derive from it. */
export interface VmActionDef {
  /** Button and menu label ("Turn off"). */
  label: string;
  /** The verb inside a sentence ("turn off"). */
  verb: string;
  /** What a pending operation shows ("Turning off…"). */
  progress: string;
  /** States the VM must be in (docs/agent.md "vm.action", contracts §7.1). */
  allowed: readonly string[];
  /** The observed state the VM ends in (the pending operation's desired state). */
  desired: string;
  confirmedBy: VmActionConfirmation;
  /**
   * Asks before running (setting `ui.confirmDestructiveActions`): what the admin loses, said once
   * here for the VM page, the palette and bulk runs. null: runs on one click.
   */
  ask: { consequence: string } | null;
}

export const VM_ACTION_DEFS: Readonly<Record<VmAction, VmActionDef>> = {
  start: { label: 'Start', verb: 'start', progress: 'Starting…', allowed: ['Off', 'Saved', 'Paused'], desired: 'Running', confirmedBy: 'state', ask: null },
  shutdown: {
    label: 'Shut down',
    verb: 'shut down',
    progress: 'Stopping…',
    allowed: ['Running'],
    desired: 'Off',
    confirmedBy: 'state',
    ask: { consequence: 'The guest operating system shuts down: its applications close and its services are unavailable until the VM is started again.' },
  },
  turnoff: {
    label: 'Turn off',
    verb: 'turn off',
    progress: 'Turning off…',
    allowed: ['Running', 'Paused', 'Saved', 'Starting', 'Stopping'],
    desired: 'Off',
    confirmedBy: 'state',
    ask: { consequence: 'Turn off is like pulling the plug: the guest is not shut down, and unsaved data in it is lost.' },
  },
  restart: {
    label: 'Restart',
    verb: 'restart',
    progress: 'Restarting…',
    allowed: ['Running'],
    desired: 'Running',
    confirmedBy: 'boot',
    ask: { consequence: 'Restart is a hard reset, like pressing the reset button: the guest is not shut down first, and unsaved data in it is lost.' },
  },
  save: {
    label: 'Save',
    verb: 'save',
    progress: 'Saving…',
    allowed: ['Running'],
    desired: 'Saved',
    confirmedBy: 'state',
    ask: { consequence: "The VM's memory is written to disk and it stops running: its services are unavailable until it is started again." },
  },
  pause: { label: 'Pause', verb: 'pause', progress: 'Pausing…', allowed: ['Running'], desired: 'Paused', confirmedBy: 'state', ask: null },
  resume: { label: 'Resume', verb: 'resume', progress: 'Resuming…', allowed: ['Paused'], desired: 'Running', confirmedBy: 'state', ask: null },
};

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
export const VM_DELETE_ALLOWED: readonly string[] = ['Off'];
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
