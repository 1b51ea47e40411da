/**
 * Where the tests find what scripts/test-prereqs.mjs (run by `npm test`) found or installed.
 * A missing prerequisite is an error naming what to install, never a skipped test.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function recordedPwsh(file: string): string | undefined {
  try {
    const recorded = (JSON.parse(readFileSync(file, 'utf8')) as { pwsh?: unknown }).pwsh;
    return typeof recorded === 'string' && isExecutable(recorded) ? recorded : undefined;
  } catch {
    return undefined; // not written yet or unreadable: look further.
  }
}

function pwshOnPath(env: NodeJS.ProcessEnv): string | undefined {
  const extensions = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE').split(';')] : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const file = resolve(dir, 'pwsh' + ext.toLowerCase());
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
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
    pwshOnPath(env) ??
    (isExecutable(tool) ? tool : undefined);
  if (found) return found;
  throw new Error(
    'PowerShell is required for these tests and was not found: run `npm test` (its prerequisite step installs it) or ' +
      '`dotnet tool install --global PowerShell --version 7.6.10`, or put pwsh on PATH',
  );
}
