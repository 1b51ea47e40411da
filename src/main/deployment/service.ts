/**
 * Per-host agent readiness: read the host's version file, compare with the bundled agent (one
 * rule, version.ts), deploy when missing/unparsable/older, leave a newer host alone and say so.
 * Matches are cached per host until a failure, a force redeploy or a restart. Progress is one
 * notification updated in place; per-host state goes to the hosts topic and to diagnostics.
 */
import type { MetricGroup, StateEvent } from '../../shared/contract';
import type {
  DeploymentHostState,
  DeploymentHostStatus,
  DeploymentStatus,
} from '../../shared/contract/areas/deployment';
import type { ServiceContext } from '../service-module';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../inventory';
import type { DeploymentApi, HostReadiness } from './api';
import type { ArtifactServer } from './artifact-server';
import { DeploymentFailed, installAgent, readHostVersionFile } from './host-ops';
import { assessHostVersion, needsDeployment, normalizeVersionText } from './version';
import { failureKind, isTransportError, recheckDelayMs, type FailureKind } from './recheck';

export const PROGRESS_KEY = 'agent-deployment';

export interface DeploymentServiceOptions {
  agentVersion: string;
  server: ArtifactServer | null;
  serverError: string | null;
  /** Resolves true once the server answered its health check (bounded wait). */
  health: Promise<boolean>;
  /** A failed or newer host is checked again on ensureHostReady after this long. */
  retryAfterMs?: number;
  /** Automatic re-checks of a failed host (recheck.ts); the inventory's policy unless overridden (tests). */
  backoff?: BackoffPolicy;
  random?: () => number;
}

interface HostRecord {
  hostId: string;
  displayName: string;
  fingerprint: string;
  state: DeploymentHostState;
  readiness: HostReadiness;
  hostVersion: string | null;
  lastError: string | null;
  deployments: number;
  lastDurationMs: number | null;
  updatedAt: string;
  /** Install directory the cached state was established for. */
  installDir: string | null;
  settledAt: number;
  inflight?: Promise<HostReadiness>;
  /** Consecutive failed checks; the automatic re-check backs off on it. */
  failures: number;
  /** Next automatic re-check (epoch ms), when one is scheduled. */
  recheckAt: number | null;
  recheckTimer?: NodeJS.Timeout;
}

export function newerMessage(hostVersion: string, bundled: string): string {
  return `agent newer than this app (${hostVersion} > ${bundled}): another Aether-V may manage this host; update this app or force redeploy`;
}

export class DeploymentService implements DeploymentApi {
  private readonly records = new Map<string, HostRecord>();
  private readonly listeners = new Set<(hostId: string, readiness: HostReadiness) => void>();
  private readonly retryAfterMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private unsubscribe: (() => void) | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastProgress = '';

  constructor(
    private readonly ctx: ServiceContext,
    private readonly options: DeploymentServiceOptions,
  ) {
    this.retryAfterMs = options.retryAfterMs ?? 30_000;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
  }

