/**
 * Every VM operation, declared once (issue 15 item 1): power actions, deletion, hardware edits,
 * checkpoints and moves. The contract's unions, the renderer's buttons and palette entries, the
 * backend's check, the pending operation and the lab's matrix all derive from this table, so adding
 * an operation is one entry here plus its agent code; the `Record<VmOperation, …>` maps elsewhere
 * (parameter schemas, agent dispatch, lab handlers) make the compiler name any missing piece.
 *
 * Plain values and rules, no schemas: the renderer imports this without TypeBox. The parameter
 * schemas of the edit operations are in vm-operation-params.ts.
 */

/** What the operation is about: groups buttons on the VM page and entries in the palette. */
export type VmOperationGroup = 'power' | 'delete' | 'hardware' | 'checkpoint' | 'move';

/**
 * How the host confirms an operation (docs/jobs.md "Pending operations"):
 * - `state`: an observation shows the VM in `desired`;
 * - `boot`: the VM shows a boot newer than the request (restart of a Running VM);
 * - `absent`: the VM is gone from the host (delete);
 * - `host`: the VM appears on the target host of a move;
 * - `result`: the job's result and the inventory refresh after it (edits, checkpoints).
 */
export type VmOperationConfirmation = 'state' | 'boot' | 'absent' | 'host' | 'result';

/** The agent operation (docs/agent.md envelope `operation`) an app operation runs. */
export type AgentVmOperation =
  | 'vm.action'
  | 'vm.delete'
  | 'vm.update'
  | 'disk.add'
  | 'disk.expand'
  | 'disk.remove'
  | 'nic.add'
  | 'nic.update'
  | 'nic.remove'
  | 'checkpoint.create'
  | 'checkpoint.apply'
  | 'checkpoint.rename'
  | 'checkpoint.delete'
  | 'vm.move';

export interface VmOperationDef {
  group: VmOperationGroup;
  /** Button and menu label ("Turn off", "Add disk…"). */
  label: string;
  /** The verb inside a sentence ("turn off", "add a disk to"). */
  verb: string;
  /** What a pending operation shows ("Turning off…"). */
  progress: string;
  /** Settled states the VM must be in; other states are refused with the reason (checkVmOperation). */
  allowed: readonly string[];
  /** The observed state that confirms it (`state`/`boot`), else null. */
  desired: string | null;
  confirmedBy: VmOperationConfirmation;
  agentOperation: AgentVmOperation;
  /** May run on a selection of VMs (vm.bulkRun). */
  bulk: boolean;
  /**
   * Asks before running (setting `ui.confirmDestructiveActions`): what the admin loses. null: runs
   * on one click (or on the submit of its own form).
   */
  ask: { consequence: string } | null;
  /** Scheduler lane: quick control calls or long jobs (src/main/tasks). */
  lane: 'CONTROL' | 'JOB';
}

const SETTLED = ['Running', 'Off', 'Saved', 'Paused'] as const;

