/**
 * Fault-injection knobs of one simulated host and its counters. Every knob has bounds so a typo in
 * a test (latency 10_000_000, failureRate 5) fails loudly instead of hanging a run.
 */
export interface HostKnobs {
  /** Delay before each HTTP response, ms (0–60000). */
  latencyMs: number;
  /** Fraction of HTTP requests that fail (0–1): HTTP 500 or a reset connection, see failureMode. */
  failureRate: number;
  failureMode: 'http500' | 'reset' | 'mixed';
  /** Commands never finish until signalled (ctrl_c/terminate) or their shell is deleted. */
  hang: boolean;
  /** The host stops listening: connections are refused (and open ones dropped). */
  unreachable: boolean;
  /** Multiplier for simulated work: Start-Sleep and handler sleeps (0.01–100). */
  slowFactor: number;
  /** Every credential is rejected with 401, as after a password change. */
  authFailure: boolean;
  /** MaxShellsPerUser (1–1000); Create beyond it answers the w:QuotaLimit fault. */
  maxShells: number;
  /** Max output bytes per Receive response (64–4 MiB); longer output spans several Receives. */
  receiveChunkBytes: number;
  /** The Hyper-V role is installed (vmms service running); off = a plain Windows server. */
  hyperV: boolean;
  /**
   * Real-agent hosts only: background jobs cannot start (Start-Job's process fails at once, as
   * when a host's WinRM quota or policy forbids more processes).
   */
  jobsFail: boolean;
}

export const DEFAULT_KNOBS: HostKnobs = {
  latencyMs: 0,
  failureRate: 0,
  failureMode: 'mixed',
  hang: false,
  unreachable: false,
  slowFactor: 1,
  authFailure: false,
  maxShells: 30,
  receiveChunkBytes: 32 * 1024,
  hyperV: true,
  jobsFail: false,
};

const BOUNDS: Partial<Record<keyof HostKnobs, [number, number]>> = {
  latencyMs: [0, 60_000],
  failureRate: [0, 1],
  slowFactor: [0.01, 100],
  maxShells: [1, 1000],
  receiveChunkBytes: [64, 4 * 1024 * 1024],
};

/** Returns the merged knobs, or throws RangeError naming the knob and its allowed range. */
export function mergeKnobs(current: HostKnobs, patch: Partial<HostKnobs>): HostKnobs {
  const next: HostKnobs = { ...current, ...patch };
  for (const [name, [min, max]] of Object.entries(BOUNDS) as Array<[keyof HostKnobs, [number, number]]>) {
    const value = next[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new RangeError(`lab knob ${name}=${String(value)} is out of range; allowed ${min}–${max}`);
    }
  }
  if (!['http500', 'reset', 'mixed'].includes(next.failureMode)) {
    throw new RangeError(`lab knob failureMode=${String(next.failureMode)} must be http500, reset or mixed`);
  }
  return next;
}

export interface HostStats {
  httpRequests: number;
  openShells: number;
  concurrentCommands: number;
  maxConcurrentCommands: number;
  commandsStarted: number;
  authFailures: number;
}
