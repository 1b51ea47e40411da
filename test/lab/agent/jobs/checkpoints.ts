/**
 * The stand-in's checkpoint operations (docs/agent.md "checkpoint.*") with Hyper-V's rules: a
 * standard checkpoint of a running VM keeps its memory (applying it leaves the VM Saved), a
 * production checkpoint needs the guest to answer when the VM runs; applying needs the VM Off or
 * Saved; deleting merges the checkpoint away (its children move up) or removes a whole subtree.
 */
import { randomUUID } from 'node:crypto';
import type { SimCheckpoint, SimCheckpointConfig, SimVm } from '../../model/types';
import { vmHeartbeat } from '../inventory';
import { AgentOperationError, type AgentOperation } from '../types';
import { editPause, fieldsOf, findVmById, hangIfAsked, invalid, optionalBool, requiredString, requireOperationState, vmData } from './vm-edit';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkpointName(f: Record<string, unknown>): string {
  const name = requiredString(f, 'name', 'the checkpoint name (1–100 characters)').trim();
  if (name.length > 100) throw invalid("Field 'name' must be at most 100 characters.");
  return name;
}

function findCheckpoint(vm: SimVm, f: Record<string, unknown>): SimCheckpoint {
  const id = requiredString(f, 'checkpointId', "the checkpoint's id (a GUID)");
  if (!GUID.test(id)) throw invalid("Field 'checkpointId' must be a GUID.");
  const checkpoint = (vm.checkpoints ?? []).find((c) => c.id === id.toLowerCase());
  if (!checkpoint) throw invalid(`Field 'checkpointId': VM '${vm.name}' has no checkpoint ${id.toLowerCase()}.`);
  return checkpoint;
}

/** The hardware a checkpoint keeps (a deep copy: later edits of the VM must not reach it). */
export function checkpointConfigOf(vm: SimVm): SimCheckpointConfig {
  return structuredClone({
    processorCount: vm.processorCount,
    memoryStartupMiB: vm.memoryStartupMiB,
    memoryMinimumMiB: vm.memoryMinimumMiB,
    memoryMaximumMiB: vm.memoryMaximumMiB,
    dynamicMemoryEnabled: vm.dynamicMemoryEnabled,
    notes: vm.notes,
    disks: vm.disks,
    nics: vm.nics,
  });
}

/** Adds a checkpoint of the VM as it is now, below the checkpoint it runs from (shared with the simulated module). */
export function takeCheckpoint(vm: SimVm, name: string, type: 'Standard' | 'Production', at = new Date()): SimCheckpoint {
  const checkpoint: SimCheckpoint = {
    id: randomUUID(),
    name,
    parentId: vm.parentCheckpointId ?? null,
    creationTime: at.toISOString(),
    type,
    // A standard checkpoint of a VM that holds memory (running, paused, saved) keeps it.
    holdsMemory: type === 'Standard' && ['Running', 'Paused', 'Saved'].includes(vm.state),
    config: checkpointConfigOf(vm),
  };
  (vm.checkpoints ??= []).push(checkpoint);
  vm.parentCheckpointId = checkpoint.id;
  return checkpoint;
}

/** Puts the VM back to the checkpoint: its hardware, and Saved (with memory) or Off. */
export function restoreCheckpoint(vm: SimVm, checkpoint: SimCheckpoint): void {
  if (checkpoint.config) {
    const c = structuredClone(checkpoint.config);
    Object.assign(vm, { processorCount: c.processorCount, memoryStartupMiB: c.memoryStartupMiB, memoryMinimumMiB: c.memoryMinimumMiB, memoryMaximumMiB: c.memoryMaximumMiB, dynamicMemoryEnabled: c.dynamicMemoryEnabled, notes: c.notes, disks: c.disks, nics: c.nics });
  }
  vm.state = checkpoint.holdsMemory ? 'Saved' : 'Off';
  vm.memoryAssignedMiB = 0;
  vm.cpuUsagePercent = 0;
  vm.parentCheckpointId = checkpoint.id;
}

/** Removes a checkpoint (its children move up to its parent) or its whole subtree; returns the ids removed. */
export function removeCheckpoints(vm: SimVm, checkpoint: SimCheckpoint, subtree: boolean): string[] {
  const all = vm.checkpoints ?? [];
  const removed = new Set([checkpoint.id]);
  if (subtree) {
    for (let grew = true; grew; ) {
      grew = false;
      for (const c of all) {
        if (c.parentId && removed.has(c.parentId) && !removed.has(c.id)) {
          removed.add(c.id);
          grew = true;
        }
      }
    }
  } else {
    for (const c of all) if (c.parentId === checkpoint.id) c.parentId = checkpoint.parentId;
  }
  vm.checkpoints = all.filter((c) => !removed.has(c.id));
  if (vm.parentCheckpointId && removed.has(vm.parentCheckpointId)) vm.parentCheckpointId = checkpoint.parentId;
  return all.filter((c) => removed.has(c.id)).map((c) => c.id);
}

