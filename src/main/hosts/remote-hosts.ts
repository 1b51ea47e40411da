import { randomUUID } from 'node:crypto';
import { invokeAgent, type AgentInvocation } from '../agent';
import type { Logger } from '../log';
import { secretDigest } from '../secrets/digest';
import type { SettingsStore } from '../settings/settings-store';
import type { Lane, LaneSlot, RemoteTaskScheduler } from '../tasks';
import { WinrmClient } from '../winrm';
import { winrmOptionsFor } from './connection-test';
import type { HostRegistry } from './host-registry';

export interface RemoteCall {
  lane: Lane;
  label: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  priority?: number;
}

export type AgentCall = RemoteCall &
  Pick<AgentInvocation, 'operation' | 'fields' | 'onLog' | 'onOutput' | 'onError'> & {
    correlationId?: string;
    /**
     * While the host runs the operation, give the lane slot to other hosts' calls (keeping the host
     * slot). For short polls of many hosts (inventory), whose lane bounds work here; not for jobs,
     * whose lane is the "parallel job workers" limit on jobs in flight.
     */
    overlapHostWaits?: boolean;
  };

/**
 * The only way services reach a host: every call is a scheduler task (lane, per-host cap, timeout,
 * cancellation) running on one cached WinRM client per host, whose warm shell and authenticated
 * connections are reused. A host's client is replaced when its entry or password changes.
 */
export class RemoteHosts {
  private readonly clients = new Map<string, { fingerprint: string; client: WinrmClient }>();

  constructor(
    private readonly hosts: HostRegistry,
    private readonly scheduler: RemoteTaskScheduler,
    private readonly settings: SettingsStore,
    private readonly log: Logger,
  ) {}

  run<T>(hostId: string, call: RemoteCall, task: (client: WinrmClient, signal: AbortSignal, slot: LaneSlot) => Promise<T>): Promise<T> {
    return this.scheduler.run(
      { lane: call.lane, hostId, label: call.label, ...(call.timeoutMs ? { timeoutMs: call.timeoutMs } : {}), ...(call.signal ? { signal: call.signal } : {}), ...(call.priority !== undefined ? { priority: call.priority } : {}) },
      async (signal, slot) => task(await this.client(hostId), signal, slot),
    );
  }

  /**
   * Runs one agent operation (docs/agent.md) on a host through the scheduler. With
   * `overlapHostWaits`, while the host runs it (seconds for an inventory) the call gives its lane
   * slot to other hosts' calls and keeps its host slot: a fleet's waits overlap, the per-host cap holds.
   */
  agent(hostId: string, call: AgentCall): Promise<unknown> {
    const entry = this.hosts.entry(hostId);
    return this.run(hostId, call, (client, signal, slot) =>
      invokeAgent(client, {
        host: entry.displayName,
        installDir: this.settings.getSettings().agent.installDir,
        operation: call.operation,
        correlationId: call.correlationId ?? randomUUID(),
        signal,
        ...(call.overlapHostWaits ? { hostWait: slot } : {}),
        ...(call.fields ? { fields: call.fields } : {}),
        ...(call.onLog ? { onLog: call.onLog } : {}),
        ...(call.onOutput ? { onOutput: call.onOutput } : {}),
        ...(call.onError ? { onError: call.onError } : {}),
      }),
    );
  }

  async client(hostId: string): Promise<WinrmClient> {
    const entry = this.hosts.entry(hostId);
    const { password } = await this.hosts.credentials(hostId);
    // The cache key tells "same password?" by a keyed digest: the password itself is never a key.
    const fingerprint = JSON.stringify([entry.address, entry.port, entry.transport, entry.auth, entry.allowUnencryptedBasic, entry.username, entry.tlsFingerprintSha256, secretDigest(password)]);
    const cached = this.clients.get(hostId);
    if (cached?.fingerprint === fingerprint) return cached.client;
    if (cached) void cached.client.close().catch(() => undefined);
    const client = new WinrmClient(winrmOptionsFor({ ...entry, password }));
    this.clients.set(hostId, { fingerprint, client });
    this.log.debug('opened WinRM client', { host: entry.displayName });
    return client;
  }

  /** Drops a host's client (after removal, or to force fresh connections). */
  async forget(hostId: string): Promise<void> {
    const cached = this.clients.get(hostId);
    this.clients.delete(hostId);
    await cached?.client.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.keys()].map((id) => this.forget(id)));
  }
}
