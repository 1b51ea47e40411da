import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FuzzTarget } from './fuzz-target';
import { inputRng } from './rng';

/**
 * The fuzz runner shared by `npm run fuzz` (bench/fuzz.ts, a million inputs per target) and
 * test/fuzz/fuzz.test.ts (a few thousand): loads every test/fuzz/targets/*.ts, feeds each target
 * inputs from a seeded generator, times every input and collects crashes and the slowest inputs.
 */

export const TARGETS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'targets');
/** An input slower than this fails the run (issue 12: no input slower than 100 ms). */
export const SLOW_INPUT_MS = 100;
/** A run that has not settled by then is reported as a hang (and the target moves on). */
const HANG_MS = 10_000;
const MAX_CRASHES_KEPT = 10; // per target; all are counted
/** An input that would become the slowest and took longer than this is timed again. */
const RETIME_OVER_MS = 10;
const DESCRIPTION_CHARS = 200;

export interface LoadedTarget {
  file: string;
  target: FuzzTarget;
  /** A module may export `note`: how its inputs differ from one call each (e.g. batched frames). */
  note?: string;
}

export interface InputRecord {
  target: string;
  seed: number;
  index: number;
  /** A short description of the input (the target's describe(), or JSON cut short). */
  input: string;
  ms: number;
}

export interface CrashRecord extends InputRecord {
  error: string;
  /** The innermost stack frame in this project, where the fault surfaced. */
  at?: string;
}

export interface TargetReport {
  inputs: number;
  crashes: number;
  slowInputs: number;
  slowest: { ms: number; index: number; input: string } | null;
  seconds: number;
  inputsPerSecond: number;
  note?: string;
}

export interface FuzzReport {
  seed: number;
  countPerTarget: number;
  targets: Record<string, TargetReport>;
  crashes: CrashRecord[];
  /** Inputs over SLOW_INPUT_MS (the first few per target). */
  slow: InputRecord[];
  slowest: InputRecord | null;
  ok: boolean;
}

export interface FuzzOptions {
  count: number;
  seed: number;
  /** Only these target names (default: all). */
  only?: string[];
  /** Replay a single input (with its seed) instead of `count` inputs. */
  index?: number;
  targetsDir?: string;
  progress?: (line: string) => void;
}

/**
 * Every module in the targets folder, in name order; each must export `target`. A module that
 * fails to load (or exports no target) is returned as a failure, so the run reports it and goes on
 * with the others.
 */
export async function loadTargets(dir = TARGETS_DIR): Promise<{ loaded: LoadedTarget[]; failures: { file: string; error: unknown }[] }> {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .sort();
  const loaded: LoadedTarget[] = [];
  const failures: { file: string; error: unknown }[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    try {
      const module = (await import(pathToFileURL(file).href)) as { target?: FuzzTarget; note?: unknown };
      if (!module.target || typeof module.target.generate !== 'function' || typeof module.target.run !== 'function') {
        throw new Error(`${name} does not export a FuzzTarget named "target"`);
      }
      if (loaded.some((l) => l.target.name === module.target!.name)) throw new Error(`${name}: another target is already named "${module.target.name}"`);
      loaded.push({ file, target: module.target, ...(typeof module.note === 'string' ? { note: module.note } : {}) });
    } catch (error) {
      failures.push({ file: name, error });
    }
  }
  return { loaded, failures };
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const { loaded: all, failures } = await loadTargets(options.targetsDir);
  const unknown = options.only?.filter((name) => !all.some((l) => l.target.name === name)) ?? [];
  if (unknown.length) throw new Error(`no fuzz target named ${unknown.join(', ')}; known: ${all.map((l) => l.target.name).join(', ')}`);
  const chosen = options.only ? all.filter((l) => options.only!.includes(l.target.name)) : all;

  const report: FuzzReport = { seed: options.seed, countPerTarget: options.index === undefined ? options.count : 1, targets: {}, crashes: [], slow: [], slowest: null, ok: true };
  for (const { file, error } of failures) report.crashes.push({ target: file, seed: options.seed, index: -1, input: '(loading the target module)', ms: 0, ...explain(error) });
  for (const loaded of chosen) {
    const result = await runTarget(loaded, options);
    report.targets[loaded.target.name] = result.summary;
    report.crashes.push(...result.crashes);
    report.slow.push(...result.slow);
    if (result.slowest && (!report.slowest || result.slowest.ms > report.slowest.ms)) report.slowest = result.slowest;
  }
  report.ok = report.crashes.length === 0 && report.slow.length === 0;
  return report;
}

