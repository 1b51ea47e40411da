/** One CLI sub-command. Each lives in src/cli/commands/<name>.ts and exports `command`. */
export interface CliCommand {
  name: string;
  /** One line shown by `aether-v --help`. */
  summary: string;
  /** Full text shown by `aether-v <name> --help`. */
  help: string;
  /** Returns the process exit code. */
  run(args: string[]): Promise<number>;
}

/** A usage mistake: printed as one line plus a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