export const VM_OPERATION_DEFS = {
  start: { group: 'power', label: 'Start', verb: 'start', progress: 'Starting…', allowed: ['Off', 'Saved', 'Paused'], desired: 'Running', confirmedBy: 'state', agentOperation: 'vm.action', bulk: true, ask: null, lane: 'CONTROL' },
  shutdown: {
    group: 'power',
    label: 'Shut down',
    verb: 'shut down',
    progress: 'Stopping…',
    allowed: ['Running'],
    desired: 'Off',
    confirmedBy: 'state',
    agentOperation: 'vm.action',
    bulk: true,
    ask: { consequence: 'The guest operating system shuts down: its applications close and its services are unavailable until the VM is started again.' },
    lane: 'CONTROL',
  },
  turnoff: {
    group: 'power',
    label: 'Turn off',
    verb: 'turn off',
    progress: 'Turning off…',
    allowed: ['Running', 'Paused', 'Saved', 'Starting', 'Stopping'],
    desired: 'Off',
    confirmedBy: 'state',
    agentOperation: 'vm.action',
    bulk: true,
    ask: { consequence: 'Turn off is like pulling the plug: the guest is not shut down, and unsaved data in it is lost.' },
    lane: 'CONTROL',
  },
  restart: {
    group: 'power',
    label: 'Restart',
    verb: 'restart',
    progress: 'Restarting…',
    allowed: ['Running'],
    desired: 'Running',
    confirmedBy: 'boot',
    agentOperation: 'vm.action',
    bulk: true,
    ask: { consequence: 'Restart is a hard reset, like pressing the reset button: the guest is not shut down first, and unsaved data in it is lost.' },
    lane: 'CONTROL',
  },
  save: {
    group: 'power',
    label: 'Save',
    verb: 'save',
    progress: 'Saving…',
    allowed: ['Running'],
    desired: 'Saved',
    confirmedBy: 'state',
    agentOperation: 'vm.action',
    bulk: true,
    ask: { consequence: "The VM's memory is written to disk and it stops running: its services are unavailable until it is started again." },
    lane: 'CONTROL',
  },
  pause: { group: 'power', label: 'Pause', verb: 'pause', progress: 'Pausing…', allowed: ['Running'], desired: 'Paused', confirmedBy: 'state', agentOperation: 'vm.action', bulk: true, ask: null, lane: 'CONTROL' },
  resume: { group: 'power', label: 'Resume', verb: 'resume', progress: 'Resuming…', allowed: ['Paused'], desired: 'Running', confirmedBy: 'state', agentOperation: 'vm.action', bulk: true, ask: null, lane: 'CONTROL' },

  delete: {
    group: 'delete',
    label: 'Delete…',
    verb: 'delete',
    progress: 'Deleting…',
    allowed: ['Off'],
    desired: null,
    confirmedBy: 'absent',
    agentOperation: 'vm.delete',
    bulk: false,
    // Delete has its own dialog (the name typed to confirm), whatever the setting says.
    ask: null,
    lane: 'JOB',
  },

  // Hardware: what Hyper-V allows in each state (docs/agent.md "vm.update", "disk.*", "nic.*").
  // Finer rules that depend on the parameters (a Generation 1 VM's IDE disks need it Off, a running
  // VM's dynamic memory may only widen) are in checkVmOperationParams.
  processors: { group: 'hardware', label: 'Processors…', verb: 'change the processors of', progress: 'Changing processors…', allowed: ['Off'], desired: null, confirmedBy: 'result', agentOperation: 'vm.update', bulk: false, ask: null, lane: 'JOB' },
  memory: { group: 'hardware', label: 'Memory…', verb: 'change the memory of', progress: 'Changing memory…', allowed: ['Off', 'Running'], desired: null, confirmedBy: 'result', agentOperation: 'vm.update', bulk: false, ask: null, lane: 'JOB' },
  notes: { group: 'hardware', label: 'Notes…', verb: 'change the notes of', progress: 'Saving notes…', allowed: [...SETTLED], desired: null, confirmedBy: 'result', agentOperation: 'vm.update', bulk: false, ask: null, lane: 'JOB' },
  'disk.add': { group: 'hardware', label: 'Add disk…', verb: 'add a disk to', progress: 'Adding a disk…', allowed: ['Off', 'Running'], desired: null, confirmedBy: 'result', agentOperation: 'disk.add', bulk: false, ask: null, lane: 'JOB' },
  'disk.expand': { group: 'hardware', label: 'Expand disk…', verb: 'expand a disk of', progress: 'Expanding a disk…', allowed: ['Off', 'Running'], desired: null, confirmedBy: 'result', agentOperation: 'disk.expand', bulk: false, ask: null, lane: 'JOB' },
  'disk.remove': {
    group: 'hardware',
    label: 'Remove disk…',
    verb: 'remove a disk from',
    progress: 'Removing a disk…',
    allowed: ['Off', 'Running'],
    desired: null,
    confirmedBy: 'result',
    agentOperation: 'disk.remove',
    bulk: false,
    ask: { consequence: 'The guest loses the disk at once; programs using it fail. With "delete the file" its data is gone for good.' },
    lane: 'JOB',
  },
  'nic.add': { group: 'hardware', label: 'Add network adapter…', verb: 'add a network adapter to', progress: 'Adding a network adapter…', allowed: ['Off', 'Running'], desired: null, confirmedBy: 'result', agentOperation: 'nic.add', bulk: false, ask: null, lane: 'JOB' },
  'nic.update': { group: 'hardware', label: 'Change network adapter…', verb: 'change a network adapter of', progress: 'Changing a network adapter…', allowed: [...SETTLED], desired: null, confirmedBy: 'result', agentOperation: 'nic.update', bulk: false, ask: null, lane: 'JOB' },
  'nic.remove': {
    group: 'hardware',
    label: 'Remove network adapter…',
    verb: 'remove a network adapter from',
    progress: 'Removing a network adapter…',
    allowed: ['Off', 'Running'],
    desired: null,
    confirmedBy: 'result',
    agentOperation: 'nic.remove',
    bulk: false,
    ask: { consequence: 'The guest loses this network connection at once.' },
    lane: 'JOB',
  },

  // Checkpoints (Hyper-V's rules: applying needs the VM Off or Saved; the rest work in any settled state).
  'checkpoint.create': { group: 'checkpoint', label: 'Checkpoint…', verb: 'checkpoint', progress: 'Creating a checkpoint…', allowed: [...SETTLED], desired: null, confirmedBy: 'result', agentOperation: 'checkpoint.create', bulk: true, ask: null, lane: 'JOB' },
  'checkpoint.apply': {
    group: 'checkpoint',
    label: 'Apply checkpoint…',
    verb: 'apply a checkpoint to',
    progress: 'Applying a checkpoint…',
    allowed: ['Off', 'Saved'],
    desired: null,
    confirmedBy: 'result',
    agentOperation: 'checkpoint.apply',
    bulk: false,
    ask: { consequence: "The VM's current state, and everything changed in it since this checkpoint, is lost unless you checkpoint it first." },
    lane: 'JOB',
  },
  'checkpoint.rename': { group: 'checkpoint', label: 'Rename checkpoint…', verb: 'rename a checkpoint of', progress: 'Renaming a checkpoint…', allowed: [...SETTLED], desired: null, confirmedBy: 'result', agentOperation: 'checkpoint.rename', bulk: false, ask: null, lane: 'JOB' },
  'checkpoint.delete': {
    group: 'checkpoint',
    label: 'Delete checkpoint…',
    verb: 'delete a checkpoint of',
    progress: 'Deleting a checkpoint…',
    allowed: [...SETTLED],
    desired: null,
    confirmedBy: 'result',
    agentOperation: 'checkpoint.delete',
    bulk: false,
    ask: { consequence: 'The checkpoint is merged away: you can no longer go back to it. The VM itself keeps running unchanged.' },
    lane: 'JOB',
  },

  // Moves between nodes of the VM's cluster: live needs it Running (checkVmOperationParams).
  move: { group: 'move', label: 'Move…', verb: 'move', progress: 'Moving…', allowed: ['Running', 'Off', 'Saved'], desired: null, confirmedBy: 'host', agentOperation: 'vm.move', bulk: false, ask: null, lane: 'JOB' },
} as const satisfies Record<string, VmOperationDef>;

