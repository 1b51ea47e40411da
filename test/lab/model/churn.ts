/**
 * Changes to a running lab's inventory between refreshes: VMs created, deleted, live-migrated.
 * Deterministic from a seed, like the generator, so a failing test can be replayed.
 */
import { hostShare, makeVm } from './generate';
import { Prng } from './prng';
import type { SimHostModel, SimVm } from './types';

function hostIndexOf(host: SimHostModel): number {
  const match = /(\d+)$/.exec(host.name);
  return match ? Number(match[1]) - 1 : 0;
}

/** Adds `count` new VMs (fresh GUIDs, unique names on the host); returns them. */
export function addVms(host: SimHostModel, count: number, seed: number): SimVm[] {
  const rng = new Prng(seed);
  const used = new Set(host.vms.map((v) => v.name));
  const added: SimVm[] = [];
  for (let i = 0; i < count; i++) {
    const vm = makeVm(rng, hostIndexOf(host), host.vms.length + i + 2, used);
    vm.cpuUsagePercent = hostShare(vm.cpuUsagePercent, vm.processorCount, host.logicalProcessors);
    used.add(vm.name);
    added.push(vm);
  }
  host.vms.push(...added);
  return added;
}

/** Removes the VMs with these GUIDs, or the last `count` VMs when a number is given; returns them. */
export function removeVms(host: SimHostModel, which: number | string[]): SimVm[] {
  const ids = typeof which === 'number' ? host.vms.slice(Math.max(0, host.vms.length - which)).map((v) => v.id) : which;
  const removed = host.vms.filter((v) => ids.includes(v.id));
  host.vms = host.vms.filter((v) => !ids.includes(v.id));
  return removed;
}

/** Live migration: the same VM object (same GUID) leaves one host and appears on another. */
export function moveVm(from: SimHostModel, to: SimHostModel, vmId: string): SimVm {
  const vm = from.vms.find((v) => v.id === vmId);
  if (!vm) throw new Error(`lab: host ${from.name} has no VM ${vmId}`);
  from.vms = from.vms.filter((v) => v.id !== vmId);
  to.vms.push(vm);
  return vm;
}
