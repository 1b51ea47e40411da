import type { InventoryVm, ReachabilitySettings, VmReach } from '../../shared/contract';
import { probeTargets, tcpConnect, type ConnectFn } from './tcp-probe';

/** What the prober needs of a VM: its key, state and the addresses its host reported. */
export type ProbedVm = Pick<InventoryVm, 'key' | 'state' | 'ipAddresses'>;

export interface ReachDelta {
  upsert: VmReach[];
  remove: string[];
}

export interface ProberOptions {
  settings(): ReachabilitySettings;
  /** Receives batched changes (after `batchMs`); the service publishes them on the topic. */
  publish(delta: ReachDelta): void;
  connect?: ConnectFn;
  now?(): number;
  /** How often due VMs and changed settings are looked for. Default 5 s. */
  tickMs?: number;
  batchMs?: number;
}

export interface ProberStats {
  /** TCP connects started since the app started. */
  probes: number;
  /** Connects in flight now, and the most there ever were at once (never above the concurrency setting). */
  inFlight: number;
  maxInFlight: number;
  /** VMs waiting for a probe, and VMs with a result. */
  queued: number;
  results: number;
  lastProbeAt: string | null;
}

interface Tracked {
  state: InventoryVm['state'];
  targets: string[];
  /** State + targets: a probe whose VM changed meanwhile is thrown away. */
  signature: string;
}

/**
 * RDP/SSH reachability of Running VMs from this workstation: TCP connects to the addresses each
 * VM's host reported, never anything else. Connects are bounded (`concurrency` at once, each at
 * most `timeoutMs`); results are cached with their time and probed again after `intervalS`, or
 * at once when a VM's state or addresses change. A VM that is not Running is never probed and has
 * no result; turning probing off drops every result.
 */
export class ReachabilityProber {
  private readonly vms = new Map<string, Tracked>();
  private readonly results = new Map<string, VmReach>();
  private readonly queue = new Set<string>();
  private readonly waiting: (() => void)[] = [];
  private readonly pending = { upsert: new Map<string, VmReach>(), remove: new Set<string>() };
  private readonly connect: ConnectFn;
  private readonly now: () => number;
  private activeVms = 0;
  private inFlight = 0;
  private maxInFlight = 0;
  private probes = 0;
  private lastProbeAt: number | null = null;
  private applied: ReachabilitySettings;
  private readonly ticker: NodeJS.Timeout;
  private flushTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private paused = false;

  constructor(private readonly options: ProberOptions) {
    this.connect = options.connect ?? tcpConnect;
    this.now = options.now ?? Date.now;
    this.applied = { ...options.settings() };
    this.ticker = setInterval(() => this.tick(), options.tickMs ?? 5_000);
    this.ticker.unref();
  }

  /** Replaces the whole set of VMs (an inventory snapshot). */
  reset(vms: Iterable<ProbedVm>): void {
    const seen = new Set<string>();
    for (const vm of vms) {
      seen.add(vm.key);
      this.upsert(vm);
    }
    for (const key of [...this.vms.keys()]) if (!seen.has(key)) this.remove(key);
  }

  upsert(vm: ProbedVm): void {
    const targets = probeTargets(vm.ipAddresses);
    const signature = `${vm.state}|${targets.join(',')}`;
    const before = this.vms.get(vm.key);
    if (before?.signature === signature) return;
    this.vms.set(vm.key, { state: vm.state, targets, signature });
    this.dropResult(vm.key);
    this.queue.delete(vm.key);
    if (this.probeable(vm.key)) this.enqueue(vm.key);
  }

  remove(key: string): void {
    this.vms.delete(key);
    this.queue.delete(key);
    this.dropResult(key);
  }

  snapshot(): VmReach[] {
    return [...this.results.values()];
  }

  get(key: string): VmReach | undefined {
    return this.results.get(key);
  }

  stats(): ProberStats {
    return {
      probes: this.probes,
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      queued: this.queue.size,
      results: this.results.size,
      lastProbeAt: this.lastProbeAt === null ? null : new Date(this.lastProbeAt).toISOString(),
    };
  }

