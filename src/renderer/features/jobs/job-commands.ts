import type { InventoryVm, JobExportRequest, VmAction } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { rememberJobs } from '../../stores/jobs-store';
import { saveExport } from './download';
import { ACTION_LABEL } from './vm-action-model';
import { askConfirmation } from './ConfirmDialog';
import { vmActionQuestion } from './confirm-model';

/**
 * The jobs commands as the UI issues them: a refusal becomes a toast with the backend's message
 * (it names the VM, the state and what is allowed), a queued job is remembered at once.
 */
export async function requestVmAction(vm: Pick<InventoryVm, 'hostId' | 'vmId' | 'name'>, action: VmAction): Promise<string | undefined> {
  const { backend, toast } = useApp.getState();
  if (!backend) return undefined;
  const result = await backend.invoke('vm.action', { hostId: vm.hostId, vmId: vm.vmId, action });
  if (!result.ok) {
    toast('error', `${ACTION_LABEL[action]} ${vm.name}: ${result.error.message}`);
    return undefined;
  }
  rememberJobs([result.data]);
  return result.data.id;
}

export async function cancelJob(id: string): Promise<void> {
  const { backend, toast } = useApp.getState();
  if (!backend) return;
  const result = await backend.invoke('jobs.cancel', { id });
  if (!result.ok) toast('error', result.error.message);
}

export async function exportJobs(request: JobExportRequest): Promise<void> {
  const { backend, toast } = useApp.getState();
  if (!backend) return;
  const result = await backend.invoke('jobs.export', request);
  if (!result.ok) {
    toast('error', `Export failed: ${result.error.message}`);
    return;
  }
  saveExport(result.data);
}

/**
 * A VM action as the user chose it (VM page, palette, the pending note's Turn off): a destructive
 * one asks first in the in-app dialog unless the admin turned that off (ui.confirmDestructiveActions).
 * Resolves to the job id, or undefined when cancelled or refused.
 */
export async function runVmAction(vm: Pick<InventoryVm, 'hostId' | 'vmId' | 'name'>, action: VmAction): Promise<string | undefined> {
  const { settings, hosts } = useApp.getState();
  const question = vmActionQuestion(action, { name: vm.name, hostName: hosts[vm.hostId]?.displayName ?? null }, confirmsDestructive(settings));
  if (question && !(await askConfirmation(question))) return undefined;
  return requestVmAction(vm, action);
}

/** The setting, true until the settings arrived (asking is the safe default). */
export function confirmsDestructive(settings: { ui?: { confirmDestructiveActions?: boolean } } | undefined): boolean {
  return settings?.ui?.confirmDestructiveActions ?? true;
}
