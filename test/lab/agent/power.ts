/**
 * What follows a VM's power state on a Hyper-V host, as Hyper-V does it: memory is assigned at
 * start (the startup amount) and given back when the VM is off or saved, uptime restarts with a
 * boot (from Off or Saved, or a reset) but not with a resume, and CPU is idle when not running.
 * One rule for the TypeScript stand-in (agent/jobs.ts) and the simulated Hyper-V module
 * (pwsh/hyperv-rpc.ts), so the two labs cannot disagree about it.
 */
import type { SimHostModel, SimVm, VmState } from '../model/types';
import { markVmBooted } from './inventory';

export function settleVmPower(model: SimHostModel, vm: SimVm, from: VmState, action: string): void {
  const wasHoldingMemory = !['Off', 'Saved'].includes(from);
  if (vm.state === 'Running') {
    if (!wasHoldingMemory || action === 'reset' || action === 'restart') markVmBooted(vm);
    if (!wasHoldingMemory) {
      vm.memoryAssignedMiB = vm.memoryStartupMiB;
      model.memoryAvailableMiB = Math.max(0, model.memoryAvailableMiB - vm.memoryAssignedMiB);
    }
    if (action !== 'resume' || vm.cpuUsagePercent === 0) vm.cpuUsagePercent = 3;
  } else if (vm.state === 'Off' || vm.state === 'Saved') {
    if (wasHoldingMemory) model.memoryAvailableMiB = Math.min(model.memoryTotalMiB, model.memoryAvailableMiB + vm.memoryAssignedMiB);
    vm.memoryAssignedMiB = 0;
    vm.cpuUsagePercent = 0;
  } else if (vm.state === 'Paused') {
    vm.cpuUsagePercent = 0;
  }
}
