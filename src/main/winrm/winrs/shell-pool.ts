/**
 * Keeps cmd shells open across commands so a warm command costs Command + Receive + Signal only.
 * A few idle shells are kept so concurrent commands each get their own; a shell the server has
 * dropped is replaced, and a per-user shell quota fault is answered by giving back idle shells.
 */
import { Cancelled, WinrmError, WinrmFault } from '../errors';
import { WSMAN_CODE } from '../soap';
import { createShellSpec, deleteShellSpec, readShellId, type ShellCreateOptions } from './messages';
import type { WsmanRpc } from './rpc';

export interface ShellLease {
  readonly shellId: string;
  /** True when the shell already ran a command: it may have expired on the server since. */
  readonly reused: boolean;
}

export interface ShellPoolOptions extends ShellCreateOptions {
  /** Idle shells kept open for reuse (default 2). */
  maxIdle?: number;
}

/** Faults meaning "this shell is gone or unusable; a new one will work" (research §1.7, Ruby's reset list). */
export function isShellGone(error: unknown): boolean {
  return (
    error instanceof WinrmFault &&
    (error.wsmanCode === WSMAN_CODE.invalidSelectors ||
      error.wsmanCode === WSMAN_CODE.profileUnloaded ||
      error.wsmanCode === WSMAN_CODE.commandQuota ||
      error.subcode?.endsWith(':InvalidSelectors') === true)
  );
}

export function isShellQuota(error: unknown): boolean {
  return error instanceof WinrmFault && error.wsmanCode === WSMAN_CODE.shellQuota;
}

export class ShellPool {
  private readonly idle: string[] = [];
  private readonly leased = new Set<string>();
  /** Commands waiting for a shell because the server's per-user shell quota is reached. */
  private readonly waiters: Array<(shellId: string | undefined) => void> = [];
  private closed = false;
  private readonly maxIdle: number;

  constructor(
    private readonly rpc: WsmanRpc,
    private readonly options: ShellPoolOptions = {},
  ) {
    this.maxIdle = Math.max(0, options.maxIdle ?? 2);
  }

  get openShells(): number {
    return this.idle.length + this.leased.size;
  }

  async acquire(signal?: AbortSignal): Promise<ShellLease> {
    this.assertOpen();
    const idle = this.idle.pop();
    if (idle !== undefined) {
      this.leased.add(idle);
      return { shellId: idle, reused: true };
    }
    return { shellId: await this.createLeased(signal), reused: false };
  }

  /** Gives a shell back; it stays open for the next command unless the pool is full or closed. */
  async release(lease: ShellLease): Promise<void> {
    if (!this.leased.delete(lease.shellId)) return;
    const waiter = this.closed ? undefined : this.waiters.shift();
    if (waiter) {
      this.leased.add(lease.shellId);
      waiter(lease.shellId);
      return;
    }
    if (!this.closed && this.idle.length < this.maxIdle) {
      this.idle.push(lease.shellId);
      return;
    }
    await this.deleteQuietly(lease.shellId);
  }

  /** Forgets a shell the server no longer knows and returns a fresh one in its place. */
  async replace(lease: ShellLease, signal?: AbortSignal): Promise<ShellLease> {
    this.leased.delete(lease.shellId);
    await this.deleteQuietly(lease.shellId);
    this.assertOpen();
    return { shellId: await this.createLeased(signal), reused: false };
  }

  /** Deletes every idle shell; leased shells are deleted when released. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
    const ids = this.idle.splice(0);
    await Promise.all(ids.map((id) => this.deleteQuietly(id)));
  }

  private async createLeased(signal?: AbortSignal): Promise<string> {
    let shellId: string;
    try {
      shellId = await this.create(signal);
    } catch (error) {
      if (!isShellQuota(error)) throw error;
      if (this.idle.length > 0) {
        // Our own idle shells count against MaxShellsPerUser: give them back and try once more.
        const ids = this.idle.splice(0);
        await Promise.all(ids.map((id) => this.deleteQuietly(id)));
        shellId = await this.create(signal);
      } else if (this.leased.size > 0) {
        // Every shell we may have is busy: queue for the next one our other commands give back.
        return this.waitForRelease(error, signal);
      } else {
        throw error;
      }
    }
    if (this.closed) {
      await this.deleteQuietly(shellId);
      this.assertOpen();
    }
    this.leased.add(shellId);
    return shellId;
  }

  private waitForRelease(quotaFault: unknown, signal?: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(new Cancelled(this.rpc.host));
      };
      const waiter = (shellId: string | undefined): void => {
        signal?.removeEventListener('abort', onAbort);
        if (shellId === undefined) reject(quotaFault);
        else resolve(shellId);
      };
      if (signal?.aborted) return reject(new Cancelled(this.rpc.host));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private async create(signal?: AbortSignal): Promise<string> {
    const body = await this.rpc.call(createShellSpec(this.options), signal ? { signal } : {});
    return readShellId(body);
  }

  private async deleteQuietly(shellId: string): Promise<void> {
    try {
      await this.rpc.call(deleteShellSpec(shellId));
    } catch {
      // The shell may already be gone (faults 995, 2150858843); the server reaps it on idle timeout anyway.
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new WinrmClientClosed();
  }
}

/** A command was started on a client after close(); reported as a cancellation. */
export class WinrmClientClosed extends WinrmError {
  constructor() {
    super('CANCELLED', 'this WinRM client was closed — create a new one to run more commands');
  }
}
