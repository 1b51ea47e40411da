import { UsageError } from './command';

export interface ParsedArgs {
  flags: Map<string, string | true>;
  positionals: string[];
  /** Everything after a bare `--`. */
  rest: string[];
}

/**
 * Minimal `--name value` / `--name=value` / `--flag` parser. `valueFlags` lists the options that
 * take a value; anything not declared is a usage error, so typos never pass silently.
 */
export function parseArgs(args: string[], spec: { valueFlags?: string[]; booleanFlags?: string[] }): ParsedArgs {
  const values = new Set(spec.valueFlags ?? []);
  const booleans = new Set(spec.booleanFlags ?? []);
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return { flags, positionals, rest: args.slice(i + 1) };
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (values.has(name)) {
      const value = inline ?? args[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else if (booleans.has(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { flags, positionals, rest: [] };
}

export function intFlag(parsed: ParsedArgs, name: string, fallback: number, min: number, max: number): number {
  const raw = parsed.flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw === true || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got ${String(raw)})`);
  }
  return value;
}
