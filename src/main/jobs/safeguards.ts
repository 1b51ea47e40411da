import type { HostView, InventoryHost, InventoryVm } from '../../shared/contract';
import type { HostReadiness } from '../deployment/api';

/**
 * What submission safeguards need to know about the world, injected so the checks stay pure:
 * the host registry, deployment's readiness, the inventory and the job queue each provide a part.
 * `undefined` means "not known" (e.g. the inventory has never seen the host).
 */
export interface SubmissionView {
  host(hostId: string): Pick<HostView, 'id' | 'displayName' | 'status' | 'enabled'> | undefined;
  /** Deployment's last known readiness for the host; undefined when deployment is not running. */
  agentReadiness(hostId: string): HostReadiness | undefined;
  /** Names of the VMs the inventory knows on the host (placeholders included). */
  vmNamesOnHost(hostId: string): string[] | undefined;
  /** Memory the host reports as available, GiB. */
  hostMemoryAvailableGb(hostId: string): number | null | undefined;
  /** VM names of create jobs queued or running for the host. */
  pendingVmNames(hostId: string): string[];
}

export type SafeguardCode = 'HOST_NOT_FOUND' | 'HOST_DISABLED' | 'HOST_NOT_CONNECTED' | 'AGENT_NOT_READY' | 'VM_NAME_EXISTS' | 'VM_NAME_PENDING';

/** A refused submission: a stable code and a sentence naming the host and what to do. */
export class SubmissionRefused extends Error {
  override name = 'SubmissionRefused';
  constructor(
    readonly code: SafeguardCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface SafeguardRequest {
  hostId: string;
  vmName: string;
  memoryGB: number;
}

/**
 * Checks, in order: the host exists and is enabled, it is connected, its agent is ready, the VM
 * name is free on the host and among pending jobs (case-insensitive, as Hyper-V and Windows
 * compare names). Throws the first refusal; returns warnings (not enough free memory) otherwise.
 */
export function checkSubmissionSafeguards(request: SafeguardRequest, view: SubmissionView): { warnings: string[] } {
  const host = view.host(request.hostId);
  if (!host) throw new SubmissionRefused('HOST_NOT_FOUND', `Host ${request.hostId} is not configured (it may have been removed); choose another host.`);
  const name = host.displayName;
  if (!host.enabled || host.status === 'disabled') throw new SubmissionRefused('HOST_DISABLED', `Host ${name} is disabled; enable it in Settings first.`);
  if (host.status !== 'connected' && host.status !== 'preparing') {
    throw new SubmissionRefused('HOST_NOT_CONNECTED', `Host ${name} is not connected (${host.status}); test its connection in Settings, then try again.`);
  }

  const readiness = view.agentReadiness(request.hostId);
  if (!readiness) throw new SubmissionRefused('AGENT_NOT_READY', `The agent on ${name} is not deployed yet (deployment is not running); see Diagnostics.`);
  if (readiness.state === 'preparing') throw new SubmissionRefused('AGENT_NOT_READY', `The agent is still being deployed to ${name} (${readiness.reason}); try again when it is ready.`);
  if (readiness.state !== 'ready') throw new SubmissionRefused('AGENT_NOT_READY', `The agent on ${name} cannot run jobs: ${readiness.reason}.`);
  if (host.status !== 'connected') throw new SubmissionRefused('HOST_NOT_CONNECTED', `Host ${name} is still being prepared; try again when it is connected.`);

  const wanted = request.vmName.toLowerCase();
  if ((view.vmNamesOnHost(request.hostId) ?? []).some((n) => n.toLowerCase() === wanted)) {
    throw new SubmissionRefused('VM_NAME_EXISTS', `A VM named ${request.vmName} already exists on ${name}; choose another name.`, 'vmName');
  }
  if (view.pendingVmNames(request.hostId).some((n) => n.toLowerCase() === wanted)) {
    throw new SubmissionRefused('VM_NAME_PENDING', `A job creating a VM named ${request.vmName} on ${name} is already queued or running; choose another name.`, 'vmName');
  }

  const warnings: string[] = [];
  const available = view.hostMemoryAvailableGb(request.hostId);
  if (available === undefined || available === null) warnings.push(`Free memory on ${name} is not known yet; the VM may not start if the host is short of memory.`);
  else if (request.memoryGB > available) {
    warnings.push(`${name} has about ${available} GiB of memory free and the VM asks for ${request.memoryGB} GiB; it may fail to start.`);
  }
  return { warnings };
}

/** States in which a VM holds its memory on the host. */
const HOLDS_MEMORY = new Set(['Running', 'Paused', 'Starting', 'Stopping', 'Saving', 'Pausing', 'Resuming', 'Creating']);

/**
 * Free memory on a host, GiB: what the host reports when it does, otherwise its physical memory
 * minus what its running VMs hold (assigned memory, or startup memory before the first quick sync).
 * Undefined when even the host's total is unknown.
 */
export function estimateFreeMemoryGb(host: InventoryHost | undefined, vms: readonly InventoryVm[]): number | undefined {
  if (!host) return undefined;
  if (host.memoryAvailableGb !== null) return host.memoryAvailableGb;
  if (host.memoryGb === null) return undefined;
  const heldMb = vms
    .filter((v) => v.hostId === host.hostId && HOLDS_MEMORY.has(v.state))
    .reduce((sum, v) => sum + (v.memoryAssignedMb ?? v.memoryStartupMb ?? 0), 0);
  return Math.max(0, Math.round((host.memoryGb - heldMb / 1024) * 10) / 10);
}
