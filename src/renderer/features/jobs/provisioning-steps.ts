import type { JobLine, JobRecord } from '../../../shared/contract';

/**
 * A create job's progress as the admin thinks of it (VM created → disk → media → guest key →
 * settings sent → guest applied → cleaned up), read from the step names New-AetherVm.ps1 logs
 * (`Write-AgentLog -Step …`). Pure, so the job page and its tests share it.
 */
export type StepStatus = 'done' | 'current' | 'failed' | 'stopped';

export interface ProvisioningStep {
  step: string;
  label: string;
  status: StepStatus;
  /** For the failed step: what the admin can do next. */
  advice?: string;
}

interface StepWords {
  label: string;
  advice: string;
}

const STEP_WORDS: Record<string, StepWords> = {
  dispatch: { label: 'Host agent started the job', advice: 'Redeploy the agent (Settings › Agent deployment) and create the VM again.' },
  validate: { label: 'Settings checked on the host', advice: 'Correct the field the error names and create the VM again.' },
  'copy-image': { label: 'Disk: golden image copied', advice: 'Check that the golden image path exists on the host and that the storage location has room for a copy.' },
  'new-disk': { label: 'Disk: new virtual disk created', advice: 'Check that the storage location exists on the host and has room for the disk.' },
  'attach-iso': { label: 'Boot ISO attached', advice: 'Check that the ISO path exists on the host (a blank VM boots from it), then create the VM again.' },
  'copy-iso': { label: 'Provisioning media staged', advice: 'Redeploy the agent (Settings › Agent deployment) so the host has the provisioning media, then create the VM again.' },
  register: { label: 'VM created with its disk, network adapter and media', advice: "Hyper-V's message above says what it refused (switch, memory, name); correct it and create the VM again." },
  start: { label: 'VM started', advice: 'Free memory on the host (or choose less memory) and start the VM from its page; it was kept.' },
  'wait-key': {
    label: 'Guest key received',
    advice: 'The guest never published its key: check that the template has the Aether-V guest agent and the KVP daemon or integration services (README › Creating VMs). The VM was kept for diagnosis.',
  },
  publish: { label: 'Settings sent to the guest', advice: 'The host could not write to the VM\'s KVP exchange; check the VM is running and retry with a new VM.' },
  'wait-apply': {
    label: 'Guest applied the settings',
    advice: "The guest's own error (error verb:step) is in the output above; open the VM's console to see the guest agent's log. The VM was kept for diagnosis.",
  },
  cleanup: { label: 'Media detached and cleaned up', advice: 'The VM is ready; remove its provisioning DVD and the ISO copy in its folder by hand if they are still there.' },
  cluster: { label: 'Registered with the cluster', advice: 'The VM exists but is not a cluster role: add it in Failover Cluster Manager or with Add-ClusterVirtualMachineRole.' },
  rollback: { label: 'Rolled back what this run created', advice: 'Check the host for a leftover VM folder if the rollback reported a warning.' },
};

function wordsFor(step: string): StepWords {
  return STEP_WORDS[step] ?? { label: step.replace(/[-_]+/g, ' ').replace(/^./, (c) => c.toUpperCase()), advice: 'See the output above for what failed.' };
}

/**
 * The steps the job has reached, in the order they started. Each is done once a later one started
 * (or the job succeeded); the newest is current while the job runs. When the job failed, the step
 * it failed in (the newest one before a rollback) is failed, with advice; when it was cancelled or
 * interrupted, that step is stopped.
 */
export function provisioningSteps(job: Pick<JobRecord, 'type' | 'state'>, lines: readonly JobLine[]): ProvisioningStep[] {
  if (job.type !== 'vm.create') return [];
  const order: string[] = [];
  for (const line of lines) {
    if (line.step && line.stream === 'log' && !order.includes(line.step)) order.push(line.step);
  }
  const ended = job.state === 'failed' || job.state === 'cancelled' || job.state === 'interrupted';
  const lastWork = order.filter((s) => s !== 'rollback').length - 1;
  const stopAt = ended ? order.indexOf(order.filter((s) => s !== 'rollback')[lastWork] ?? '') : order.length - 1;
  return order.map((step, i) => {
    const words = wordsFor(step);
    if (job.state === 'succeeded' || i !== stopAt) return { step, label: words.label, status: 'done' as const };
    if (job.state === 'failed') return { step, label: words.label, status: 'failed' as const, advice: words.advice };
    if (ended) return { step, label: words.label, status: 'stopped' as const };
    return { step, label: words.label, status: 'current' as const };
  });
}
