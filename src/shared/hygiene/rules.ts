/**
 * Hygiene rules: pure functions from inventory facts to findings. The backend (src/main/hygiene)
 * gathers the facts from the store and calls `evaluateHygiene`; nothing here reads a clock or a
 * file, so each rule is tested alone with plain objects.
 */

export const HYGIENE_CHECKS = [
  'old-checkpoint',
  'no-heartbeat',
  'long-saved',
  'config-version',
  'not-clustered',
  'duplicate-mac',
  'duplicate-ip',
  'memory-pinned',
  'orphan-disk',
] as const;
export type HygieneCheck = (typeof HYGIENE_CHECKS)[number];

export const HYGIENE_CHECK_LABELS: Record<HygieneCheck, string> = {
  'old-checkpoint': 'Old checkpoints',
  'no-heartbeat': 'Running without heartbeat',
  'long-saved': 'Saved for a long time',
  'config-version': 'Configuration version behind the host',
  'not-clustered': 'Not clustered on a cluster node',
  'duplicate-mac': 'Duplicate MAC address',
  'duplicate-ip': 'Duplicate IP address',
  'memory-pinned': 'Dynamic memory at its maximum',
  'orphan-disk': 'Unattached virtual disk',
};

export interface HygieneThresholds {
  checkpointDays: number;
  heartbeatMinutes: number;
  savedDays: number;
}

export interface HygieneVmFacts {
  hostId: string;
  vmId: string;
  name: string;
  state: string;
  heartbeat: string | null;
  /** When the observed power state last changed (store, schema 8). */
  stateSince: string | null;
  /** When the observed heartbeat value last changed (store, schema 8). */
  heartbeatSince: string | null;
  oldestCheckpointAt: string | null;
  checkpointCount: number;
  configurationVersion: string | null;
  clustered: boolean;
  dynamicMemory: boolean;
  memoryAssignedMb: number | null;
  memoryDemandMb: number | null;
  memoryMaxMb: number | null;
  macAddresses: readonly string[];
  ipAddresses: readonly string[];
}

export interface HygieneHostFacts {
  hostId: string;
  name: string;
  /** The cluster the host reports; null: standalone. */
  cluster: string | null;
  /** The host's default VM configuration version (agent 1.5.0+); null: not reported. */
  defaultVmVersion: string | null;
}

/** A file a host's `host.orphanDisks` scan found attached to no VM. */
export interface OrphanDiskFile {
  path: string;
  sizeGb: number | null;
  lastWriteTime: string | null;
}

export interface HygieneVmRef {
  hostId: string;
  vmId: string;
  name: string;
}

export interface HygieneFinding {
  /** Stable across evaluations: the check and what it is about (a snooze is keyed by it). */
  id: string;
  check: HygieneCheck;
  /** Hosts involved (one for a VM's finding; several for a duplicate address). */
  hostIds: string[];
  clusters: string[];
  vms: HygieneVmRef[];
  /** The file of an orphan-disk finding. */
  file?: OrphanDiskFile & { hostId: string };
  message: string;
  /**
   * Changes whenever the finding's substance does (other VMs share the MAC, a newer checkpoint
   * became the oldest…): a snooze "until it changes" ends when it differs.
   */
  fingerprint: string;
}

/** Heartbeat values that mean the guest does not answer (or nothing was reported). */
const SILENT_HEARTBEATS = new Set(['LostCommunication', 'NoContact']);

export function isSilentHeartbeat(heartbeat: string | null): boolean {
  return heartbeat === null || heartbeat === '' || SILENT_HEARTBEATS.has(heartbeat);
}

const MINUTE = 60_000;
const DAY = 86_400_000;

function ageMs(since: string | null, now: number): number | null {
  if (!since) return null;
  const t = Date.parse(since);
  return Number.isNaN(t) ? null : now - t;
}

/** Whole days, with a tenth under 10 days, so 7.5 days past a 7-day limit does not read "7 days". */
function days(ms: number): string {
  const d = ms / DAY >= 10 ? Math.floor(ms / DAY) : Math.floor((ms / DAY) * 10) / 10;
  return d === 1 ? '1 day' : `${d} days`;
}

function vmRef(vm: HygieneVmFacts): HygieneVmRef {
  return { hostId: vm.hostId, vmId: vm.vmId, name: vm.name };
}

function vmFinding(check: HygieneCheck, vm: HygieneVmFacts, host: HygieneHostFacts | undefined, message: string, fingerprint: string): HygieneFinding {
  return { id: `${check}:${vm.hostId}:${vm.vmId}`, check, hostIds: [vm.hostId], clusters: host?.cluster ? [host.cluster] : [], vms: [vmRef(vm)], message, fingerprint };
}

