import type { InventoryVm, JobRecord } from '../../shared/contract';
import type { JobsCore } from './service';

/** A refusal before anything is queued: a stable code and a sentence naming the VM or host and what to do. */
export type Refused = { ok: false; code: string; reason: string; field?: string | null; vm?: InventoryVm };

/**
 * The checks every VM job shares (power actions, deletion, edits, checkpoints, moves): the host is
 * configured, enabled, its agent ready and connected; the VM is known; no other job is in flight
 * on it. One place, so a power action and an edit can never disagree about "ready".
 */
export function hostReady(core: JobsCore, hostId: string): { ok: true } | Refused {
  const host = core.ctx.hosts.list().find((h) => h.id === hostId);
  if (!host) return { ok: false, code: 'HOST_NOT_FOUND', reason: `Host ${hostId} is not configured (it may have been removed).` };
  if (!host.enabled) return { ok: false, code: 'HOST_DISABLED', reason: `Host ${host.displayName} is disabled; enable it in Settings first.` };
  const readiness = core.deployment?.readiness(hostId);
  if (readiness && readiness.state !== 'ready') return { ok: false, code: 'AGENT_NOT_READY', reason: `The agent on ${host.displayName} is not ready (${readiness.reason}).` };
  if (host.status !== 'connected') return { ok: false, code: 'HOST_NOT_CONNECTED', reason: `Host ${host.displayName} is not connected (${host.status}).` };
  return { ok: true };
}

/** A VM job (not a bulk parent) still queued or running on this VM. */
export function activeJobOn(core: JobsCore, hostId: string, vmId: string): JobRecord | undefined {
  return core.store.all().find((r) => r.hostId === hostId && r.vmId === vmId && r.type !== 'bulk' && (r.state === 'queued' || r.state === 'running'));
}

/** Host ready, VM known (not a placeholder), nothing else in flight on it. */
export function vmReady(core: JobsCore, hostId: string, vmId: string): { ok: true; vm: InventoryVm } | Refused {
  const host = hostReady(core, hostId);
  if (!host.ok) return host;
  const vm = core.inventory?.store.vm(hostId, vmId);
  const hostName = core.hostName(hostId);
  if (!vm || vm.placeholder) return { ok: false, code: 'VM_NOT_FOUND', reason: `No VM ${vmId} on ${hostName} in the inventory; refresh the host.` };
  const active = activeJobOn(core, hostId, vmId);
  if (active) return { ok: false, vm, code: 'ACTION_PENDING', reason: `${vm.name} on ${hostName} already has a ${active.action ?? active.type} job ${active.state}; wait for it or cancel it.` };
  return { ok: true, vm };
}
