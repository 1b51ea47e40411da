/**
 * A small pool of keep-alive connections to one host. Each connection carries one request at a
 * time (its NTLM context and RC4 streams are strictly sequential), so concurrency comes from
 * several connections: a Receive blocked for up to OperationTimeout on one connection does not
 * hold up a Signal on another. When all are busy, requests queue for the next released one.
 */
import { Cancelled } from '../errors';
import type { HttpConnection } from './connection';

interface Waiter {
  resolve: (conn: HttpConnection | undefined) => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class ConnectionPool {
  private readonly idle: HttpConnection[] = [];
  private readonly all = new Set<HttpConnection>();
  /** Connections being opened, counted against the cap. */
  private opening = 0;
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(
    private readonly maxConnections: number,
    private readonly label: string,
    private readonly open: (signal: AbortSignal | undefined) => Promise<HttpConnection>,
  ) {}

  get openCount(): number {
    return [...this.all].filter((c) => c.isAlive).length;
  }

  /** An idle live connection, a new one if under the cap, or the next one released. */
  async acquire(signal: AbortSignal | undefined): Promise<HttpConnection> {
    for (;;) {
      if (this.closed) throw new Cancelled(this.label);
      while (this.idle.length > 0) {
        const conn = this.idle.pop() as HttpConnection;
        if (conn.isAlive) return conn;
        this.all.delete(conn);
      }
      for (const c of this.all) if (!c.isAlive) this.all.delete(c);
      if (this.all.size + this.opening < this.maxConnections) return this.openCounted(signal);
      const handed = await new Promise<HttpConnection | undefined>((resolve, reject) => {
        const waiter: Waiter = { resolve, reject };
        if (signal !== undefined) {
          waiter.signal = signal;
          waiter.onAbort = () => {
            const i = this.waiters.indexOf(waiter);
            if (i >= 0) this.waiters.splice(i, 1);
            reject(new Cancelled(this.label));
          };
          signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
        this.waiters.push(waiter);
      });
      if (handed !== undefined && handed.isAlive) return handed;
      // A slot freed up (or the handed connection died): loop and reuse or open.
    }
  }

  release(conn: HttpConnection): void {
    if (!conn.isAlive) this.all.delete(conn);
    // Hand a live connection straight to the next waiter; a dead one still frees a slot for it.
    if (this.wakeOne(conn.isAlive ? conn : undefined)) return;
    if (conn.isAlive && !this.closed) this.idle.push(conn);
    else conn.destroy();
  }

  /**
   * Closes every idle connection. Called when one turned out stale: the host closed it (a WinRM
   * service restart, a dropped network), and the others of its age are very likely closed too, so
   * the retry must not pick another of them.
   */
  dropIdle(): void {
    for (const conn of this.idle.splice(0)) {
      this.all.delete(conn);
      conn.destroy();
    }
  }

  /** Rejects queued requests and kills every connection (in-flight requests reject with `reason`). */
  close(reason: Error): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) {
      if (w.onAbort !== undefined) w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(reason);
    }
    for (const c of this.all) c.destroy(reason);
    this.all.clear();
    this.idle.length = 0;
  }

  private wakeOne(conn: HttpConnection | undefined): boolean {
    const waiter = this.waiters.shift();
    if (waiter === undefined) return false;
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.resolve(conn);
    return true;
  }

  private async openCounted(signal: AbortSignal | undefined): Promise<HttpConnection> {
    this.opening++;
    try {
      const conn = await this.open(signal);
      if (this.closed) {
        conn.destroy();
        throw new Cancelled(this.label);
      }
      this.all.add(conn);
      return conn;
    } finally {
      this.opening--;
      // A failed open frees a slot: let one waiter try to open its own.
      if (this.all.size + this.opening < this.maxConnections) this.wakeOne(undefined);
    }
  }
}
