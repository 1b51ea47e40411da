/**
 * The lab's inventory model: deterministic clusters, hosts and VMs generated from a seed.
 * Handlers read and mutate it; nothing here knows about WinRM.
 */
export { generateLabModel, makeVm, NON_ASCII_VM_NAMES } from './generate';
export { addVms, moveVm, removeVms } from './churn';
export { Prng } from './prng';
export { isLoopbackV4, labGuestAddress, labVmAddress } from './addresses';
export type { LabModel, LabModelOptions, SimCluster, SimDisk, SimHostModel, SimNic, SimVm, VmState } from './types';
