import { AgentNotDeployed, AgentProtocolError } from '../agent';
import type { DeploymentApi, HostReadiness } from '../deployment/api';
import { failureKind, recheckDelayMs } from '../deployment/recheck';
import { isDiskFull } from '../diagnostics/faults';
import type { ServiceContext } from '../service-module';
import type { AppLog, Logger } from '../log';
import { isEmptyDelta, type InventoryStore, type SyncFields } from '../store';
import type { InventoryDelta } from '../../shared/contract';
import { InventoryDataInvalid, InventoryScriptFailed, parseFullInventory, parseQuickInventory } from './parse';
import type { BackoffPolicy } from './timing';
import { asSentence } from '../../shared/sentence';
import { counted } from '../../shared/counted';

export type RefreshKind = 'full' | 'quick';
/** refreshed: applied · failed: host call failed · deferred: not attempted (preparing, busy, backoff) · discarded: superseded. */
export type RefreshOutcome = 'refreshed' | 'failed' | 'deferred' | 'discarded';

export interface RefreshTiming {
  fullIntervalMs(): number;
  quickIntervalMs(): number;
  backoff: BackoffPolicy;
}

const PREPARING = 'Preparing host, will retry';
/** Starts a host's error when its answer could not be stored locally (docs/reliability.md, scenario 17). */
export const DISK_FULL_PREFIX = 'Local disk full';

/** How a failed refresh is told: the host did not answer, answered but cannot be used, or its agent's report is unusable. */
type FailureSource = 'host-call' | 'readiness' | 'unusable-report';
const EWMA_WEIGHT = 0.2;

/**
 * Refreshes one host at a time per host: at most one call in flight per host (manual requests
 * coalesce onto it), a result of a call started before the newest applied one is discarded (the
 * workstation's own request order decides, never the host's clock, which can jump), and every transition
 * (unreachable, recovered, slow, back to normal, preparing) notifies exactly once.
 */
