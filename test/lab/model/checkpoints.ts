/**
 * Checkpoints on some generated VMs, so the app's checkpoint count, age and tree have something to
 * show in the lab and the demo. Each VM draws from its own stream (seeded by the lab seed and the
 * VM's id): the main generator's draws are untouched, so every seed keeps the rest of its model.
 */
import { Prng } from './prng';
import type { SimCheckpoint, SimVm } from './types';

const NAMES = ['Baseline', 'Before patching', 'Pre-upgrade', 'Before app update', 'After hardening', 'Known good'];
/** Checkpoint times count back from a fixed day, so a seed gives the same model on every run. */
const REFERENCE_MS = Date.UTC(2026, 10, 15, 9, 0, 0);
const DAY_MS = 86_400_000;

function streamSeed(seed: number, vmId: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < vmId.length; i++) h = (Math.imul(h ^ vmId.charCodeAt(i), 0x01000193) + i) >>> 0;
  return h;
}

/** Gives about one VM in eight a chain of 1–3 checkpoints (now running from the newest). */
export function addGeneratedCheckpoints(vms: SimVm[], seed: number): void {
  for (const vm of vms) {
    const rng = new Prng(streamSeed(seed, vm.id));
    if (!rng.chance(0.12)) continue;
    const count = rng.int(1, 3);
    const created = Date.parse(vm.creationTime);
    let at = Math.max(created + DAY_MS, REFERENCE_MS - rng.int(20, 400) * DAY_MS);
    const checkpoints: SimCheckpoint[] = [];
    for (let i = 0; i < count; i++) {
      const type = rng.chance(0.25) ? 'Production' : 'Standard';
      checkpoints.push({
        id: rng.guid(),
        name: NAMES[(rng.int(0, NAMES.length - 1) + i) % NAMES.length]!,
        parentId: checkpoints[i - 1]?.id ?? null,
        creationTime: new Date(at).toISOString(),
        type,
        holdsMemory: type === 'Standard' && rng.chance(0.5),
      });
      at = Math.min(REFERENCE_MS, at + rng.int(1, 60) * DAY_MS + rng.int(0, 86_399) * 1000);
    }
    vm.checkpoints = checkpoints;
    vm.parentCheckpointId = checkpoints.at(-1)!.id;
  }
}
