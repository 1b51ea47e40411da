/**
 * Every command the CLI dispatcher knows answers `--help` with its usage on stdout and exit 0, as a
 * real process; the command list is read from src/cli/main.ts so a new command cannot skip this.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../support/cli';

const mainSource = readFileSync(path.join(repoRoot, 'src/cli/main.ts'), 'utf8');
const declared = [...mainSource.matchAll(/^\s+([a-z][\w-]*): \{ summary: /gm)].map((m) => m[1]);

describe('aether-v --help', () => {
  it('lists every command declared in src/cli/main.ts', async () => {
    expect(declared).toEqual(expect.arrayContaining(['serve', 'demo', 'lab', 'exec', 'ps']));
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: aether-v <command> \[options\]/);
    for (const name of declared) expect(run.stdout).toMatch(new RegExp(`^  ${name}\\s+\\S`, 'm'));
  });

  it.each(declared)('aether-v %s --help prints its usage and exits 0', async (name) => {
    const run = await runCli([name, '--help']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: aether-v ${name}\\b`));
  });

  it('exec and ps document every connection option', async () => {
    for (const name of ['exec', 'ps']) {
      const run = await runCli([name, '--help']);
      for (const flag of ['--auth', '--user', '--password-env', '--ca', '--fingerprint', '--allow-unencrypted-basic']) expect(run.stdout).toContain(flag);
    }
  });

  it('an unknown command exits 2 with the usage on stderr', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^aether-v: unknown command "frobnicate"/);
  });
});
