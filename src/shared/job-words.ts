/**
 * How a job is named and how its end is told, in words for people ("Turn off web-20", not the
 * operation key "turnoff"). One place, so the jobs list, the job page, bulk items and the backend's
 * notes never disagree. Pure: main and renderer import it.
 */
import type { JobRecord, JobState, VmAction } from './contract';
import { counted } from './counted';
import { isVmEditOperation, vmOperationDef } from './contract/vm-operations';

/** The verb of each VM action, as its button says it. */
export const VM_ACTION_VERB: Readonly<Record<VmAction | 'delete', string>> = {
  start: 'Start',
  shutdown: 'Shut down',
  turnoff: 'Turn off',
  restart: 'Restart',
  save: 'Save',
  pause: 'Pause',
  resume: 'Resume',
  delete: 'Delete',
};

/**
 * "Turn off" for a known action key; an edit, checkpoint or move in the table's words ("Add a disk
 * to", "Checkpoint", "Move"); an unknown key is shown as it came.
 */
export function actionVerb(action: string | null | undefined): string {
  if (action && action in VM_ACTION_VERB) return VM_ACTION_VERB[action as VmAction | 'delete'];
  if (isVmEditOperation(action)) {
    const verb = vmOperationDef(action).verb;
    return verb.charAt(0).toUpperCase() + verb.slice(1);
  }
  return action ?? 'Action';
}

export const JOB_STATE_LABEL: Readonly<Record<JobState, string>> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

type TitledJob = Pick<JobRecord, 'type' | 'action' | 'vmName' | 'parameters' | 'bulk'>;

/** "Create web-21", "Turn off web-20", "Delete web-20", "Shut down 12 VMs", "Add a disk to web-20", "Checkpoint 12 VMs". */
export function jobTitle(job: TitledJob): string {
  const vm = job.vmName ?? (typeof job.parameters.vmName === 'string' ? job.parameters.vmName : '');
  switch (job.type) {
    case 'bulk':
      return `${actionVerb(job.action)} ${job.bulk ? counted(job.bulk.total, 'VM') : 'several VMs'}`;
    case 'vm.create':
      return `Create ${vm || 'a VM'}`;
    case 'vm.delete':
      return `Delete ${vm || 'a VM'}`;
    default:
      return `${actionVerb(job.action)} ${vm}`.trim();
  }
}

/** Codes that only repeat the job's state: the state badge already says them. */
const STATE_CODES = new Set(['CANCELLED', 'INTERRUPTED']);

/**
 * What to show beside the state badge of a finished job: the error's message, without a code or a
 * leading word that repeats the state ("Cancelled" once, not "Cancelled CANCELLED: Cancelled; …").
 * A failure keeps its code: admins search for it and support asks for it.
 */
export function jobEndDetail(job: Pick<JobRecord, 'state' | 'error'>): string {
  if (!job.error) return '';
  if (!STATE_CODES.has(job.error.code)) return `${job.error.code}: ${job.error.message}`;
  const stateWord = JOB_STATE_LABEL[job.state];
  const message = job.error.message.replace(new RegExp(`^${stateWord}\\b[;:,.]?\\s*`, 'i'), '');
  return message ? message.charAt(0).toUpperCase() + message.slice(1) : '';
}