export type VmOperation = keyof typeof VM_OPERATION_DEFS;
type OpsOfGroup<G extends VmOperationGroup> = { [K in VmOperation]: (typeof VM_OPERATION_DEFS)[K]['group'] extends G ? K : never }[VmOperation];
/** The power actions (vm.action). */
export type VmPowerOperation = OpsOfGroup<'power'>;
/** Operations that take parameters and run through `vm.operate`: hardware, checkpoints, moves. */
export type VmEditOperation = OpsOfGroup<'hardware' | 'checkpoint' | 'move'>;

/** Edit operations a selection of VMs may run at once (vm.bulkRun with `operation` + `params`). */
export type VmBulkEditOperation = { [K in VmEditOperation]: (typeof VM_OPERATION_DEFS)[K]['bulk'] extends true ? K : never }[VmEditOperation];

export const VM_OPERATIONS = Object.keys(VM_OPERATION_DEFS) as VmOperation[];
const defOf = (op: VmOperation): VmOperationDef => VM_OPERATION_DEFS[op];
export const VM_EDIT_OPERATIONS = VM_OPERATIONS.filter((op): op is VmEditOperation => ['hardware', 'checkpoint', 'move'].includes(defOf(op).group));
export const VM_BULK_EDIT_OPERATIONS = VM_EDIT_OPERATIONS.filter((op): op is VmBulkEditOperation => defOf(op).bulk);
export const VM_OPERATIONS_BY_GROUP = (group: VmOperationGroup): VmOperation[] => VM_OPERATIONS.filter((op) => defOf(op).group === group);

export function vmOperationDef(op: VmOperation): VmOperationDef {
  return defOf(op);
}

export function isVmOperation(name: unknown): name is VmOperation {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(VM_OPERATION_DEFS, name);
}

export function isVmEditOperation(name: unknown): name is VmEditOperation {
  return isVmOperation(name) && (VM_EDIT_OPERATIONS as string[]).includes(name);
}

export type OperationCheck = { allowed: true } | { allowed: false; code: 'INVALID_STATE' | 'ALREADY_IN_STATE'; reason: string };

/**
 * Whether `op` may run on a VM in `state`, from the table alone (pure; the renderer enables buttons
 * with it and the backend refuses with the same reason). Power actions are checked by
 * checkVmAction (vm-actions.ts), which adds "already in state" and delete's force rule.
 */
export function checkVmOperationState(state: string, op: VmOperation): OperationCheck {
  const def = defOf(op);
  if (def.allowed.includes(state)) return { allowed: true };
  return { allowed: false, code: 'INVALID_STATE', reason: `Hyper-V cannot ${def.verb} a VM that is ${state}; it must be ${def.allowed.join(' or ')}` };
}

/** Edit operations offered for a VM in `state` (menus and the palette; buttons show the rest disabled with the reason). */
export function allowedVmEditOperations(state: string): VmEditOperation[] {
  return VM_EDIT_OPERATIONS.filter((op) => checkVmOperationState(state, op).allowed);
}