async function runTarget({ target, note }: LoadedTarget, options: FuzzOptions) {
  const { seed } = options;
  const crashes: CrashRecord[] = [];
  const slow: InputRecord[] = [];
  let crashCount = 0;
  let slowCount = 0;
  let slowest: InputRecord | null = null;
  let index = -1;
  let input: unknown;
  const describe = (value: unknown) => cut(safely(() => target.describe?.(value)) ?? describeValue(value));
  const crash = (error: unknown, ms: number, at = index) => {
    crashCount++;
    if (crashes.length < MAX_CRASHES_KEPT) crashes.push({ target: target.name, seed, index: at, input: at < 0 ? '(setup or teardown)' : describe(input), ms: round(ms), ...explain(error) });
  };

  // A fault that escapes the run (an 'error' event with no listener, a rejection nobody awaited)
  // is a crash of the input being run, not the end of the fuzzing.
  const escaped = (error: unknown) => crash(error, 0);
  process.on('uncaughtException', escaped);
  process.on('unhandledRejection', escaped);

  /** Runs one input; its time in ms. A crash is recorded once, not again when the input is re-timed. */
  const timed = async (value: unknown, record = true): Promise<number> => {
    const t0 = performance.now();
    try {
      const pending = target.run(value);
      if (pending && typeof (pending as Promise<void>).then === 'function') await withinHangLimit(pending);
    } catch (error) {
      if (record) crash(error, performance.now() - t0);
    }
    return performance.now() - t0;
  };

  const first = options.index ?? 0;
  const end = options.index === undefined ? options.count : options.index + 1;
  const started = performance.now();
  let lastProgress = started;
  try {
    try {
      await target.setup?.();
    } catch (error) {
      crash(error, 0, -1);
      return { summary: summarise(0), crashes, slow, slowest };
    }
    for (index = first; index < end; index++) {
      try {
        input = target.generate(inputRng(seed, target.name, index));
      } catch (error) {
        input = '(the generator failed)';
        crash(error, 0);
        continue;
      }
      let ms = await timed(input);
      // A pause of the machine (garbage collection, another process on the core) is not a slow
      // input: one over the limit, or one that would become the slowest so far, is run again and
      // keeps its best time. So the slowest figure is the input's, not the machine's.
      // (Once a target has shown ten slow inputs the run fails anyway: no more time on re-runs.)
      const worthRetiming = () => (ms > SLOW_INPUT_MS && slowCount < MAX_CRASHES_KEPT) || (ms > RETIME_OVER_MS && ms > (slowest?.ms ?? 0) && ms <= SLOW_INPUT_MS);
      for (let retry = 0; retry < 2 && worthRetiming(); retry++) {
        await new Promise((resolve) => setTimeout(resolve, 50)); // past the pause, if it was one
        input = target.generate(inputRng(seed, target.name, index));
        ms = Math.min(ms, await timed(input, false));
      }
      if (!slowest || ms > slowest.ms) slowest = { target: target.name, seed, index, input: describe(input), ms: round(ms) };
      if (ms > SLOW_INPUT_MS) {
        slowCount++;
        if (slow.length < MAX_CRASHES_KEPT) slow.push({ target: target.name, seed, index, input: describe(input), ms: round(ms) });
      }
      const now = performance.now();
      if (options.progress && now - lastProgress > 2_000) {
        lastProgress = now;
        const done = index - first + 1;
        options.progress(`fuzz ${target.name}: ${done}/${end - first} inputs, ${crashCount} crashes, ${Math.round(done / ((now - started) / 1000))}/s`);
      }
    }
    index = -1;
    try {
      await target.teardown?.();
    } catch (error) {
      crash(error, 0, -1);
    }
  } finally {
    process.off('uncaughtException', escaped);
    process.off('unhandledRejection', escaped);
  }
  return { summary: summarise(end - first), crashes, slow, slowest };

  function summarise(inputs: number): TargetReport {
    const seconds = (performance.now() - started) / 1000;
    return {
      inputs,
      crashes: crashCount,
      slowInputs: slowCount,
      slowest: slowest && { ms: slowest.ms, index: slowest.index, input: slowest.input },
      seconds: round(seconds),
      inputsPerSecond: Math.round(inputs / Math.max(seconds, 1e-3)),
      ...(note ? { note } : {}),
    };
  }
}

async function withinHangLimit(pending: PromiseLike<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: no result within ${HANG_MS / 1000} s`)), HANG_MS);
  });
  try {
    await Promise.race([pending, hang]);
  } finally {
    clearTimeout(timer);
  }
}

function explain(error: unknown): { error: string; at?: string } {
  if (!(error instanceof Error)) return { error: cut(`thrown ${typeof error}: ${safely(() => String(error)) ?? '?'}`) };
  const frames = (error.stack ?? '').split('\n').slice(1);
  const ours = frames.find((line) => line.includes('/src/')) ?? frames.find((line) => !line.includes('node_modules') && !line.includes('node:'));
  return { error: cut(`${error.name}: ${error.message}`, 300), ...(ours ? { at: ours.trim().replace(/^at /, '') } : {}) };
}

/**
 * JSON-like text with long strings, byte arrays and odd values shortened, nesting past 8 levels
 * and output past the description length elided; never throws (deep or cyclic inputs).
 */
export function describeValue(value: unknown): string {
  let out = '';
  const seen = new Set<object>();
  const print = (v: unknown, depth: number): void => {
    if (out.length > DESCRIPTION_CHARS) return;
    if (v === undefined) out += 'undefined';
    else if (typeof v === 'bigint') out += `${v}n`;
    else if (typeof v === 'number') out += Object.is(v, -0) ? '-0' : String(v);
    else if (typeof v === 'string') out += JSON.stringify(v.length > 60 ? `${v.slice(0, 40)}…(${v.length} chars)` : v);
    else if (v === null || typeof v !== 'object') out += String(v);
    else if (v instanceof Uint8Array) out += `<${v.length} bytes ${Buffer.from(v.subarray(0, 24)).toString('hex')}${v.length > 24 ? '…' : ''}>`;
    else if (seen.has(v)) out += '<cycle>';
    else if (depth >= 8) out += Array.isArray(v) ? '[…]' : '{…}';
    else {
      seen.add(v);
      const entries = Array.isArray(v) ? v.map((item, i) => [String(i), item] as const) : Object.entries(v);
      out += Array.isArray(v) ? '[' : v instanceof Map ? 'Map{' : v instanceof Date ? 'Date{' : '{';
      entries.forEach(([key, item], i) => {
        if (i) out += ',';
        if (!Array.isArray(v)) out += `${JSON.stringify(key.length > 40 ? key.slice(0, 40) + '…' : key)}:`;
        print(item, depth + 1);
      });
      out += Array.isArray(v) ? ']' : '}';
      seen.delete(v);
    }
  };
  try {
    print(value, 0);
  } catch {
    out += '<unprintable>';
  }
  return out;
}

function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function cut(text: string, max = DESCRIPTION_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
