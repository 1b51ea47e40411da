import type { InventoryVm, JobExportRequest, VmAction } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { rememberJobs } from '../../stores/jobs-store';
import { saveExport } from './download';
import { ACTION_LABEL } from './vm-action-model';

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
