/**
 * npm run fuzz — every fuzz target in test/fuzz/targets/*.ts, a million generated inputs each.
 *
 *   npm run fuzz -- [--count N] [--target NAME[,NAME…]] [--seed S] [--index I]
 *
 * Prints ONE JSON line on stdout (inputs per target, crashes with seed and index, slowest input per
 * target and overall); progress goes to stderr. Exits 1 on any crash or any input slower than
 * 100 ms. The default seed changes every run (it is in the report); `--seed S --target T --index I`
 * replays exactly one reported input.
 */
import { runFuzz } from '../test/fuzz/runner';

const USAGE = 'usage: npm run fuzz -- [--count N] [--target NAME[,NAME…]] [--seed S] [--index I]';

function parse(argv: string[]): { count: number; seed: number; only?: string[]; index?: number } {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (!['--count', '--target', '--seed', '--index'].includes(flag) || value === undefined) throw new Error(`unknown or incomplete option ${flag}\n${USAGE}`);
    flags.set(flag.slice(2), value);
    i++;
  }
  const whole = (name: string, fallback: number, max = Number.MAX_SAFE_INTEGER) => {
    const text = flags.get(name);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new Error(`--${name} must be a whole number from 0 to ${max}, not "${text}"\n${USAGE}`);
    return n;
  };
  return {
    count: whole('count', 1_000_000),
    seed: whole('seed', Date.now() % 0xffffffff, 0xffffffff),
    ...(flags.has('target') ? { only: flags.get('target')!.split(',').filter(Boolean) } : {}),
    ...(flags.has('index') ? { index: whole('index', 0) } : {}),
  };
}

let options: ReturnType<typeof parse>;
try {
  options = parse(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
const report = await runFuzz({ ...options, progress: (line) => process.stderr.write(line + '\n') });
process.stdout.write(JSON.stringify(report) + '\n');
// Servers some targets start may keep handles; the verdict is in, so leave now.
process.exit(report.ok ? 0 : 1);
