import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadTargets, runFuzz } from './runner';
import { tempDir } from '../support/temp';

/**
 * `npm test`'s share of `npm run fuzz`: the same runner and every target in test/fuzz/targets, a
 * thousand inputs each instead of a million, with a fixed seed so a failure here replays with
 * `npm run fuzz -- --seed 12 --target NAME --index I`. Input times are the benchmark's business
 * (npm run fuzz fails on any input over 100 ms); here only crashes count.
 */
const SEED = 12;
const COUNT = 1_000;

describe('fuzz targets (small count)', () => {
  test('every target runs its inputs without a crash', async () => {
    const { loaded, failures } = await loadTargets();
    expect(failures).toEqual([]);
    const names = loaded.map((l) => l.target.name);
    expect(names).toEqual(expect.arrayContaining(['contract-requests', 'job-input', 'ws-server']));
    const report = await runFuzz({ count: COUNT, seed: SEED });
    expect(report.crashes).toEqual([]);
    for (const name of names) expect(report.targets[name], name).toMatchObject({ inputs: COUNT, crashes: 0 });
  }, 120_000);
});

describe('fuzz runner', () => {
  const dir = tempDir('aetherv-fuzz-runner-');
  afterAll(() => dir.cleanup());
  // A target that crashes on one input in about fifty and is slow on another.
  writeFileSync(
    path.join(dir.dir, 'brittle.ts'),
    `export const note = 'a test target';
export const target = {
  name: 'brittle',
  generate: (rng) => ({ n: rng.int(50), text: 'x'.repeat(rng.int(300)) }),
  run(input) {
    if (input.n === 7) throw new TypeError('seven');
    if (input.n === 8) { const end = performance.now() + 120; while (performance.now() < end); }
  },
};
`,
  );

  test('reports each crash with seed, index and input, a replay of that index crashes again, and slow inputs fail the run', async () => {
    const report = await runFuzz({ count: 400, seed: 99, targetsDir: dir.dir });
    expect(report.ok).toBe(false);
    expect(report.targets.brittle).toMatchObject({ inputs: 400, note: 'a test target' });
    const crash = report.crashes[0]!;
    expect(crash).toMatchObject({ target: 'brittle', seed: 99, error: 'TypeError: seven' });
    expect(crash.input).toMatch(/^\{"n":7,"text":"x*(…\(\d+ chars\))?"\}$/);
    expect(report.targets.brittle!.crashes).toBeGreaterThan(1);
    expect(report.slow.length).toBeGreaterThan(0);
    expect(report.slowest!.ms).toBeGreaterThan(100);
    expect(report.slowest!.input).toMatch(/^\{"n":8,/);

    const replay = await runFuzz({ count: 400, seed: 99, index: crash.index, targetsDir: dir.dir });
    expect(replay.crashes).toEqual([expect.objectContaining({ index: crash.index, input: crash.input })]);
    expect(replay.targets.brittle!.inputs).toBe(1);
  }, 60_000);

  test('a target module that does not load is reported as a crash of that file, and the others still run', async () => {
    const broken = tempDir('aetherv-fuzz-broken-');
    writeFileSync(path.join(broken.dir, 'a-broken.ts'), "import { missing } from 'node:path';\nexport const target = missing;\n");
    writeFileSync(path.join(broken.dir, 'b-fine.ts'), "export const target = { name: 'fine', generate: (rng) => rng.int(3), run() {} };\n");
    try {
      const report = await runFuzz({ count: 10, seed: 1, targetsDir: broken.dir });
      expect(report.ok).toBe(false);
      expect(report.crashes).toEqual([expect.objectContaining({ target: 'a-broken.ts', index: -1 })]);
      expect(report.targets.fine).toMatchObject({ inputs: 10, crashes: 0 });
    } finally {
      broken.cleanup();
    }
  });

  test('an unknown target name is refused with the names that exist', async () => {
    await expect(runFuzz({ count: 1, seed: 1, only: ['nope'], targetsDir: dir.dir })).rejects.toThrow('no fuzz target named nope; known: brittle');
  });
});
