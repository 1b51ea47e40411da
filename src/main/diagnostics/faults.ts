import type { Fault, FaultKind } from '../../shared/contract/diagnostics';

/** How many distinct faults Diagnostics keeps (a repeat only bumps its count). */
const MAX_FAULTS = 20;

/** True for "the disk is full" from the file system (ENOSPC), SQLite (SQLITE_FULL, errcode 13) or our own DISK_FULL. */
export function isDiskFull(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown; errstr?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code === 'ENOSPC' || e.code === 'EDQUOT' || e.code === 'DISK_FULL') return true;
  if (e.errcode === 13) return true;
  return typeof e.message === 'string' && /database or disk is full|no space left on device/i.test(e.message);
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/**
 * Faults the process survived (uncaught errors, unhandled rejections, a full disk), newest first,
 * for Diagnostics and the health topic. A fault that repeats is one entry with a count, so a storm
 * cannot grow this list or the snapshot the renderer receives.
 */
export class FaultLog {
  private readonly faults: Fault[] = [];
  private readonly listeners = new Set<(fault: Fault, isNew: boolean) => void>();

  report(kind: FaultKind, source: string, error: unknown, now: Date = new Date()): Fault {
    const message = messageOf(error).slice(0, 500);
    const existing = this.faults.find((f) => f.kind === kind && f.source === source && f.message === message);
    let fault: Fault;
    if (existing) {
      existing.count++;
      existing.lastAt = now.toISOString();
      fault = existing;
    } else {
      fault = { kind, source, message, firstAt: now.toISOString(), lastAt: now.toISOString(), count: 1 };
      this.faults.unshift(fault);
      if (this.faults.length > MAX_FAULTS) this.faults.pop();
    }
    for (const listener of this.listeners) {
      try {
        listener({ ...fault }, !existing);
      } catch {
        // A listener that fails must not turn one fault into two.
      }
    }
    return fault;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  onFault(listener: (fault: Fault, isNew: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
