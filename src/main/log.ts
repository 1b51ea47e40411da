import path from 'node:path';
import type { MetricGroup } from '../shared/contract';
import { RotatingFile, type RotationLimits } from './log-file';
import { SecretSet } from './secrets/masking';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /**
   * A value that must never reach the log (a password, a secret job field); masked wherever it
   * appears until its scope is forgotten. Without a scope it is held for the life of the process.
   */
  addSecret(value: string, scope?: string): void;
  /** Forgets a scope's secrets (a job that ended, a host removed or given a new password). */
  forgetSecrets(scope: string): void;
}

/** The app log as the composition root sees it: rotation, masking for other outputs, health. */
export interface AppLog extends Logger {
  readonly file: string;
  /** A copy of `value` with every registered secret masked (for error bodies sent to clients). */
  mask<T>(value: T): T;
  /** Applies the log settings (size per file, files kept); takes effect from the next line. */
  configure(limits: RotationLimits): void;
  /**
   * Called once when writes start failing (disk full, permissions), with a sentence for a person;
   * not again until writes have recovered and a quiet period has passed.
   */
  onWriteFailure(listener: (problem: string) => void): void;
  metrics(): MetricGroup;
}

export const DEFAULT_LOG_LIMITS: RotationLimits = { maxBytes: 10 * 1024 * 1024, keepFiles: 3 };

/** The log settings (megabytes, files kept) as rotation limits. */
export function logLimits(settings: { maxFileMB: number; keepFiles: number }): RotationLimits {
  return { maxBytes: settings.maxFileMB * 1024 * 1024, keepFiles: settings.keepFiles };
}
/** After writes recover, a new failure is announced again only once this long has passed. */
const FAILURE_NOTICE_INTERVAL_MS = 10 * 60_000;
const MASK = '********';

/**
 * JSON-lines app log in {dataDir}/logs/app.log, rotated by size. Every field is masked before it
 * is serialised (fields named like secrets, every registered secret value in any form), so a
 * careless call site cannot leak a password. A write that fails (disk full) never throws into the
 * caller: the line is counted as dropped and the failure announced once.
 */
export function createLogger(dataDir: string, options: { echo?: boolean; limits?: RotationLimits; now?: () => number } = {}): AppLog {
  const file = new RotatingFile(path.join(dataDir, 'logs', 'app.log'), options.limits ?? DEFAULT_LOG_LIMITS);
  const secrets = new SecretSet(MASK);
  const failureListeners: ((problem: string) => void)[] = [];
  const now = options.now ?? Date.now;
  let failing: { since: string; error: string; dropped: number } | undefined;
  let lastNoticeAt = -Infinity;
  let linesWritten = 0;
  let linesDropped = 0;
  let failures = 0;
  let lastError: string | null = null;

  const announce = (problem: string) => {
    if (now() - lastNoticeAt < FAILURE_NOTICE_INTERVAL_MS) return;
    lastNoticeAt = now();
    safely(() => process.stderr.write(`aether-v: ${problem}\n`));
    for (const listener of failureListeners) safely(() => listener(problem));
  };

  const append = (line: string): boolean => {
    try {
      file.append(line + '\n');
      linesWritten++;
      return true;
    } catch (error) {
      linesDropped++;
      failures++;
      lastError = describe(error);
      if (failing) failing.dropped++;
      else {
        failing = { since: new Date(now()).toISOString(), error: lastError, dropped: 1 };
        announce(`the app log ${file.path} cannot be written (${lastError}); log lines are being dropped until it can. Free disk space or check the folder's permissions.`);
      }
      return false;
    }
  };

  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    try {
      const record: Record<string, unknown> = { at: new Date(now()).toISOString(), level, message: secrets.maskValue(message) };
      const safeFields = secrets.maskValue(fields ?? {}) as Record<string, unknown>;
      // A field never overwrites the line's own time, level or message.
      for (const [key, value] of Object.entries(safeFields)) record[key in record ? `field.${key}` : key] = value;
      const line = JSON.stringify(record);
      if (failing) {
        const lost = failing;
        // Say in the log itself what was lost, once writes work again.
        if (!append(JSON.stringify({ at: new Date(now()).toISOString(), level: 'warn', message: 'app log writes resumed', droppedLines: lost.dropped, failingSince: lost.since, error: lost.error }))) return;
        failing = undefined;
      }
      append(line);
      if (options.echo && level !== 'debug') safely(() => process.stderr.write(line + '\n'));
    } catch {
      // Logging must never take the caller down; a value that cannot be serialised is dropped.
      linesDropped++;
    }
  };

  return {
    file: file.path,
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    addSecret: (value, scope = 'app') => secrets.add(scope, [value]),
    forgetSecrets: (scope) => secrets.forget(scope),
    mask: <T>(value: T) => secrets.maskValue(value, { bounded: false }) as T,
    configure: (limits) => file.setLimits(limits),
    onWriteFailure: (listener) => void failureListeners.push(listener),
    metrics: () => ({
      name: 'App log',
      rows: [
        {
          file: file.path,
          bytes: file.size,
          maxBytes: file.limits.maxBytes,
          keepFiles: file.limits.keepFiles,
          rotations: file.rotations,
          linesWritten,
          linesDropped,
          writeFailures: failures,
          failing: failing !== undefined,
          lastError,
          // How many secret values the log masks now: host passwords plus running jobs' secrets.
          maskedSecrets: secrets.size,
        },
      ],
    }),
  };
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC') return 'ENOSPC: the disk is full';
  if (e?.code === 'EDQUOT') return 'EDQUOT: the disk quota is exhausted';
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return `${e.code}: permission denied`;
  return e?.code ? `${e.code}: ${e.message}` : String(e?.message ?? error);
}

function safely(action: () => unknown): void {
  try {
    action();
  } catch {
    // stderr closed, or a listener failed: the log has nowhere else to report it.
  }
}