export class HostRefresher {
  private readonly inFlight = new Map<string, { kind: RefreshKind; promise: Promise<RefreshOutcome> }>();
  private readonly started = new Map<string, number>();
  private readonly applied = new Map<string, number>();
  private readonly unreachable = new Set<string>();
  private readonly slowNotices = new Map<string, string>();
  private readonly preparingNotices = new Map<string, string>();
  private readonly settling = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: InventoryStore,
    private readonly publish: (delta: InventoryDelta) => void,
    private readonly timing: RefreshTiming,
    private readonly deployment: DeploymentApi | undefined,
    private readonly now: () => Date,
    private readonly random: () => number,
    /** Enabled hosts of the same cluster (the scope a clustered VM can migrate within). */
    private readonly peers: (hostId: string) => string[],
  ) {
    // Hosts that were unreachable when the app closed already had their notification.
    for (const id of store.hostIds()) if (store.host(id)?.sync.state === 'error') this.unreachable.add(id);
  }

  busy(hostId: string): boolean {
    return this.inFlight.has(hostId);
  }

  /** A full refresh; joins one already in flight, or runs after a quick one finishes. */
  full(hostId: string): { promise: Promise<RefreshOutcome>; coalesced: boolean } {
    const current = this.inFlight.get(hostId);
    if (current?.kind === 'full') return { promise: current.promise, coalesced: true };
    const promise = (current ? current.promise.catch(() => 'failed' as const) : Promise.resolve()).then(() => this.run(hostId, 'full'));
    this.track(hostId, 'full', promise);
    return { promise, coalesced: false };
  }

  /** A quick status refresh; skipped while anything else runs on the host. */
  quick(hostId: string): Promise<RefreshOutcome> {
    if (this.inFlight.has(hostId)) return Promise.resolve('deferred');
    // Without a confirmed full picture, a full refresh is what the host needs.
    if (this.store.host(hostId)?.sync.state !== 'fresh') return this.full(hostId).promise;
    const promise = this.run(hostId, 'quick');
    this.track(hostId, 'quick', promise);
    return promise;
  }

  /** Resolves when clustered VMs this host's last enumeration missed are settled (moved or gone). */
  settled(hostId: string): Promise<void> {
    return this.settling.get(hostId) ?? Promise.resolve();
  }

  readiness(hostId: string): HostReadiness {
    return this.deployment ? this.deployment.readiness(hostId) : { state: 'ready', agentVersion: 'unknown' };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await Promise.allSettled([...this.inFlight.values()].map((f) => f.promise));
  }

  private track(hostId: string, kind: RefreshKind, promise: Promise<RefreshOutcome>): void {
    const entry = { kind, promise };
    this.inFlight.set(hostId, entry);
    void promise.finally(() => {
      if (this.inFlight.get(hostId) === entry) this.inFlight.delete(hostId);
    });
  }

  private label(hostId: string): string {
    try {
      return this.ctx.hosts.entry(hostId).displayName;
    } catch {
      return hostId;
    }
  }

  private async run(hostId: string, kind: RefreshKind): Promise<RefreshOutcome> {
    if (this.stopped || !this.store.host(hostId)) return 'deferred';
    const readiness = this.readiness(hostId);
    if (readiness.state === 'preparing') return this.markPreparing(hostId, readiness.reason);
    this.clearPreparing(hostId);
    if (readiness.state !== 'ready') {
      // Deployment checks such a host again by itself (its retryAt); "next in" must say that time.
      const retryAt = readiness.state === 'error' ? readiness.retryAt : undefined;
      return this.markFailed(hostId, 0, new Error(namingHost(this.label(hostId), readiness.reason)), this.now(), 'readiness', retryAt);
    }

    const seq = (this.started.get(hostId) ?? 0) + 1;
    this.started.set(hostId, seq);
    const startedAt = this.now();
    const name = this.label(hostId);
    let data: unknown;
    try {
      data = await this.ctx.remote.agent(hostId, { lane: 'INVENTORY', label: `${kind === 'full' ? 'inventory' : 'quick status'} ${name}`, operation: kind === 'full' ? 'inventory' : 'inventory.quick', signal: this.abort.signal, overlapHostWaits: true });
      if (this.stopped) return 'discarded';
      return await this.apply(hostId, kind, seq, startedAt, data);
    } catch (error) {
      if (this.stopped) return 'discarded';
      if (error instanceof AgentNotDeployed && this.deployment) {
        void this.deployment.redeploy(hostId).catch((e: Error) => this.ctx.log.warn('redeploy after missing agent failed', { host: name, error: e.message }));
        return this.markPreparing(hostId, 'the agent is missing on the host; redeploying');
      }
      // The result could not be stored: the workstation's disk is full, not the host's fault.
      if (isDiskFull(error)) return this.markNotStored(hostId, error as Error);
      // The agent's message already says what to do (UNUSABLE_REPORT_ADVICE in agent/invoke.ts).
      if (error instanceof AgentProtocolError) return this.markFailed(hostId, seq, error, startedAt, 'unusable-report');
      // A result that is not an inventory (its message already says to redeploy); a script that
      // reported its own failure (Hyper-V stopped) is told as before.
      if (error instanceof InventoryDataInvalid && !(error instanceof InventoryScriptFailed)) return this.markFailed(hostId, seq, error, startedAt, 'unusable-report');
      return this.markFailed(hostId, seq, error as Error, startedAt, 'host-call');
    }
  }

  private async apply(hostId: string, kind: RefreshKind, seq: number, startedAt: Date, data: unknown): Promise<RefreshOutcome> {
    const host = this.store.host(hostId);
    // Ordered by when this workstation started the call (seq), not by the host's clock: a host
    // whose clock jumped ahead and back would otherwise have every answer discarded until the
    // wrong time had passed (catalogue scenario 19). Its timestamp is kept, for Diagnostics only.
    if (!host || seq < (this.applied.get(hostId) ?? 0)) return 'discarded';
    const name = this.label(hostId);
    const observedAt = startedAt.toISOString();
    const parsed = kind === 'full' ? parseFullInventory(data, name, observedAt) : parseQuickInventory(data, name, observedAt);
    const last = host.sync.lastAgentTimestamp;
    this.applied.set(hostId, seq);
    const finished = this.now();
    const durationMs = finished.getTime() - startedAt.getTime();
    const base: SyncFields = { ...host.sync, lastAttemptAt: observedAt, lastAgentTimestamp: parsed.agentTimestamp ?? last };
    if (kind === 'full') {
      const samples = host.sync.durationSamples + 1;
      const avg = host.sync.avgDurationMs === null ? durationMs : host.sync.avgDurationMs + EWMA_WEIGHT * (durationMs - host.sync.avgDurationMs);
      const slow = durationMs > this.timing.fullIntervalMs();
      const sync: SyncFields = { ...base, state: 'fresh', lastSuccessAt: finished.toISOString(), consecutiveFailures: 0, nextAttemptAt: null, lastError: null, avgDurationMs: Math.round(avg), durationSamples: samples, slow, staleSince: null };
      // Committed with other hosts' results (one transaction per batch, not per host); a batch
      // that cannot be written rejects here and the host takes the disk-full path in run().
      this.publish(await this.store.queueFull(hostId, maskWarnings(parseFullOrThrow(parsed), this.ctx.log), sync));
      this.slowTransition(hostId, name, slow, durationMs);
      if (this.store.missingClustered(hostId).length) this.settleAfterPeers(hostId);
    } else {
      const sync: SyncFields = { ...base, lastQuickAt: finished.toISOString() };
      const result = this.store.applyQuick(hostId, parsed as ReturnType<typeof parseQuickInventory>, sync);
      this.publish(result.delta);
      // A VM the store does not know, or one that vanished: only a full enumeration may decide.
      if (result.unknownVmIds.length || result.missingVmIds.length) queueMicrotask(() => void this.full(hostId).promise);
    }
    this.ctx.hosts.setStatus(hostId, 'connected', { seenAt: finished });
    if (this.unreachable.delete(hostId)) {
      this.ctx.notifications.notify({ level: 'success', title: `Host ${name} recovered`, message: `Host ${name} answers again; its inventory is fresh.`, hostId });
    }
    return 'refreshed';
  }

  /**
   * A clustered VM missing from its host either migrated or was deleted. Enumerating the peers
   * decides: a peer that lists it takes the row over (an update); what no peer lists is
   * tombstoned. If a peer cannot be reached the VM waits for the host's next full enumeration.
   */
  private settleAfterPeers(hostId: string): void {
    if (this.settling.has(hostId)) return;
    const peers = this.peers(hostId).filter((id) => id !== hostId);
    const work = Promise.all(peers.map((id) => this.full(id).promise.catch((): RefreshOutcome => 'failed')))
      .then((outcomes) => {
        if (!this.stopped && outcomes.every((o) => o === 'refreshed')) this.publishIfAny(this.store.settleMissing(hostId));
      })
      .finally(() => this.settling.delete(hostId));
    this.settling.set(hostId, work);
  }

  private markFailed(hostId: string, seq: number, error: Error, startedAt: Date, source: FailureSource, retryAt?: string): RefreshOutcome {
    const host = this.store.host(hostId);
    if (!host || (seq && seq < (this.applied.get(hostId) ?? 0))) return 'discarded';
    const name = this.label(hostId);
    const failures = host.sync.consecutiveFailures + 1;
    const at = this.now();
    const scheduled = retryAt ? Date.parse(retryAt) - at.getTime() : NaN;
    // A rejected password or a missing one is retried only at the backoff's cap, like deployment's
    // re-checks (recheck.ts): every retry is a logon attempt that can lock the account out.
    const kind = source === 'host-call' ? failureKind(error) : 'transient';
    const retryMs = scheduled > 0 ? scheduled : recheckDelayMs(kind, failures, this.timing.backoff, this.random);
    const message = error.message || String(error);
    const sync: SyncFields = {
      ...host.sync,
      state: 'error',
      lastAttemptAt: startedAt.toISOString(),
      consecutiveFailures: failures,
      nextAttemptAt: new Date(at.getTime() + retryMs).toISOString(),
      lastError: message,
      staleSince: host.sync.staleSince ?? at.toISOString(),
    };
    this.saveSync(hostId, sync);
    this.ctx.log.warn('inventory refresh failed', { host: name, failures, retryInS: Math.round(retryMs / 1000), error: message, ...(kind === 'needs-admin' ? { heldAtBackoffCap: true } : {}) });
    // The host answered when only its agent's report was unusable: it is connected, not unreachable.
    if (source === 'host-call') this.ctx.hosts.setStatus(hostId, 'unreachable', { error: message });
    if (source === 'unusable-report') this.ctx.hosts.setStatus(hostId, 'connected', { error: message, seenAt: at });
    if (!this.unreachable.has(hostId)) {
      this.unreachable.add(hostId);
      // Not snapshot(): that builds every VM's row, and a fleet going down fails every host at once.
      const vms = this.store.vmCount(hostId);
      // A host whose agent cannot be used (newer than this app, or its deployment failed) still
      // answers: calling it unreachable would send the admin to check the network.
      const answers = source === 'readiness' && this.ctx.hosts.list().find((h) => h.id === hostId)?.status === 'connected';
      this.ctx.notifications.notify({
        level: 'error',
        title: source === 'unusable-report' ? `Host ${name}: agent report unusable` : answers ? `Host ${name} not refreshed` : `Host ${name} unreachable`,
        message: `${asSentence(withoutHostName(name, message))} ${keptInventory(vms, host.sync.lastSuccessAt != null)}; retrying automatically (next in ${Math.round(retryMs / 1000)} s).`,
        hostId,
      });
    }
    return 'failed';
  }

  /**
   * The host answered but its result could not be stored because the workstation's disk is full.
   * The host is not failed or unreachable: it keeps its state (a fresh host becomes stale, since
   * what is shown is no longer confirmed) and says why; the rows already stored stay. The backend's
   * disk-full watcher (sqlite-transaction.ts) already told the admin, once, naming inventory.db.
   * The next try waits one full-sync interval, so a full disk does not turn into a WinRM storm.
   */
  private markNotStored(hostId: string, error: Error): RefreshOutcome {
    const host = this.store.host(hostId);
    if (!host) return 'failed';
    const at = this.now();
    const sync: SyncFields = {
      ...host.sync,
      state: host.sync.state === 'fresh' ? 'stale' : host.sync.state,
      nextAttemptAt: new Date(at.getTime() + this.timing.fullIntervalMs()).toISOString(),
      lastError: `${DISK_FULL_PREFIX}: the host answered, but its inventory could not be saved in the inventory database (inventory.db) — free some space on the drive holding the app's data folder; what was stored before is kept and shown.`,
      staleSince: host.sync.staleSince ?? at.toISOString(),
    };
    this.saveSync(hostId, sync);
    this.ctx.log.error('inventory not stored: disk full', { host: this.label(hostId), error: error.message });
    return 'failed';
  }

  /**
   * Stores a host's sync state; on a full disk keeps it in memory only (shown at once, written
   * with the host's next successful refresh), so a failure is still told when nothing can be saved.
   */
  private saveSync(hostId: string, sync: SyncFields): void {
    try {
      this.publishIfAny(this.store.setSync(hostId, sync));
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      this.publishIfAny(this.store.setSyncInMemory(hostId, sync));
    }
  }

  private markPreparing(hostId: string, reason: string): RefreshOutcome {
    const host = this.store.host(hostId);
    if (!host) return 'deferred';
    const name = this.label(hostId);
    if (host.sync.state !== 'preparing') {
      const sync: SyncFields = { ...host.sync, state: 'preparing', lastError: `${PREPARING}: ${reason}`, staleSince: host.sync.staleSince ?? (host.sync.lastSuccessAt ? this.now().toISOString() : null) };
      this.saveSync(hostId, sync);
      this.ctx.hosts.setStatus(hostId, 'preparing');
    }
    if (!this.preparingNotices.has(hostId)) {
      const n = this.ctx.notifications.notify({ level: 'info', title: `Preparing host ${name}`, message: `${PREPARING} (${reason}).`, key: `inventory:preparing:${hostId}`, hostId });
      this.preparingNotices.set(hostId, n.id);
    }
    return 'deferred';
  }

  private clearPreparing(hostId: string): void {
    const id = this.preparingNotices.get(hostId);
    if (!id) return;
    this.preparingNotices.delete(hostId);
    try {
      this.ctx.notifications.dismiss(id);
    } catch {
      // the user dismissed it already
    }
  }

  private slowTransition(hostId: string, name: string, slow: boolean, durationMs: number): void {
    const noticeId = this.slowNotices.get(hostId);
    if (slow && !noticeId) {
      const intervalS = Math.round(this.timing.fullIntervalMs() / 1000);
      const n = this.ctx.notifications.notify({
        level: 'warning',
        title: `Host ${name} is slow to refresh`,
        message: `One inventory refresh of ${name} took ${(durationMs / 1000).toFixed(1)} s, longer than the ${intervalS} s full-sync interval. Check the host's load or raise the interval in Settings.`,
        key: `inventory:slow:${hostId}`,
        hostId,
      });
      this.slowNotices.set(hostId, n.id);
    } else if (!slow && noticeId) {
      this.slowNotices.delete(hostId);
      try {
        this.ctx.notifications.dismiss(noticeId);
      } catch {
        // already dismissed by the user
      }
    }
  }

  private publishIfAny(delta: InventoryDelta): void {
    if (!isEmptyDelta(delta)) this.publish(delta);
  }
}

