import type { VmAction } from '../../../shared/contract';
import { VM_ACTION_DEFS, vmActionAsks } from '../../../shared/contract/vm-actions';
import { counted } from '../../../shared/counted';

/** What the confirmation dialog says: the question, who it touches, what is lost, the button. */
export interface ConfirmQuestion {
  title: string;
  /** The VM and host, or how many VMs on how many hosts. */
  target: string;
  consequence: string;
  confirmLabel: string;
}

/**
 * The question before a destructive action on one VM, or undefined when it runs at once (an action
 * that does not ask, or the admin turned the questions off: setting ui.confirmDestructiveActions).
 */
export function vmActionQuestion(action: VmAction, vm: { name: string; hostName?: string | null }, confirmDestructiveActions: boolean): ConfirmQuestion | undefined {
  const def = VM_ACTION_DEFS[action];
  if (!vmActionAsks(action, confirmDestructiveActions) || !def.ask) return undefined;
  return {
    title: `${def.label} ${vm.name}?`,
    target: vm.hostName ? `${vm.name} on ${vm.hostName}` : vm.name,
    consequence: def.ask.consequence,
    confirmLabel: def.label,
  };
}

/** The consequence a bulk preview states before its Run button, or undefined when it does not ask. */
export function bulkConsequence(action: VmAction, confirmDestructiveActions: boolean): string | undefined {
  return vmActionAsks(action, confirmDestructiveActions) ? VM_ACTION_DEFS[action].ask?.consequence : undefined;
}

/** "Turn off 5 VMs on 2 hosts" for a bulk run's button and summary. */
export function bulkTarget(action: VmAction, vms: number, hosts: number): string {
  return `${VM_ACTION_DEFS[action].label} ${counted(vms, 'VM')} on ${counted(hosts, 'host')}`;
}
