// A host's "last seen", one rule for every page: its last successful contact, quick or full sync.

interface SyncTimes {
  lastSuccessAt: string | null;
  lastQuickAt: string | null;
}

const later = (a: string | null | undefined, b: string | null | undefined): string | undefined =>
  !a ? (b ?? undefined) : !b ? a : Date.parse(b) > Date.parse(a) ? b : a;

/**
 * The later of the last full and the last quick sync (each is recorded only when it succeeded, and
 * each confirms every VM of the host), so no page says "inventory from 3 min ago" beside "observed
 * 1 min ago". Before the host's first sync, the registry's own time (deployment, a test) stands.
 */
export function lastSeenAt(sync: SyncTimes | undefined, registrySeenAt?: string): string | undefined {
  return sync && (sync.lastSuccessAt || sync.lastQuickAt) ? later(sync.lastSuccessAt, sync.lastQuickAt) : registrySeenAt;
}