export function oldCheckpoint(vm: HygieneVmFacts, t: HygieneThresholds, now: number): string | null {
  const age = ageMs(vm.oldestCheckpointAt, now);
  if (age === null || age <= t.checkpointDays * DAY) return null;
  return `oldest of ${vm.checkpointCount} checkpoint${vm.checkpointCount === 1 ? '' : 's'} is ${days(age)} old (limit ${t.checkpointDays})`;
}

/**
 * Running and the heartbeat silent for longer than the limit. The silence started at the later of
 * the state's and the heartbeat value's last change: a VM that just started has had no time yet.
 */
export function runningWithoutHeartbeat(vm: HygieneVmFacts, t: HygieneThresholds, now: number): string | null {
  if (vm.state !== 'Running' || !isSilentHeartbeat(vm.heartbeat)) return null;
  const since = [vm.stateSince, vm.heartbeatSince].filter((s): s is string => Boolean(s)).sort().pop() ?? null;
  const age = ageMs(since, now);
  if (age === null || age <= t.heartbeatMinutes * MINUTE) return null;
  const what = vm.heartbeat ? `heartbeat "${vm.heartbeat}"` : 'no heartbeat reported';
  return `Running with ${what} for ${Math.floor(age / MINUTE)} minutes (limit ${t.heartbeatMinutes})`;
}

export function longSaved(vm: HygieneVmFacts, t: HygieneThresholds, now: number): string | null {
  if (vm.state !== 'Saved') return null;
  const age = ageMs(vm.stateSince, now);
  if (age === null || age <= t.savedDays * DAY) return null;
  return `Saved for ${days(age)} (limit ${t.savedDays})`;
}

