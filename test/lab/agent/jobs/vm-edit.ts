/**
 * What every VM edit operation of the stand-in shares (hardware, checkpoints, moves): reading the
 * envelope's fields with the agent's refusals, finding the VM, the state rule from the one table of
 * VM operations (src/shared/contract/vm-operations.ts) and the result's common data.
 */
import { checkVmOperationState, type VmOperation } from '../../../../src/shared/contract/vm-operations';
import type { SimHost } from '../../host';
import type { SimVm } from '../../model/types';
import { AgentOperationError, type AgentOperationContext } from '../types';
import { jobKnobs } from './knobs';

export const invalid = (message: string) => new AgentOperationError('INVALID_FIELDS', message);

export function fieldsOf(ctx: AgentOperationContext): Record<string, unknown> {
  return ctx.envelope.fields;
}

export function has(f: Record<string, unknown>, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(f, name) && f[name] !== undefined;
}

export function requiredString(f: Record<string, unknown>, name: string, what: string): string {
  const v = f[name];
  if (typeof v !== 'string' || v.trim() === '') throw invalid(`Field '${name}' is required: ${what}.`);
  return v;
}

export function optionalInt(f: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  if (!has(f, name) || f[name] === null) return undefined;
  const v = f[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw invalid(`Field '${name}' must be a whole number from ${min} to ${max}.`);
  return v;
}

export function optionalBool(f: Record<string, unknown>, name: string): boolean | undefined {
  if (!has(f, name) || f[name] === null) return undefined;
  if (typeof f[name] !== 'boolean') throw invalid(`Field '${name}' must be true or false.`);
  return f[name] as boolean;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The VM by its GUID (the agent never looks a VM up by name). */
export function findVmById(ctx: AgentOperationContext): SimVm {
  const raw = fieldsOf(ctx).vmId;
  if (typeof raw !== 'string' || !GUID.test(raw)) throw invalid("Field 'vmId' is required and must be the VM's GUID.");
  const vmId = raw.toLowerCase();
  const vm = ctx.host.model.vms.find((v) => v.id === vmId);
  if (!vm) throw new AgentOperationError('VM_NOT_FOUND', `No VM with id ${vmId} on ${ctx.host.computerName}.`, { vmId });
  return vm;
}

/** Refuses `op` unless the VM's state is one the table allows, with the table's reason. */
export function requireOperationState(vm: SimVm, op: VmOperation): void {
  const check = checkVmOperationState(vm.state, op);
  if (!check.allowed) throw stateError(vm, check.reason);
}

export function stateError(vm: SimVm, reason: string): AgentOperationError {
  return new AgentOperationError('INVALID_STATE', `VM '${vm.name}': ${reason}.`, { vmId: vm.id, state: vm.state });
}

/** A Generation 1 VM's devices are on IDE (and its adapters are not hot-pluggable): they need it Off. */
export function requireOffForGeneration1(vm: SimVm, what: string): void {
  if (vm.generation === 1 && vm.state !== 'Off') throw stateError(vm, `a Generation 1 VM must be Off to ${what} (it is ${vm.state}); Generation 2 VMs allow it while Running`);
}

/** The data every edit result carries. */
export function vmData(vm: SimVm, extra: Record<string, unknown>): Record<string, unknown> {
  return { vmId: vm.id, vmName: vm.name, state: vm.state, ...extra };
}

export async function editPause(ctx: AgentOperationContext, kind: 'editMs' | 'checkpointMs' = 'editMs'): Promise<void> {
  await ctx.sleep(jobKnobs(ctx.host)[kind]);
}

/** Waits until cancelled when the host's `hang` knob is on (a host that never answers). */
export async function hangIfAsked(ctx: AgentOperationContext): Promise<void> {
  if (!jobKnobs(ctx.host).hang) return;
  ctx.log('waiting for Hyper-V…', 'info');
  await new Promise<void>((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true }));
}

export const sameHostPath = (a: string, b: string) => a.replace(/\//g, '\\').toLowerCase() === b.replace(/\//g, '\\').toLowerCase();

export type { SimHost };