  /** Starts deploying to every enabled host and follows host additions and removals. */
  start(): void {
    this.unsubscribe = this.ctx.hub.subscribe((event: StateEvent) => {
      if (event.topic === 'hosts') this.syncHosts();
    }, ['hosts']);
    this.syncHosts();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.progressTimer) clearTimeout(this.progressTimer);
    for (const record of this.records.values()) this.cancelRecheck(record);
    // Running deployments are not awaited: the scheduler aborts them when the backend closes it,
    // and update() ignores whatever they report after this point.
  }

  readiness(hostId: string): HostReadiness {
    return (
      this.records.get(hostId)?.readiness ?? {
        state: 'preparing',
        reason: 'agent deployment has not checked this host yet',
      }
    );
  }

  onChange(listener: (hostId: string, readiness: HostReadiness) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  ensureHostReady(hostId: string): Promise<HostReadiness> {
    return this.prepareHost(hostId, false);
  }

  recheck(hostId: string): Promise<HostReadiness> {
    const record = this.records.get(hostId);
    if (!record || (record.state !== 'failed' && record.state !== 'unreachable'))
      return Promise.resolve(this.readiness(hostId));
    return record.inflight ?? this.prepareHost(hostId, false, true);
  }

  invalidate(hostId: string, reason: string): void {
    const record = this.records.get(hostId);
    if (!record || record.inflight) return;
    this.ctx.log.info(`deployment: host ${record.displayName}: cached agent state dropped (${reason})`);
    record.installDir = null;
    record.settledAt = 0;
    this.update(
      record,
      'pending',
      { state: 'preparing', reason: `re-checking the agent on ${record.displayName}: ${reason}` },
      null,
    );
    void this.prepareHost(hostId, false);
  }

  async redeploy(hostId?: string): Promise<void> {
    await Promise.all(this.redeployIds(hostId).map((id) => this.prepareHost(id, true)));
  }

  /** Starts force redeploys and returns the host ids at once (the contract command). */
  startRedeploy(hostId?: string): string[] {
    const ids = this.redeployIds(hostId);
    for (const id of ids) void this.prepareHost(id, true);
    return ids;
  }

  private redeployIds(hostId?: string): string[] {
    if (hostId !== undefined) {
      const entry = this.ctx.hosts.entry(hostId);
      return entry.enabled ? [hostId] : [];
    }
    return this.ctx.settings
      .getHosts()
      .filter((h) => h.enabled)
      .map((h) => h.id);
  }

  /**
   * `recheck`: the automatic re-check of a failed host. It skips the "checked recently" shortcut
   * and keeps the host's current state on screen until it has an answer, so a host that is still
   * down does not flicker between "preparing" and "unreachable" at every attempt.
   */
  private prepareHost(hostId: string, force: boolean, recheck = false): Promise<HostReadiness> {
    const entry = this.ctx.hosts.entry(hostId);
    if (!entry.enabled)
      return Promise.resolve({ state: 'error', reason: `host ${entry.displayName} is disabled` });
    const record = this.record(hostId);
    const installDir = this.ctx.settings.getSettings().agent.installDir;
    if (!force && !recheck) {
      if (record.inflight) return record.inflight;
      const sameDir = record.installDir === installDir;
      if (record.state === 'ready' && sameDir) return Promise.resolve(record.readiness);
      const recent = Date.now() - record.settledAt < this.retryAfterMs;
      if (
        (record.state === 'failed' || record.state === 'unreachable' || record.state === 'newer') &&
        sameDir &&
        recent
      ) {
        return Promise.resolve(record.readiness);
      }
    }
    // The check that starts now supersedes the scheduled re-check; its outcome schedules the next.
    this.cancelRecheck(record);
    const previous = record.inflight ?? Promise.resolve(record.readiness);
    const run = previous
      .catch(() => undefined)
      .then(() => this.runHost(record, force, recheck))
      .finally(() => {
        if (record.inflight === run) delete record.inflight;
      });
    record.inflight = run;
    return run;
  }

  private async runHost(record: HostRecord, force: boolean, recheck: boolean): Promise<HostReadiness> {
    const bundled = this.options.agentVersion;
    const installDir = this.ctx.settings.getSettings().agent.installDir;
    const name = record.displayName;
    try {
      if (!recheck)
        this.update(record, 'checking', { state: 'preparing', reason: `checking the agent on ${name}` }, null);
      if (!force) {
        const raw = await readHostVersionFile(this.ctx.remote, record.hostId, name, installDir);
        record.hostVersion = raw ? normalizeVersionText(raw) || null : null;
        const assessment = assessHostVersion(raw, bundled);
        if (assessment === 'equal')
          return this.settle(record, 'ready', { state: 'ready', agentVersion: bundled }, null, installDir);
        if (assessment === 'newer') {
          const reason = newerMessage(record.hostVersion ?? '?', bundled);
          this.ctx.log.warn(`deployment: host ${name}: ${reason}`);
          return this.settle(
            record,
            'newer',
            { state: 'newer', agentVersion: record.hostVersion ?? '?', reason },
            reason,
            installDir,
          );
        }
        if (!needsDeployment(assessment)) throw new Error(`unexpected version assessment ${assessment}`);
        this.ctx.log.info(
          `deployment: host ${name} needs the agent (${assessment}${record.hostVersion ? `: ${record.hostVersion}` : ''})`,
        );
      }
      // Checked only now: a host that already runs our agent stays usable without the server.
      if (!this.options.server) {
        throw new DeploymentFailed(
          'ARTIFACT_SERVER_DOWN',
          `the artifact server is not running: ${this.options.serverError ?? 'unknown error'}`,
        );
      }
      await this.options.health;
      this.update(
        record,
        'deploying',
        { state: 'preparing', reason: `deploying agent ${bundled} to ${name}` },
        null,
      );
      const agent = this.ctx.settings.getSettings().agent;
      record.deployments++;
      let started = Date.now();
      const files = await installAgent(this.ctx.remote, record.hostId, name, {
        installDir,
        baseUrl: this.options.server.advertisedBaseUrl,
        manifest: this.options.server.manifest,
        attempts: agent.downloadAttempts,
        retryIntervalS: agent.downloadRetryIntervalS,
        onStart: () => (started = Date.now()),
        onLog: (entry) => this.ctx.log.debug(`deployment: host ${name}: ${entry.message}`),
      });
      record.lastDurationMs = Date.now() - started;
      const retried = files.filter((f) => f.attempts > 1).map((f) => `${f.name} ×${f.attempts}`);
      this.ctx.log.info(`deployment: agent ${bundled} deployed to ${name} in ${record.lastDurationMs} ms`, {
        files: files.length,
        ...(retried.length ? { retried } : {}),
      });
      // Confirm end to end: the version file the host now has is the one we shipped.
      const after = await readHostVersionFile(this.ctx.remote, record.hostId, name, installDir);
      record.hostVersion = after ? normalizeVersionText(after) || null : null;
      if (assessHostVersion(after, bundled) !== 'equal') {
        throw new DeploymentFailed(
          'VERSION_MISMATCH_AFTER_DEPLOY',
          `host ${name}: after deployment the version file reads ${JSON.stringify(record.hostVersion ?? '')}, expected ${bundled}`,
        );
      }
      return this.settle(record, 'ready', { state: 'ready', agentVersion: bundled }, null, installDir);
    } catch (error) {
      const raw = (error as Error).message;
      // WinRM errors name the address; people know the host by its display name.
      const message = raw.includes(name) ? raw : `host ${name}: ${raw}`;
      const transport = isTransportError(error);
      const kind = failureKind(error);
      const reason = transport ? message : `agent deployment failed: ${message}`;
      if (this.stopped) return { state: 'error', reason };
      record.failures++;
      const delayMs = this.scheduleRecheck(record, kind);
      this.ctx.log.warn(`deployment: host ${name}: ${message}`, {
        failures: record.failures,
        kind,
        recheckInS: Math.round(delayMs / 1000),
      });
      return this.settle(
        record,
        transport ? 'unreachable' : 'failed',
        { state: 'error', reason, retryAt: new Date(record.recheckAt!).toISOString() },
        reason,
        installDir,
      );
    }
  }

  private settle(
    record: HostRecord,
    state: DeploymentHostState,
    readiness: HostReadiness,
    error: string | null,
    installDir: string,
  ): HostReadiness {
    record.installDir = installDir;
    record.settledAt = Date.now();
    if (state === 'ready' || state === 'newer') {
      // Answered: the next failure starts the backoff again from its first step.
      record.failures = 0;
      this.cancelRecheck(record);
    }
    this.update(record, state, readiness, error);
    return readiness;
  }

  /**
   * Checks a failed host again after the inventory's backoff (recheck.ts), with no click: the
   * host that was down at start, added while down, or whose deployment failed on a transient
   * error becomes ready, and inventory refreshes it from the readiness change.
   */
  private scheduleRecheck(record: HostRecord, kind: FailureKind): number {
    this.cancelRecheck(record);
    const delayMs = recheckDelayMs(kind, record.failures, this.backoff, this.random);
    record.recheckAt = Date.now() + delayMs;
    const timer = setTimeout(() => {
      if (record.recheckTimer !== timer) return;
      delete record.recheckTimer;
      record.recheckAt = null;
      if (this.stopped || this.records.get(record.hostId) !== record) return;
      if (!this.ctx.settings.getHost(record.hostId)?.enabled) return;
      void this.prepareHost(record.hostId, false, true);
    }, delayMs);
    timer.unref();
    record.recheckTimer = timer;
    return delayMs;
  }

  private cancelRecheck(record: HostRecord): void {
    if (record.recheckTimer) clearTimeout(record.recheckTimer);
    delete record.recheckTimer;
    record.recheckAt = null;
  }

  private update(
    record: HostRecord,
    state: DeploymentHostState,
    readiness: HostReadiness,
    error: string | null,
  ): void {
    if (this.stopped || !this.records.has(record.hostId)) return;
    record.state = state;
    record.readiness = readiness;
    record.lastError = error;
    record.updatedAt = new Date().toISOString();
    if (state === 'pending' || state === 'checking' || state === 'deploying')
      this.ctx.hosts.setStatus(record.hostId, 'preparing');
    else if (state === 'unreachable')
      this.ctx.hosts.setStatus(record.hostId, 'unreachable', { error: error ?? 'unreachable' });
    else if (state === 'ready') this.ctx.hosts.setStatus(record.hostId, 'connected', { seenAt: new Date() });
    else
      this.ctx.hosts.setStatus(record.hostId, 'connected', {
        seenAt: new Date(),
        ...(error ? { error } : {}),
      });
    for (const listener of this.listeners) {
      try {
        listener(record.hostId, readiness);
      } catch (e) {
        this.ctx.log.warn(`deployment: a readiness listener failed: ${(e as Error).message}`);
      }
    }
    this.scheduleProgress();
  }

  private record(hostId: string): HostRecord {
    let record = this.records.get(hostId);
    if (!record) {
      const entry = this.ctx.hosts.entry(hostId);
      record = {
        hostId,
        displayName: entry.displayName,
        fingerprint: fingerprintOf(entry),
        state: 'pending',
        readiness: { state: 'preparing', reason: `waiting to check the agent on ${entry.displayName}` },
        hostVersion: null,
        lastError: null,
        deployments: 0,
        lastDurationMs: null,
        updatedAt: new Date().toISOString(),
        installDir: null,
        settledAt: 0,
        failures: 0,
        recheckAt: null,
      };
      this.records.set(hostId, record);
    }
    return record;
  }

  /** Follows the configured hosts: new or changed enabled hosts are checked, others forgotten. */
  private syncHosts(): void {
    if (this.stopped) return;
    const enabled = this.ctx.settings.getHosts().filter((h) => h.enabled);
    const ids = new Set(enabled.map((h) => h.id));
    let changed = false;
    for (const [id, record] of [...this.records]) {
      if (!ids.has(id)) {
        this.cancelRecheck(record);
        this.records.delete(id);
        changed = true;
      }
    }
    for (const entry of enabled) {
      const existing = this.records.get(entry.id);
      if (existing && existing.fingerprint !== fingerprintOf(entry) && !existing.inflight) {
        this.cancelRecheck(existing);
        this.records.delete(entry.id);
      } else if (existing) {
        existing.displayName = entry.displayName;
        continue;
      }
      this.record(entry.id);
      changed = true;
      void this.prepareHost(entry.id, false);
    }
    if (changed) this.scheduleProgress();
  }

  /** Coalesces bursts of changes into one notification update (same key: updated in place). */
  private scheduleProgress(): void {
    if (this.stopped) return;
    if (this.summary().inProgress === 0) {
      // The final count goes out at once, so it is never older than the state it describes.
      if (this.progressTimer) clearTimeout(this.progressTimer);
      this.progressTimer = undefined;
      this.publishProgress();
      return;
    }
    if (this.progressTimer) return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      this.publishProgress();
    }, 100);
    this.progressTimer.unref();
  }

  summary(): DeploymentStatus['summary'] {
    const records = [...this.records.values()];
    const count = (...states: DeploymentHostState[]) =>
      records.filter((r) => states.includes(r.state)).length;
    return {
      total: records.length,
      ready: count('ready'),
      failed: count('failed', 'unreachable'),
      newer: count('newer'),
      inProgress: count('pending', 'checking', 'deploying'),
    };
  }

  progressMessage(): string {
    const s = this.summary();
    let message = `Agent deployment: ${s.ready}/${s.total} hosts ready, ${s.failed} failed`;
    if (s.newer) message += `, ${s.newer} with a newer agent (left alone)`;
    if (s.inProgress) message += `, ${s.inProgress} in progress`;
    return message;
  }

  private publishProgress(): void {
    if (this.stopped || this.records.size === 0) return;
    const s = this.summary();
    const level = s.inProgress > 0 ? 'info' : s.failed > 0 || s.newer > 0 ? 'warning' : 'success';
    const message = this.progressMessage();
    // Automatic re-checks of a host that stays down change nothing here: re-sending the same text
    // would mark the notification unread again every few minutes.
    if (this.lastProgress === `${level} ${message}`) return;
    this.lastProgress = `${level} ${message}`;
    this.ctx.notifications.notify({ key: PROGRESS_KEY, level, title: 'Agent deployment', message });
  }

  hostStatuses(): DeploymentHostStatus[] {
    return [...this.records.values()]
      .map((r) => ({
        hostId: r.hostId,
        displayName: r.displayName,
        state: r.state,
        hostVersion: r.hostVersion,
        lastError: r.lastError,
        deployments: r.deployments,
        lastDurationMs: r.lastDurationMs,
        updatedAt: r.updatedAt,
      }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  metrics(): MetricGroup[] {
    return [
      {
        name: 'Agent deployment',
        rows: this.hostStatuses().map((h) => ({
          host: h.displayName,
          state: h.state,
          hostVersion: h.hostVersion,
          lastError: h.lastError,
          deployments: h.deployments,
          lastDurationS: h.lastDurationMs === null ? null : Math.round(h.lastDurationMs / 100) / 10,
          failures: this.records.get(h.hostId)?.failures ?? 0,
          nextCheckInS: nextCheckInS(this.records.get(h.hostId)),
        })),
      },
    ];
  }
}

function nextCheckInS(record: HostRecord | undefined): number | null {
  if (!record?.recheckAt) return null;
  return Math.max(0, Math.round((record.recheckAt - Date.now()) / 1000));
}

function fingerprintOf(entry: {
  address: string;
  port: number;
  username: string;
  transport: string;
}): string {
  return `${entry.address}:${entry.port}:${entry.transport}:${entry.username}`;
}