function parseFullOrThrow(parsed: ReturnType<typeof parseFullInventory> | ReturnType<typeof parseQuickInventory>): ReturnType<typeof parseFullInventory> {
  if (!('host' in parsed)) throw new Error('internal: quick result applied as full');
  return parsed;
}

/**
 * Warnings are the host's own words (exception messages): before they are kept and shown, every
 * secret the app log masks (host passwords, secret job fields) is masked in them too. The log the
 * composition root passes is the AppLog, which can; a bare Logger (some tests) leaves them as they are.
 */
function maskWarnings(parsed: ReturnType<typeof parseFullInventory>, log: Logger): ReturnType<typeof parseFullInventory> {
  if (typeof (log as Partial<AppLog>).mask !== 'function') return parsed;
  const masked = (list: string[]): string[] => (log as AppLog).mask(list);
  return {
    ...parsed,
    host: { ...parsed.host, warnings: masked(parsed.host.warnings) },
    vms: parsed.vms.map((vm) => (vm.config.warnings?.length ? { ...vm, config: { ...vm.config, warnings: masked(vm.config.warnings) } } : vm)),
  };
}

/** What the admin still sees of a host that failed: its last known VMs, or nothing yet. */
function keptInventory(vms: number, everRead: boolean): string {
  if (!everRead) return 'No inventory has been read from it yet';
  if (vms === 0) return 'It had no VMs when last read';
  return `Its ${counted(vms, 'VM')} keep${vms === 1 ? 's its' : ' their'} last known values, marked stale`;
}

/** "host NAME: reason", unless the reason (an agent or WinRM error) already starts that way. */
export function namingHost(name: string, reason: string): string {
  return reason.toLowerCase().startsWith(`host ${name.toLowerCase()}:`) ? reason : `host ${name}: ${reason}`;
}

/** The reason without a leading "host NAME: ", for text whose title already names the host. */
export function withoutHostName(name: string, reason: string): string {
  const prefix = `host ${name.toLowerCase()}: `;
  return reason.toLowerCase().startsWith(prefix) ? reason.slice(prefix.length) : reason;
}

