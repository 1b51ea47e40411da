import type { InventoryVm, JobRecord } from '../../../shared/contract';
import type { VmEditOperation } from '../../../shared/contract/vm-operations';
import { vmOperationDef } from '../../../shared/contract/vm-operations';
import type { VmOperationParams } from '../../../shared/contract/vm-operation-params';
import { useApp } from '../../stores/app-store';
import { rememberJobs } from '../../stores/jobs-store';
import { askConfirmation } from '../jobs/ConfirmDialog';
import type { ConfirmQuestion } from '../jobs/confirm-model';
import { confirmsDestructive } from '../jobs/job-commands';
import { operationAsks } from './operation-model';

/** How the backend answered a vm.operate: a queued job, field errors (shown at the fields), or a refusal in words. */
export type OperateOutcome =
  | { kind: 'queued'; job: JobRecord }
  | { kind: 'invalid'; fields: Record<string, string>; message: string }
  | { kind: 'refused'; code: string; message: string }
  | { kind: 'cancelled' };

type VmRef = Pick<InventoryVm, 'hostId' | 'vmId' | 'name'>;

/** "params.sizeGb" → "sizeGb": the backend names a parameter by its path in the request. */
export function fieldName(path: string): string {
  return path.replace(/^\/?params[./]/, '');
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The question before an operation whose table entry asks: what is lost, in the table's words. */
export function operationQuestion(
  op: VmEditOperation,
  vm: { name: string; hostName?: string | null },
  what?: string,
): ConfirmQuestion | undefined {
  const def = vmOperationDef(op);
  if (!def.ask) return undefined;
  const target = vm.hostName ? `${vm.name} on ${vm.hostName}` : vm.name;
  return {
    title: `${capitalised(def.verb)} ${vm.name}?`,
    target: what ? `${target}: ${what}` : target,
    consequence: def.ask.consequence,
    confirmLabel: def.label.replace(/…$/, ''),
  };
}

/** Sends one operation to the backend (vm.operate); a queued job is remembered at once. */
export async function requestVmOperation<K extends VmEditOperation>(
  vm: VmRef,
  operation: K,
  params: VmOperationParams[K],
): Promise<OperateOutcome> {
  const { backend } = useApp.getState();
  if (!backend) return { kind: 'refused', code: 'DISCONNECTED', message: 'Not connected to the backend.' };
  const result = await backend.invoke('vm.operate', {
    hostId: vm.hostId,
    vmId: vm.vmId,
    operation,
    params,
  } as never);
  if (result.ok) {
    rememberJobs([result.data]);
    return { kind: 'queued', job: result.data };
  }
  const fields = result.error.details?.fields ?? [];
  if (fields.length) {
    const byName: Record<string, string> = {};
    for (const f of fields) byName[fieldName(f.field)] ??= f.message;
    return { kind: 'invalid', fields: byName, message: result.error.message };
  }
  return { kind: 'refused', code: result.error.code, message: result.error.message };
}

/**
 * An operation as the admin chose it: asks first when the table says so (and the setting
 * ui.confirmDestructiveActions is on), then sends it. `what` names the disk, adapter or checkpoint.
 */
export async function runVmOperation<K extends VmEditOperation>(
  vm: VmRef,
  operation: K,
  params: VmOperationParams[K],
  what?: string,
): Promise<OperateOutcome> {
  const { settings, hosts } = useApp.getState();
  if (operationAsks(operation, confirmsDestructive(settings))) {
    const question = operationQuestion(
      operation,
      { name: vm.name, hostName: hosts[vm.hostId]?.displayName ?? null },
      what,
    );
    if (question && !(await askConfirmation(question))) return { kind: 'cancelled' };
  }
  return requestVmOperation(vm, operation, params);
}

/** A refusal outside a dialog (menu, palette, a tab's button) becomes a toast naming the VM and the reason. */
export function toastOutcome(vm: VmRef, operation: VmEditOperation, outcome: OperateOutcome): void {
  if (outcome.kind === 'refused' || outcome.kind === 'invalid')
    useApp
      .getState()
      .toast('error', `${vmOperationDef(operation).label.replace(/…$/, '')} ${vm.name}: ${outcome.message}`);
}
