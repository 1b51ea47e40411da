/**
 * What every benchmark prints beside its figures: the machine it ran on and what it measured from
 * and to, so a figure is never read without its conditions (2 cores shared with the lab is not a
 * workstation with 16).
 */
import os from 'node:os';

export interface RunInfo {
  cores: number;
  cpu: string;
  node: string;
  /** 1-minute load average when the run started: a busy machine makes every figure worse. */
  load_avg: number;
  /** Where the clock or the client sits (e.g. "backend process, bundled, Node 24"). */
  from: string;
  /** What it talks to (e.g. "500 lab hosts in a child process, NTLM-sealed HTTP on 127.0.0.1"). */
  to: string;
}

export function runInfo(measured: { from: string; to: string }): RunInfo {
  return {
    cores: os.availableParallelism?.() ?? os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    load_avg: Math.round(os.loadavg()[0]! * 100) / 100,
    ...measured,
  };
}

/**
 * Ends a benchmark: prints the JSON line and exits non-zero when any part failed, naming each
 * failure on stderr, so a broken part can never pass as a missing figure.
 */
export function finishBench(name: string, figures: Record<string, unknown>, failures: string[]): never {
  for (const failure of failures) process.stderr.write(`[${name}] FAILED: ${failure}\n`);
  process.stdout.write(JSON.stringify({ ...figures, ok: failures.length === 0, failures }) + '\n');
  process.exit(failures.length === 0 ? 0 : 1);
}
