/**
 * When an observation of a VM confirms its pending operation. Most actions are confirmed by the
 * state they lead to. A restart of a Running VM leads back to Running, so its state proves nothing:
 * it is confirmed by the host's evidence that the VM booted again after the request (its uptime
 * reset), never by a state the VM already had. A move (confirmedBy `host`) is confirmed when the VM
 * shows on its target host; an edit or checkpoint operation (`result`) by its job's result and the
 * refresh after it (src/main/jobs/vm-operations.ts), never by an observation alone.
 */
import { vmActionConfirmation } from '../../shared/contract';
import type { PendingOperationInput } from './types';

/** What one sync read of a VM says (the store's hot state, or a quick listing's row). */
export interface VmObservation {
  state: string;
  uptimeS: number | null;
  /** When the sync that read it started (our clock). */
  observedAt: string;
}

/**
 * Two reads of one boot differ by the sync's latency and the whole-second uptime; the same
 * allowance the store uses to call two hot states equal (sameHot).
 */
export const SAME_BOOT_MS = 10_000;
/**
 * A boot time computed from a read is at most one second later than the real boot (uptime is
 * whole seconds; see bootTimeMs), so one this much after the request happened after it.
 */
const UPTIME_ROUNDING_MS = 1_000;

/**
 * The VM's boot time from one read. observedAt is when the sync started, before the host read the
 * uptime, so the result may be earlier than the real boot by the sync's latency, and at most
 * UPTIME_ROUNDING_MS later (the host reports whole seconds).
 */
export function bootTimeMs(observation: VmObservation): number | null {
  if (observation.uptimeS === null || !Number.isFinite(observation.uptimeS)) return null;
  const at = Date.parse(observation.observedAt);
  return Number.isNaN(at) ? null : at - observation.uptimeS * 1000;
}

/** The boot the VM had when the action was requested (from the store's last read); null when unknown. */
export function baselineBootMs(observation: VmObservation | undefined): number | null {
  if (!observation || observation.state !== 'Running') return null;
  return bootTimeMs(observation);
}

/**
 * What one read says about a boot-confirmed op: `new-boot` proves the VM booted after the request;
 * `old-boot` shows the boot it had well before the request (the restart has not happened, or the
 * host did not reset the uptime); `unknown` cannot tell — no uptime, or a VM that booted so shortly
 * before the request that the whole-second uptime cannot place the boot on either side of it.
 */
export function bootEvidence(op: PendingOperationInput, observation: VmObservation, baselineBoot: number | null): 'new-boot' | 'old-boot' | 'unknown' {
  const boot = bootTimeMs(observation);
  if (boot === null) return 'unknown';
  const requested = Date.parse(op.requestedAt);
  // A boot clearly later than the one before the request is a new boot, however long the sync took…
  if (baselineBoot !== null && boot - baselineBoot > SAME_BOOT_MS) return 'new-boot';
  // …and so is one after the request itself (a VM restarted within seconds of its start).
  if (boot > requested + UPTIME_ROUNDING_MS) return 'new-boot';
  return boot < requested - SAME_BOOT_MS ? 'old-boot' : 'unknown';
}

/**
 * Whether `observation` confirms `op` by itself. `baselineBoot` is the boot time the store held
 * when the op was added (null after an app restart, or when the host reported no uptime then).
 * A boot-confirmed op the reads cannot decide is left to the job's result (jobs/vm-actions.ts).
 */
export function observationConfirms(op: PendingOperationInput, observation: VmObservation, baselineBoot: number | null): boolean {
  // A move's op travels with the VM's row (the store re-keys it to the new host): seen there, it arrived.
  if (op.targetHostId) return op.hostId === op.targetHostId;
  if (!op.desiredState || observation.state !== op.desiredState) return false;
  if (vmActionConfirmation(op.action) === 'state') return true;
  return bootEvidence(op, observation, baselineBoot) === 'new-boot';
}

/**
 * Whether a VM row that now belongs to `hostId` ends `op`: a move whose target is that host. The
 * store asks when a row passes from one cluster node to another (a move it recognised).
 */
export function arrivedAtTarget(op: PendingOperationInput | undefined, hostId: string): boolean {
  return !!op?.targetHostId && op.targetHostId === hostId;
}
