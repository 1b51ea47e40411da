import type { TimelineEntry } from '../../../shared/contract';
import { actionVerb } from '../../../shared/job-words';

/** 14:02 in the workstation's time zone. */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** The local calendar day of an entry, as a sortable key (2026-12-04). */
export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Entries (newest first) in runs of one local day each, newest day first. */
export function groupByDay(entries: readonly TimelineEntry[]): Array<{ day: string; entries: TimelineEntry[] }> {
  const out: Array<{ day: string; entries: TimelineEntry[] }> = [];
  for (const e of entries) {
    const day = dayKey(e.at);
    const last = out[out.length - 1];
    if (last?.day === day) last.entries.push(e);
    else out.push({ day, entries: [e] });
  }
  return out;
}

const FIELD_LABEL: Record<string, string> = {
  state: 'State',
  processors: 'Processors',
  startupMemory: 'Startup memory',
  minimumMemory: 'Minimum memory',
  maximumMemory: 'Maximum memory',
  dynamicMemory: 'Dynamic memory',
  clustered: 'Clustered',
  configurationVersion: 'Configuration version',
  diskSize: 'Disk',
};

const JOB_RESULT: Record<string, string> = { succeeded: 'succeeded', failed: 'failed', cancelled: 'cancelled', interrupted: 'interrupted (the app stopped)' };

const arrow = (from: string | null, to: string | null) => `${from ?? '—'} → ${to ?? '—'}`;

/**
 * One entry in words: "State Running → Off (quick sync 14:02)", "Job: Add a disk to web-20 —
 * succeeded (asked by this workstation)". `hostName` turns host ids into their display names.
 */
export function entryWords(e: TimelineEntry, hostName: (id: string) => string): string {
  const seenBy = e.sync ? ` (${e.sync} sync ${clockTime(e.at)})` : '';
  switch (e.kind) {
    case 'state':
      return `State ${arrow(e.from, e.to)}${seenBy}`;
    case 'config':
      return `${configWords(e)}${seenBy}`;
    case 'moved':
      return `Moved from ${hostName(e.from ?? '')} to ${hostName(e.to ?? '')}${seenBy}`;
    case 'appeared':
      return `First seen on ${hostName(e.hostId)}${seenBy}`;
    case 'removed':
      return `No longer on ${hostName(e.hostId)}: deleted, or removed from Hyper-V${seenBy}`;
    case 'job':
      return `Job: ${e.field ?? 'a job'} — ${JOB_RESULT[e.to ?? ''] ?? e.to} (asked by ${e.from ?? 'this workstation'})${e.detail ? `: ${e.detail}` : ''}`;
    case 'pending': {
      const what = `${actionVerb(e.field)}${e.from ? ` (to ${e.from})` : ''}`;
      if (e.to === 'requested') return `Pending: ${what} requested`;
      if (e.to === 'confirmed') return `Pending: ${what} confirmed${seenBy}`;
      return `Pending: ${what} — no confirmation from the host in time`;
    }
    case 'host-status':
      return e.to === 'connected' ? 'Connected again' : `Unreachable${e.detail ? `: ${e.detail}` : ''}`;
    case 'sync-failed':
      return `Inventory sync failed${e.detail ? `: ${e.detail}` : ''}`;
    case 'sync-recovered':
      return `Inventory sync recovered${e.detail ? ` (${e.detail})` : ''}`;
    case 'agent':
      return e.from ? `Agent updated ${e.from} → ${e.to}` : `Agent deployed (${e.to})`;
    case 'cluster':
      if (!e.from) return `Joined cluster ${e.to}${seenBy}`;
      if (!e.to) return `Left cluster ${e.from}${seenBy}`;
      return `Cluster ${arrow(e.from, e.to)}${seenBy}`;
    default:
      return `${e.kind}${e.field ? ` ${e.field}` : ''}${e.from || e.to ? ` ${arrow(e.from, e.to)}` : ''}`;
  }
}

function configWords(e: TimelineEntry): string {
  switch (e.field) {
    case 'name':
      return `Renamed ${arrow(e.from, e.to)}`;
    case 'notes':
      return e.to ? `Notes changed to "${e.to}"` : 'Notes cleared';
    case 'disk':
      return e.to ? `Disk added: ${e.to}` : `Disk removed: ${e.from}`;
    case 'nic':
      return e.to ? `Network adapter added: ${e.to}` : `Network adapter removed: ${e.from}`;
    case 'nicSwitch':
      return `Network adapter ${e.from} → ${e.to}`;
    case 'nicVlan':
      return `VLAN of network adapter ${e.from} → ${e.to}`;
    case 'checkpoint':
      return e.to ? `Checkpoint added: ${e.to}` : `Checkpoint removed: ${e.from}`;
    default:
      return `${FIELD_LABEL[e.field ?? ''] ?? e.field} ${arrow(e.from, e.to)}`;
  }
}
