/**
 * One fuzz target: a parser or a boundary fed generated inputs. `npm run fuzz` (bench/fuzz.ts) runs
 * every target in test/fuzz/targets/*.ts a million times; test/fuzz/fuzz.test.ts runs the same
 * targets with a small count inside `npm test`.
 *
 * A target's `run` must return normally for every input the code under test handles as designed,
 * including a clean refusal (the module's own error class with a message for a person). It throws
 * only for a crash: an unexpected error type (TypeError, RangeError, stack overflow…), a hang, or a
 * broken invariant the target checks. The runner times every input; one slower than 100 ms fails.
 */
export interface FuzzTarget {
  /** Short, stable name printed in the report, e.g. "soap-fault" or "ws-server". */
  readonly name: string;
  /** Called once before the first input (start a server, compile validators…). */
  setup?(): Promise<void> | void;
  /** Called once after the last input. */
  teardown?(): Promise<void> | void;
  /** One input from the seeded generator; mix valid, mutated-valid and random shapes. */
  generate(rng: Rng): unknown;
  /** Feeds one input to the code under test; throws only on a crash (see above). */
  run(input: unknown): Promise<void> | void;
  /** How to print an input in the report (the slowest or crashing one); defaults to JSON, cut short. */
  describe?(input: unknown): string;
}

/** A seeded pseudo-random source, so a reported crash can be replayed from its seed and index. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, max). */
  int(max: number): number;
  /** n random bytes. */
  bytes(n: number): Uint8Array;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** true with probability p. */
  chance(p: number): boolean;
}
