import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findPowerShell, PREREQS_FILE } from './prereqs';
import { tempDir } from './temp';

/** The dotnet global tool's file name. */
const TOOL = process.platform === 'win32' ? 'pwsh.exe' : 'pwsh';

describe('findPowerShell lookup order', () => {
  let temp: ReturnType<typeof tempDir>;
  let explicit: string;
  let recorded: string;
  let prereqsFile: string;
  let pathDir: string;
  let onPath: string;
  let home: string;
  let dotnetTool: string;

  function executable(file: string): string {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, '#!/bin/sh\nexit 0\n');
    chmodSync(file, 0o755);
    return file;
  }

  beforeEach(() => {
    temp = tempDir('aetherv-prereqs-');
    explicit = executable(join(temp.dir, 'explicit', 'pwsh'));
    recorded = executable(join(temp.dir, 'recorded', 'pwsh'));
    prereqsFile = join(temp.dir, 'prereqs.json');
    writeFileSync(prereqsFile, JSON.stringify({ pwsh: recorded, pwshVersion: '7.6.10' }));
    pathDir = join(temp.dir, 'bin');
    onPath = executable(join(pathDir, 'pwsh'));
    home = join(temp.dir, 'home');
    dotnetTool = executable(join(home, '.dotnet', 'tools', TOOL));
  });
  afterEach(() => temp.cleanup());

  const lookup = (env: NodeJS.ProcessEnv, file = prereqsFile) =>
    findPowerShell({ env, prereqsFile: file, home });

  it('AETHERV_PWSH comes first', () => {
    expect(lookup({ AETHERV_PWSH: explicit, PATH: pathDir })).toBe(explicit);
  });

  it('an AETHERV_PWSH that is not executable is an error, not a fallback', () => {
    const wrong = join(temp.dir, 'nope', 'pwsh');
    expect(() => lookup({ AETHERV_PWSH: wrong, PATH: pathDir })).toThrow(`AETHERV_PWSH is set to ${wrong}`);
  });

  it('then the pwsh recorded by scripts/test-prereqs.mjs', () => {
    expect(lookup({ PATH: pathDir })).toBe(recorded);
  });

  it('a recorded pwsh that no longer exists, or an unreadable record, is passed over', () => {
    writeFileSync(prereqsFile, JSON.stringify({ pwsh: join(temp.dir, 'gone', 'pwsh') }));
    expect(lookup({ PATH: pathDir })).toBe(onPath);
    writeFileSync(prereqsFile, '{ not json');
    expect(lookup({ PATH: pathDir })).toBe(onPath);
    expect(lookup({ PATH: pathDir }, join(temp.dir, 'missing.json'))).toBe(onPath);
  });

  it('then pwsh on PATH, skipping folders without it and files that are not executable', () => {
    const noExec = join(temp.dir, 'noexec');
    mkdirSync(noExec);
    writeFileSync(join(noExec, 'pwsh'), '');
    const empty = join(temp.dir, 'empty');
    mkdirSync(empty);
    const missing = join(temp.dir, 'missing.json');
    expect(lookup({ PATH: [empty, noExec, pathDir].join(delimiter) }, missing)).toBe(onPath);
  });

  it('then ~/.dotnet/tools/pwsh (under DOTNET_CLI_HOME when that is set)', () => {
    const missing = join(temp.dir, 'missing.json');
    expect(lookup({ PATH: join(temp.dir, 'empty') }, missing)).toBe(dotnetTool);
    const cliHome = join(temp.dir, 'cli-home');
    const cliTool = executable(join(cliHome, '.dotnet', 'tools', TOOL));
    expect(lookup({ PATH: '', DOTNET_CLI_HOME: cliHome }, missing)).toBe(cliTool);
  });

  it('finding none throws one line naming what to install', () => {
    const missing = join(temp.dir, 'missing.json');
    const error = (() => {
      try {
        findPowerShell({ env: { PATH: '' }, prereqsFile: missing, home: join(temp.dir, 'empty-home') });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).not.toContain('\n');
    expect(error!.message).toContain('dotnet tool install --global PowerShell --version 7.6.10');
  });

  it('reads the file scripts/test-prereqs.mjs writes', () => {
    expect(PREREQS_FILE.replaceAll('\\', '/')).toMatch(/\/node_modules\/\.cache\/aether-v\/prereqs\.json$/);
  });
});