/** Why Hyper-V refuses a production checkpoint now, or null: the guest must answer while it runs. */
export function productionCheckpointRefusal(vm: SimVm): string | null {
  if (vm.state !== 'Running' || (vmHeartbeat(vm) ?? '').startsWith('Ok')) return null;
  return `Checkpoint operation for '${vm.name}' failed. (Virtual machine ID ${vm.id.toUpperCase()}) Production checkpoints cannot be created for '${vm.name}': the guest's integration services did not answer (heartbeat ${vmHeartbeat(vm) ?? 'none'}).`;
}

const checkpointCreate: AgentOperation = async (ctx) => {
  const f = fieldsOf(ctx);
  const vm = findVmById(ctx);
  const name = checkpointName(f);
  if (f.type !== 'standard' && f.type !== 'production') throw invalid("Field 'type' must be 'standard' (with memory when running) or 'production' (application-consistent, through the guest).");
  const type = f.type === 'production' ? 'Production' : 'Standard';
  requireOperationState(vm, 'checkpoint.create');
  await hangIfAsked(ctx);
  const previousType = vm.checkpointType ?? 'Production';
  ctx.log(`Set-VM -CheckpointType ${type === 'Production' ? 'ProductionOnly' : 'Standard'} (was ${previousType})`, 'info', 'type');
  ctx.log(`Checkpoint-VM: '${name}' (${type.toLowerCase()}, VM ${vm.state})`, 'info', 'checkpoint');
  await editPause(ctx, 'checkpointMs');
  const refusal = type === 'Production' ? productionCheckpointRefusal(vm) : null;
  ctx.log(`Set-VM -CheckpointType ${previousType} (restored)`, 'info', 'type');
  if (refusal) throw new AgentOperationError('CHECKPOINT_FAILED', refusal, { vmId: vm.id });
  const checkpoint = takeCheckpoint(vm, name, type);
  return vmData(vm, { checkpointId: checkpoint.id, name, type: type.toLowerCase(), createdAt: checkpoint.creationTime });
};

const checkpointApply: AgentOperation = async (ctx) => {
  const f = fieldsOf(ctx);
  const vm = findVmById(ctx);
  const checkpoint = findCheckpoint(vm, f);
  requireOperationState(vm, 'checkpoint.apply');
  await hangIfAsked(ctx);
  ctx.log(`Restore-VMSnapshot: '${checkpoint.name}' (VM was ${vm.state})`, 'info', 'apply');
  await editPause(ctx, 'checkpointMs');
  restoreCheckpoint(vm, checkpoint);
  ctx.log(`VM '${vm.name}' is ${vm.state}`, 'info', 'apply');
  return vmData(vm, { checkpointId: checkpoint.id });
};

const checkpointRename: AgentOperation = async (ctx) => {
  const f = fieldsOf(ctx);
  const vm = findVmById(ctx);
  const checkpoint = findCheckpoint(vm, f);
  const name = checkpointName(f);
  requireOperationState(vm, 'checkpoint.rename');
  await hangIfAsked(ctx);
  ctx.log(`Rename-VMSnapshot: '${checkpoint.name}' → '${name}'`, 'info', 'rename');
  checkpoint.name = name;
  return vmData(vm, { checkpointId: checkpoint.id, name });
};

const checkpointDelete: AgentOperation = async (ctx) => {
  const f = fieldsOf(ctx);
  const vm = findVmById(ctx);
  const checkpoint = findCheckpoint(vm, f);
  const subtree = optionalBool(f, 'subtree');
  if (subtree === undefined) throw invalid("Field 'subtree' is required (true also deletes every checkpoint below this one).");
  requireOperationState(vm, 'checkpoint.delete');
  await hangIfAsked(ctx);
  ctx.log(`Remove-VMSnapshot: '${checkpoint.name}'${subtree ? ' and every checkpoint below it' : ''}; merging its differencing disks`, 'info', 'delete');
  await editPause(ctx, 'checkpointMs');
  const deleted = removeCheckpoints(vm, checkpoint, subtree);
  return vmData(vm, { checkpointId: checkpoint.id, deleted });
};

export const checkpointOperations: Record<string, AgentOperation> = {
  'checkpoint.create': checkpointCreate,
  'checkpoint.apply': checkpointApply,
  'checkpoint.rename': checkpointRename,
  'checkpoint.delete': checkpointDelete,
};
