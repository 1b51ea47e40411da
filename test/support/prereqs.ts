/**
 * Where the tests find what scripts/test-prereqs.mjs (run by `npm test`) found or installed.
 * A missing prerequisite is an error naming what to install, never a skipped test.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOnPath, isExecutable } from '../../scripts/executables.mjs';

/** Written by scripts/test-prereqs.mjs. */
export const PREREQS_FILE = fileURLToPath(
  new URL('../../node_modules/.cache/aether-v/prereqs.json', import.meta.url),
);

export interface PrereqsLookup {
  /** Defaults to process.env (AETHERV_PWSH, PATH, PATHEXT, DOTNET_CLI_HOME). */
  env?: NodeJS.ProcessEnv;
  /** Defaults to PREREQS_FILE. */
  prereqsFile?: string;
  /** Defaults to the user's home folder. */
  home?: string;
}

function recordedPwsh(file: string): string | undefined {
  try {
    const recorded = (JSON.parse(readFileSync(file, 'utf8')) as { pwsh?: unknown }).pwsh;
    return typeof recorded === 'string' && isExecutable(recorded) ? recorded : undefined;
  } catch {
    return undefined; // not written yet or unreadable: look further.
  }
}

/**
 * The PowerShell the tests run: env AETHERV_PWSH, else the one recorded by test-prereqs.mjs, else
 * pwsh on PATH, else ~/.dotnet/tools/pwsh. Throws a one-line Error naming what to install.
 */
export function findPowerShell(lookup: PrereqsLookup = {}): string {
  const env = lookup.env ?? process.env;
  const explicit = env.AETHERV_PWSH;
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new Error(`AETHERV_PWSH is set to ${explicit}, which is not an executable file`);
  }
  const tool = join(
    env.DOTNET_CLI_HOME || lookup.home || homedir(),
    '.dotnet',
    'tools',
    process.platform === 'win32' ? 'pwsh.exe' : 'pwsh',
  );
  const found =
    recordedPwsh(lookup.prereqsFile ?? PREREQS_FILE) ??
    findOnPath('pwsh', env) ??
    (isExecutable(tool) ? tool : undefined);
  if (found) return found;
  throw new Error(
    'PowerShell is required for these tests and was not found: run `npm test` (its prerequisite step installs it) or ' +
      '`dotnet tool install --global PowerShell --version 7.6.10`, or put pwsh on PATH',
  );
}