  /** Holds probes back (queued VMs wait) until resume(): the app's start-up comes first. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  /** Settles once nothing is queued or in flight (tests and the benchmark; not while paused). */
  async idle(): Promise<void> {
    while (this.queue.size || this.activeVms) await new Promise((resolve) => setTimeout(resolve, 10));
    this.flush();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.ticker);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.queue.clear();
  }

  /** Looks for changed settings and VMs whose result is older than the interval. */
  tick(): void {
    if (this.closed) return;
    const next = this.options.settings();
    const changed = next.enabled !== this.applied.enabled || next.rdpPort !== this.applied.rdpPort || next.sshPort !== this.applied.sshPort;
    this.applied = { ...next };
    if (changed) {
      // Other ports, or probing off: what was found no longer holds.
      for (const key of [...this.results.keys()]) this.dropResult(key);
      this.queue.clear();
    }
    if (!next.enabled) return;
    const dueBefore = this.now() - next.intervalS * 1000;
    for (const key of this.vms.keys()) {
      if (!this.probeable(key) || this.queue.has(key)) continue;
      const checked = this.results.get(key)?.checkedAt;
      if (!checked || Date.parse(checked) <= dueBefore) this.enqueue(key);
    }
  }

  private probeable(key: string): boolean {
    const vm = this.vms.get(key);
    return !!vm && vm.state === 'Running' && vm.targets.length > 0 && this.applied.enabled && !this.closed;
  }

  private enqueue(key: string): void {
    this.queue.add(key);
    this.pump();
  }

  /** Starts VM probes while fewer than `concurrency` run; their connects share the same bound. */
  private pump(): void {
    while (!this.paused && this.queue.size && this.activeVms < this.applied.concurrency) {
      const key = this.queue.values().next().value as string;
      this.queue.delete(key);
      if (!this.probeable(key)) continue;
      this.activeVms++;
      void this.probeVm(key).finally(() => {
        this.activeVms--;
        this.pump();
      });
    }
  }

  private async probeVm(key: string): Promise<void> {
    const vm = this.vms.get(key)!;
    const { rdpPort, sshPort, timeoutMs } = this.applied;
    const outcome = async (address: string, port: number) => ({ address, port, result: await this.limitedConnect(address, port, timeoutMs) });
    const outcomes = await Promise.all(vm.targets.flatMap((address) => [outcome(address, rdpPort), outcome(address, sshPort)]));
    // The VM changed (or probing was turned off) while we probed: its new probe is queued, or none is due.
    const current = this.vms.get(key);
    if (!current || current.signature !== vm.signature || !this.probeable(key) || rdpPort !== this.applied.rdpPort || sshPort !== this.applied.sshPort) return;
    const firstOpen = (port: number) => vm.targets.find((a) => outcomes.some((o) => o.address === a && o.port === port && o.result === 'open')) ?? null;
    const rdpAddress = firstOpen(rdpPort);
    const sshAddress = firstOpen(sshPort);
    const address = vm.targets.find((a) => a === rdpAddress || a === sshAddress) ?? null;
    this.lastProbeAt = this.now();
    this.setResult({
      key,
      rdp: rdpAddress ? 'open' : 'closed',
      ssh: sshAddress ? 'open' : 'closed',
      address,
      rdpAddress,
      sshAddress,
      checkedAt: new Date(this.lastProbeAt).toISOString(),
    });
  }

  /** One connect under the concurrency bound (a counting semaphore over sockets). */
  private async limitedConnect(address: string, port: number, timeoutMs: number): Promise<'open' | 'closed'> {
    while (this.inFlight >= this.applied.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.probes++;
    try {
      return await this.connect(address, port, timeoutMs);
    } catch {
      return 'closed';
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  private setResult(result: VmReach): void {
    this.results.set(result.key, result);
    this.pending.remove.delete(result.key);
    this.pending.upsert.set(result.key, result);
    this.scheduleFlush();
  }

  private dropResult(key: string): void {
    if (!this.results.delete(key)) {
      this.pending.upsert.delete(key);
      return;
    }
    this.pending.upsert.delete(key);
    this.pending.remove.add(key);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => this.flush(), this.options.batchMs ?? 200);
  }

  /** Publishes what changed since the last flush, as one delta. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.pending.upsert.size && !this.pending.remove.size) return;
    const delta = { upsert: [...this.pending.upsert.values()], remove: [...this.pending.remove] };
    this.pending.upsert.clear();
    this.pending.remove.clear();
    this.options.publish(delta);
  }
}
