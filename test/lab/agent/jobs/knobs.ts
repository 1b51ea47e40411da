/**
 * Per-host knobs and counters of the lab's agent operations (jobs.ts and the edit operations in
 * this folder). Kept apart from jobs.ts so the operation files can read them without an import cycle.
 */
import type { SimHost } from '../../host';

export interface JobKnobs {
  /** vm.create answers IMAGE_NOT_FOUND. */
  missingImage: boolean;
  /** A blank vm.create booting from an ISO answers ISO_NOT_FOUND. */
  missingIso?: boolean;
  /** vm.create fails at `start` like Hyper-V without enough free memory (rolled back). */
  notEnoughMemory: boolean;
  /** Operations never finish until cancelled. */
  hang: boolean;
  /** Each vm.create step takes this long (ms, scaled by slowFactor). */
  stepMs: number;
  /** Transitional state duration of power actions (ms, scaled). */
  actionMs: number;
  /** Print the guest admin password on stdout (a careless host script) so the app must mask it. */
  echoSecret: boolean;
  /** A hardware edit (vm.update, disk.*, nic.*) takes this long (ms, scaled). */
  editMs: number;
  /** Creating, applying or deleting (merging) a checkpoint takes this long (ms, scaled). */
  checkpointMs: number;
  /** Copying a VM's memory to another node (live migration) takes this long (ms, scaled). */
  migrationMs: number;
}

const DEFAULTS: JobKnobs = { missingImage: false, notEnoughMemory: false, hang: false, stepMs: 250, actionMs: 150, echoSecret: false, editMs: 200, checkpointMs: 400, migrationMs: 3000 };
const knobs = new WeakMap<SimHost, JobKnobs>();
const stats = new WeakMap<SimHost, { actionsRunning: number; maxActionsRunning: number; actions: number; creates: number }>();

export function jobKnobs(host: SimHost): JobKnobs {
  return knobs.get(host) ?? { ...DEFAULTS };
}
export function setJobKnobs(host: SimHost, patch: Partial<JobKnobs>): void {
  knobs.set(host, { ...jobKnobs(host), ...patch });
}
export function jobStats(host: SimHost) {
  const s = stats.get(host) ?? { actionsRunning: 0, maxActionsRunning: 0, actions: 0, creates: 0 };
  stats.set(host, s);
  return s;
}
