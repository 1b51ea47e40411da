import type { VmConfigInput } from '../store/types';
import { redactSecrets } from './redact';

export interface FieldChange {
  field: string;
  from: string | null;
  to: string | null;
}

/** Notes are the user's free text: the timeline keeps their start, enough to recognise them. */
const NOTES_SHOWN = 120;

/**
 * What changed between two stored configurations of one VM, one entry per thing an admin would
 * name: processors, startup memory, dynamic memory, each disk and NIC by its name, notes,
 * checkpoints, clustered. Called only for VMs whose content hash changed, so its cost is per
 * changed VM, not per VM refreshed.
 */
export function configChanges(before: VmConfigInput, after: VmConfigInput): FieldChange[] {
  const out: FieldChange[] = [];
  const scalar = (field: string, a: unknown, b: unknown, show: (v: never) => string | null = text) => {
    if (a !== b) out.push({ field, from: show(a as never), to: show(b as never) });
  };
  scalar('processors', before.processorCount, after.processorCount);
  scalar('startupMemory', before.memoryStartupMb, after.memoryStartupMb, mb);
  scalar('dynamicMemory', before.dynamicMemory, after.dynamicMemory, onOff);
  scalar('minimumMemory', before.memoryMinMb, after.memoryMinMb, mb);
  scalar('maximumMemory', before.memoryMaxMb, after.memoryMaxMb, mb);
  scalar('clustered', before.clustered, after.clustered, yesNo);
  scalar('configurationVersion', before.configurationVersion, after.configurationVersion);
  scalar('notes', before.notes ?? null, after.notes ?? null, notes);

  const disksBefore = new Map(before.disks.map((d) => [d.path.toLowerCase(), d]));
  const disksAfter = new Map(after.disks.map((d) => [d.path.toLowerCase(), d]));
  for (const [key, d] of disksAfter) {
    const old = disksBefore.get(key);
    if (!old) out.push({ field: 'disk', from: null, to: `${d.path}${d.capacityGb != null ? ` (${gb(d.capacityGb)})` : ''}` });
    else if (old.capacityGb !== d.capacityGb) out.push({ field: 'diskSize', from: `${d.path} ${gb(old.capacityGb)}`, to: gb(d.capacityGb) });
  }
  for (const [key, d] of disksBefore) if (!disksAfter.has(key)) out.push({ field: 'disk', from: d.path, to: null });

  const nicsBefore = new Map(before.nics.map((n) => [n.id, n]));
  const nicsAfter = new Map(after.nics.map((n) => [n.id, n]));
  for (const [id, n] of nicsAfter) {
    const old = nicsBefore.get(id);
    if (!old) out.push({ field: 'nic', from: null, to: `${n.name} (${n.switchName ?? 'not connected'})` });
    else {
      if (old.switchName !== n.switchName) out.push({ field: 'nicSwitch', from: `${n.name}: ${old.switchName ?? 'not connected'}`, to: n.switchName ?? 'not connected' });
      if (old.vlan !== n.vlan) out.push({ field: 'nicVlan', from: `${n.name}: ${old.vlan ?? 'none'}`, to: n.vlan === null ? 'none' : String(n.vlan) });
    }
  }
  for (const [id, n] of nicsBefore) if (!nicsAfter.has(id)) out.push({ field: 'nic', from: n.name, to: null });

  const cpBefore = new Map((before.checkpoints ?? []).map((c) => [c.id, c]));
  const cpAfter = new Map((after.checkpoints ?? []).map((c) => [c.id, c]));
  for (const [id, c] of cpAfter) if (!cpBefore.has(id)) out.push({ field: 'checkpoint', from: null, to: c.name });
  for (const [id, c] of cpBefore) if (!cpAfter.has(id)) out.push({ field: 'checkpoint', from: c.name, to: null });
  return out;
}

function text(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function mb(v: number | null): string | null {
  if (v === null) return null;
  return v >= 1024 && v % 1024 === 0 ? `${v / 1024} GB` : `${v} MB`;
}

function gb(v: number | null): string {
  return v === null ? 'unknown size' : `${Math.round(v * 10) / 10} GB`;
}

function onOff(v: boolean): string {
  return v ? 'on' : 'off';
}

function yesNo(v: boolean): string {
  return v ? 'yes' : 'no';
}

function notes(v: string | null): string | null {
  if (v === null) return null;
  const oneLine = redactSecrets(v.replace(/\s+/g, ' ').trim());
  return oneLine.length > NOTES_SHOWN ? `${oneLine.slice(0, NOTES_SHOWN)}…` : oneLine;
}
