/**
 * The stand-in's vm.move (docs/agent.md): Move-ClusterVirtualMachineRole to another node of the
 * VM's cluster. A live migration copies the memory while the VM keeps running (a few seconds,
 * scaled by slowFactor); a quick migration saves a running VM, moves it and resumes it on the
 * target. The VM object leaves the source host's model and appears in the target's, and each
 * host's free memory follows (the rule of agent/power.ts). Target nodes are found through the
 * lab's host registry (agent/lab-hosts.ts).
 */
import type { SimHost } from '../../host';
import type { SimVm } from '../../model/types';
import { clusterPeers, findLabHost } from '../lab-hosts';
import { vmIsClustered } from '../inventory';
import { settleVmPower } from '../power';
import { AgentOperationError, type AgentOperation, type AgentOperationContext } from '../types';
import { jobKnobs } from './knobs';
import { fieldsOf, findVmById, hangIfAsked, invalid, requiredString, requireOperationState, stateError, vmData } from './vm-edit';

/** Why `target` cannot take the VM, or null. One rule for the stand-in and the simulated cluster module. */
export function moveTargetRefusal(source: SimHost, target: SimHost | undefined, node: string): string | null {
  const nodes = [source, ...clusterPeers(source)].map((h) => h.computerName).join(', ');
  if (!target || target.model.cluster !== source.model.cluster) return `'${node}' is not a node of cluster ${source.model.cluster ?? '(none)'}; its nodes are ${nodes}.`;
  if (target === source) return `the VM already runs on ${source.computerName}; choose another node (${nodes}).`;
  if (target.knobs.unreachable) return `node ${target.computerName} is down (the cluster service does not answer there).`;
  return null;
}

/** Moves the VM object from one host's model to the other's, memory following it. */
export function transferVm(source: SimHost, target: SimHost, vm: SimVm): void {
  source.model.vms = source.model.vms.filter((v) => v !== vm);
  if (vm.memoryAssignedMiB > 0) {
    source.model.memoryAvailableMiB = Math.min(source.model.memoryTotalMiB, source.model.memoryAvailableMiB + vm.memoryAssignedMiB);
    target.model.memoryAvailableMiB = Math.max(0, target.model.memoryAvailableMiB - vm.memoryAssignedMiB);
  }
  target.model.vms.push(vm);
}

export function notEnoughMemory(vm: SimVm, target: SimHost, neededMiB: number): string | null {
  if (neededMiB <= target.model.memoryAvailableMiB) return null;
  return `Live migration of '${vm.name}' failed. Not enough memory on ${target.computerName}: the VM needs ${neededMiB} MB and the node has ${target.model.memoryAvailableMiB} MB free.`;
}

async function liveMigrate(ctx: AgentOperationContext, vm: SimVm, target: SimHost): Promise<void> {
  const total = jobKnobs(ctx.host).migrationMs;
  for (const percent of [25, 50, 75, 100]) {
    await ctx.sleep(total / 4);
    ctx.log(`Live migration of '${vm.name}': ${percent}% of memory copied to ${target.computerName}`, 'info', 'migrate');
  }
  transferVm(ctx.host, target, vm);
}

async function quickMigrate(ctx: AgentOperationContext, vm: SimVm, target: SimHost): Promise<void> {
  const k = jobKnobs(ctx.host);
  const wasRunning = vm.state === 'Running';
  if (wasRunning) {
    ctx.log(`Saving '${vm.name}' on ${ctx.host.computerName}`, 'info', 'save');
    vm.state = 'Saving';
    await ctx.sleep(k.actionMs);
    vm.state = 'Saved';
    settleVmPower(ctx.host.model, vm, 'Running', 'save');
  }
  ctx.log(`Moving '${vm.name}' to ${target.computerName}`, 'info', 'move');
  await ctx.sleep(k.migrationMs / 3);
  transferVm(ctx.host, target, vm);
  if (wasRunning) {
    ctx.log(`Resuming '${vm.name}' on ${target.computerName}`, 'info', 'resume');
    vm.state = 'Starting';
    await ctx.sleep(k.actionMs);
    vm.state = 'Running';
    settleVmPower(target.model, vm, 'Saved', 'start');
  }
}

const vmMove: AgentOperation = async (ctx) => {
  const f = fieldsOf(ctx);
  const vm = findVmById(ctx);
  const node = requiredString(f, 'targetNode', "the computer name of another node of the VM's cluster");
  const type = typeof f.migrationType === 'string' ? f.migrationType.toLowerCase() : '';
  if (type !== 'live' && type !== 'quick') throw invalid("Field 'migrationType' must be 'Live' (a running VM, no downtime) or 'Quick' (saved, moved and resumed).");
  const migrationType = type === 'live' ? 'Live' : 'Quick';
  if (!vmIsClustered(ctx.host, vm)) {
    throw new AgentOperationError('NOT_CLUSTERED', `VM '${vm.name}' is not a role of a failover cluster on ${ctx.host.computerName}; only a clustered VM moves between nodes.`, { vmId: vm.id });
  }
  const target = findLabHost(ctx.host, node);
  const refusal = moveTargetRefusal(ctx.host, target, node);
  if (refusal) throw invalid(`Field 'targetNode': ${refusal}`);
  requireOperationState(vm, 'move');
  if (migrationType === 'Live' && vm.state !== 'Running') throw stateError(vm, `a live migration needs the VM Running (it is ${vm.state}); use a quick migration`);
  const short = vm.state === 'Running' ? notEnoughMemory(vm, target!, vm.memoryAssignedMiB || vm.memoryStartupMiB) : null;
  if (short) throw new AgentOperationError('HYPERV_ERROR', short, { vmId: vm.id });
  await hangIfAsked(ctx);
  const sourceNode = ctx.host.computerName;
  ctx.log(`Move-ClusterVirtualMachineRole -MigrationType ${migrationType}: '${vm.name}' ${sourceNode} → ${target!.computerName}`, 'info', 'move');
  if (migrationType === 'Live') await liveMigrate(ctx, vm, target!);
  else await quickMigrate(ctx, vm, target!);
  ctx.log(`'${vm.name}' is ${vm.state} on ${target!.computerName}`, 'info', 'done');
  return vmData(vm, { sourceNode, targetNode: target!.computerName, migrationType });
};

export const moveOperations: Record<string, AgentOperation> = { 'vm.move': vmMove };
