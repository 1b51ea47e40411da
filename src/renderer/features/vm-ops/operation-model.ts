import type { InventoryHost, InventoryVm } from '../../../shared/contract';
import {
  checkVmOperationState,
  VM_EDIT_OPERATIONS,
  VM_OPERATIONS,
  vmOperationDef,
  type VmEditOperation,
  type VmOperation,
  type VmOperationGroup,
} from '../../../shared/contract/vm-operations';

/**
 * What the renderer offers of the edit operations (hardware, checkpoints, moves), all read from the
 * one table (vm-operations.ts): labels, the states that allow them and the reason when not, the
 * progress text of a pending operation and the question before the ones that ask.
 */

type VmFacts = Pick<
  InventoryVm,
  'state' | 'placeholder' | 'stale' | 'pending' | 'name' | 'clustered' | 'hostId'
>;

/** Progress text of any operation ("Moving…"), for a pending row or a running job. */
export function operationProgress(action: string): string {
  return (VM_OPERATIONS as string[]).includes(action)
    ? vmOperationDef(action as VmOperation).progress
    : `${action}…`;
}

/**
 * What the table cannot know but the UI must say: a placeholder is not on its host yet, a stale
 * row's state may be wrong, and one operation at a time per VM (the backend refuses with ACTION_PENDING).
 */
export function vmBlockedReason(
  vm: Pick<InventoryVm, 'placeholder' | 'stale' | 'pending' | 'name'>,
): string | undefined {
  if (vm.placeholder) return `${vm.name} is still being created`;
  if (vm.stale) return 'its host is unreachable: the state shown may be out of date';
  if (vm.pending && !vm.pending.unconfirmed)
    return `an operation (${operationProgress(vm.pending.action).replace('…', '').toLowerCase()}) is still pending on ${vm.name}`;
  return undefined;
}

export interface OperationButton {
  operation: VmEditOperation;
  label: string;
  enabled: boolean;
  /** Why it is disabled: the table's reason, or the VM's situation. */
  reason?: string;
}

/** Other nodes of the VM's cluster (hosts reporting the same cluster), for moves. */
export function clusterPeers(
  vmHostId: string,
  hosts: Iterable<InventoryHost>,
): { cluster: string | null; peers: InventoryHost[] } {
  const all = [...hosts];
  const own = all.find((h) => h.hostId === vmHostId);
  const cluster = own?.cluster ?? null;
  if (!cluster) return { cluster, peers: [] };
  return {
    cluster,
    peers: all.filter((h) => h.hostId !== vmHostId && h.cluster?.toLowerCase() === cluster.toLowerCase()),
  };
}

/** Why a VM cannot move at all (before its state is considered), or undefined. */
export function moveBlockedReason(
  vm: Pick<InventoryVm, 'clustered' | 'hostId' | 'name'>,
  hosts: Iterable<InventoryHost>,
): string | undefined {
  if (!vm.clustered) return `${vm.name} is not a cluster role: only clustered VMs move between nodes`;
  const { cluster, peers } = clusterPeers(vm.hostId, hosts);
  if (!cluster) return `the host of ${vm.name} reports no cluster`;
  if (!peers.length) return `no other node of cluster ${cluster} is configured here`;
  return undefined;
}

/**
 * The edit operations of `groups` for one VM, each enabled exactly as the backend's state check
 * would allow it (checkVmOperationState), disabled with its reason otherwise.
 */
export function vmOperationButtons(
  vm: VmFacts,
  groups: readonly VmOperationGroup[] = ['hardware', 'checkpoint', 'move'],
  hosts: Iterable<InventoryHost> = [],
): OperationButton[] {
  const blocked = vmBlockedReason(vm);
  const hostList = [...hosts];
  return VM_EDIT_OPERATIONS.filter((op) => groups.includes(vmOperationDef(op).group)).map((operation) => {
    const label = vmOperationDef(operation).label;
    if (blocked) return { operation, label, enabled: false, reason: blocked };
    if (operation === 'move') {
      const reason = moveBlockedReason(vm, hostList);
      if (reason) return { operation, label, enabled: false, reason };
    }
    const check = checkVmOperationState(vm.state, operation);
    return check.allowed
      ? { operation, label, enabled: true }
      : { operation, label, enabled: false, reason: check.reason };
  });
}

/** Operations that act on one disk, adapter or checkpoint of the VM: their dialog names which. */
export const TARGETED: Partial<Record<VmEditOperation, 'disk' | 'nic' | 'checkpoint'>> = {
  'disk.expand': 'disk',
  'disk.remove': 'disk',
  'nic.update': 'nic',
  'nic.remove': 'nic',
  'checkpoint.apply': 'checkpoint',
  'checkpoint.rename': 'checkpoint',
  'checkpoint.delete': 'checkpoint',
};

/** Whether the operation asks before running (the table's `ask`, unless the admin turned questions off). */
export function operationAsks(op: VmEditOperation, confirmDestructiveActions: boolean): boolean {
  return confirmDestructiveActions && vmOperationDef(op).ask !== null;
}
