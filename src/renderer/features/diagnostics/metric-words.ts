/**
 * The backend's metric groups (flat rows keyed in camelCase) said for a person: readable column
 * headers with units, hosts by their display names instead of ids, times in local time, yes/no.
 * The backend keeps its stable keys (exports and support scripts read them); only the view words them.
 */

/** Keys whose plain-word form is not just the split camelCase. */
const KNOWN: Record<string, string> = {
  ewmaRunMs: 'Typical run (ms)',
  ewmaWaitMs: 'Typical wait (ms)',
  maxConcurrentSeen: 'Most at once',
  timedOut: 'Timed out',
  hostVersion: 'Agent on host',
  lastDurationS: 'Last deployment (s)',
  nextCheckInS: 'Next check in (s)',
  advertisedBecause: 'Advertised because',
  avgHostDurationMs: 'Average per host (ms)',
  avgDurationMs: 'Average sync (ms)',
  lastFullSyncAt: 'Last full sync',
  lastQuickSyncAt: 'Last quick sync',
  lastSuccessAt: 'Last success',
  nextAttemptAt: 'Next attempt',
  durationMs: 'Duration (ms)',
  at: 'Finished',
  vms: 'VMs',
  lastRssBeforeMb: 'RSS before (MB)',
  lastRssAfterMb: 'RSS after (MB)',
  lastPauseMs: 'Last pause (ms)',
  maxBytes: 'Max bytes',
  keepFiles: 'Files kept',
  maskedSecrets: 'Secrets masked',
  lastAt: 'Last trim',
};

const UNITS: Array<[RegExp, string]> = [
  [/Ms$/, ' (ms)'],
  [/S$/, ' (s)'],
  [/Mb$/, ' (MB)'],
];

/** "maxConcurrentSeen" → "Most at once" (known) or "Max concurrent seen" (split), units in brackets. */
export function columnLabel(key: string): string {
  const known = KNOWN[key];
  if (known) return known;
  let base = key;
  let unit = '';
  for (const [pattern, text] of UNITS) {
    if (pattern.test(base) && base.length > 2) {
      base = base.replace(pattern, '');
      unit = text;
      break;
    }
  }
  const words = base
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1) + unit;
}

/** "inventory cycles" → "Inventory cycles". */
export function groupTitle(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/;

/**
 * One cell: `host` columns name the host (a row may carry its id), times show in local time,
 * booleans as yes/no, nothing as "—".
 */
export function cellText(key: string, value: unknown, hostName: (id: string) => string | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (key === 'host' && typeof value === 'string') return hostName(value) ?? value;
  if (typeof value === 'string' && ISO_TIME.test(value)) return new Date(value).toLocaleString();
  return String(value);
}