/** Compares dotted version numbers numerically ("9.0" < "10.0"); null when either is not one. */
export function compareVersions(a: string, b: string): number | null {
  const parse = (v: string) => (/^\d+(\.\d+)*$/.test(v.trim()) ? v.trim().split('.').map(Number) : null);
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return null;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function configVersionBehind(vm: HygieneVmFacts, host: HygieneHostFacts | undefined): string | null {
  if (!vm.configurationVersion || !host?.defaultVmVersion) return null;
  const order = compareVersions(vm.configurationVersion, host.defaultVmVersion);
  if (order === null || order >= 0) return null;
  return `configuration version ${vm.configurationVersion}, host default ${host.defaultVmVersion}`;
}

export function notClusteredOnClusterNode(vm: HygieneVmFacts, host: HygieneHostFacts | undefined): string | null {
  if (vm.clustered || !host?.cluster) return null;
  return `not a role of cluster ${host.cluster}, though its host is a node of it`;
}

/** Dynamic memory on, assigned within 1% of the maximum, and the guest asks for all of it. */
export function memoryPinned(vm: HygieneVmFacts): string | null {
  const { memoryAssignedMb: assigned, memoryDemandMb: demand, memoryMaxMb: max } = vm;
  if (!vm.dynamicMemory || assigned === null || demand === null || max === null || max <= 0) return null;
  if (assigned < max * 0.99 || demand < assigned) return null;
  return `assigned ${Math.round(assigned)} MB of a ${Math.round(max)} MB maximum, demand ${Math.round(demand)} MB`;
}

/** IPv6 link-local (fe80::/10) and IPv4 link-local (169.254/16) are expected to repeat. */
export function isLinkLocal(ip: string): boolean {
  const v = ip.trim().toLowerCase();
  return v.startsWith('169.254.') || (v.startsWith('fe') && /^fe[89ab][0-9a-f]:/.test(v));
}

const PLAIN_MAC = /^[0-9A-F]{12}$/;

function normalizeMac(mac: string): string {
  // Hyper-V reports 12 upper-case hex digits: most MACs need no rewriting (10,000 VMs, every evaluation).
  return PLAIN_MAC.test(mac) ? mac : mac.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
}

/** The values of one VM that count for a duplicate check, each once. */
function addressesOf(check: 'duplicate-mac' | 'duplicate-ip', vm: HygieneVmFacts): string[] {
  const out: string[] = [];
  if (check === 'duplicate-mac') {
    for (const raw of vm.macAddresses) {
      const mac = normalizeMac(raw);
      if (mac !== '' && mac !== '000000000000' && !out.includes(mac)) out.push(mac);
    }
  } else {
    for (const raw of vm.ipAddresses) {
      const ip = raw.trim().toLowerCase();
      if (ip !== '' && !isLinkLocal(ip) && !out.includes(ip)) out.push(ip);
    }
  }
  return out;
}

/** Groups VMs by a value they share; only values held by more than one VM are findings. */
function duplicates(check: 'duplicate-mac' | 'duplicate-ip', vms: readonly HygieneVmFacts[], hosts: ReadonlyMap<string, HygieneHostFacts>): HygieneFinding[] {
  const holders = new Map<string, HygieneVmFacts[]>();
  for (const vm of vms) {
    for (const value of addressesOf(check, vm)) {
      const list = holders.get(value);
      if (list) list.push(vm);
      else holders.set(value, [vm]);
    }
  }
  const out: HygieneFinding[] = [];
  for (const [value, list] of holders) {
    if (list.length < 2) continue;
    const sorted = [...list].sort((a, b) => `${a.hostId}:${a.vmId}`.localeCompare(`${b.hostId}:${b.vmId}`));
    const hostIds = [...new Set(sorted.map((v) => v.hostId))];
    const clusters = [...new Set(hostIds.map((h) => hosts.get(h)?.cluster).filter((c): c is string => Boolean(c)))];
    const what = check === 'duplicate-mac' ? 'MAC address' : 'IP address';
    out.push({
      id: `${check}:${value}`,
      check,
      hostIds,
      clusters,
      vms: sorted.map(vmRef),
      message: `${what} ${value} is used by ${sorted.length} VMs: ${sorted.map((v) => v.name).join(', ')}`,
      fingerprint: sorted.map((v) => `${v.hostId}:${v.vmId}`).join(','),
    });
  }
  return out;
}

export function orphanDiskFindings(scans: ReadonlyMap<string, readonly OrphanDiskFile[]>, hosts: ReadonlyMap<string, HygieneHostFacts>): HygieneFinding[] {
  const out: HygieneFinding[] = [];
  for (const [hostId, files] of scans) {
    const host = hosts.get(hostId);
    for (const file of files) {
      out.push({
        id: `orphan-disk:${hostId}:${file.path.toLowerCase()}`,
        check: 'orphan-disk',
        hostIds: [hostId],
        clusters: host?.cluster ? [host.cluster] : [],
        vms: [],
        file: { ...file, hostId },
        message: `${file.path} is attached to no VM on ${host?.name ?? hostId}${file.sizeGb !== null ? ` (${file.sizeGb} GB)` : ''}`,
        fingerprint: `${file.sizeGb ?? ''}|${file.lastWriteTime ?? ''}`,
      });
    }
  }
  return out;
}

export interface HygieneInput {
  vms: readonly HygieneVmFacts[];
  hosts: ReadonlyMap<string, HygieneHostFacts>;
  thresholds: HygieneThresholds;
  now: number;
  /** The last `host.orphanDisks` scan of each host that was scanned. */
  orphanScans?: ReadonlyMap<string, readonly OrphanDiskFile[]>;
}

/** Every finding, VM checks first in the order of HYGIENE_CHECKS. */
export function evaluateHygiene(input: HygieneInput): HygieneFinding[] {
  const { vms, hosts, thresholds: t, now } = input;
  const out: HygieneFinding[] = [];
  for (const vm of vms) {
    const host = hosts.get(vm.hostId);
    let m = oldCheckpoint(vm, t, now);
    if (m) out.push(vmFinding('old-checkpoint', vm, host, m, vm.oldestCheckpointAt ?? ''));
    m = runningWithoutHeartbeat(vm, t, now);
    if (m) out.push(vmFinding('no-heartbeat', vm, host, m, `${vm.heartbeat ?? ''}|${vm.stateSince ?? ''}`));
    m = longSaved(vm, t, now);
    if (m) out.push(vmFinding('long-saved', vm, host, m, vm.stateSince ?? ''));
    m = configVersionBehind(vm, host);
    if (m) out.push(vmFinding('config-version', vm, host, m, `${vm.configurationVersion}|${host?.defaultVmVersion}`));
    m = notClusteredOnClusterNode(vm, host);
    if (m) out.push(vmFinding('not-clustered', vm, host, m, host?.cluster ?? ''));
    m = memoryPinned(vm);
    if (m) out.push(vmFinding('memory-pinned', vm, host, m, String(vm.memoryMaxMb)));
  }
  out.push(...duplicates('duplicate-mac', vms, hosts), ...duplicates('duplicate-ip', vms, hosts));
  if (input.orphanScans) out.push(...orphanDiskFindings(input.orphanScans, hosts));
  const rank = new Map(HYGIENE_CHECKS.map((c, i) => [c, i]));
  return out.sort((a, b) => rank.get(a.check)! - rank.get(b.check)!);
}

/** A snooze: until a time, or until the finding's fingerprint differs from the one snoozed. */
export interface HygieneSnooze {
  findingId: string;
  /** ISO time the snooze ends; null: until the finding changes. */
  until: string | null;
  /** The finding's fingerprint when snoozed (used when `until` is null). */
  fingerprint: string;
}

export function isSnoozed(finding: HygieneFinding, snooze: HygieneSnooze | undefined, now: number): boolean {
  if (!snooze) return false;
  if (snooze.until !== null) return Date.parse(snooze.until) > now;
  return snooze.fingerprint === finding.fingerprint;
}
