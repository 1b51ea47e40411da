/**
 * Real PowerShell for the lab: the pieces shared by every host of one lab run — the pwsh binary,
 * the loopback channel to the host model, the compiled Hyper-V types and a work folder with one
 * folder per host (its drives and its module path). `startRealPowerShell` prepares them once;
 * `runRealPowerShell` (launcher.ts) starts one pwsh process per WinRS command with them.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findPowerShell } from '../../support/prereqs';
import type { SimHost } from '../host';
import { startLabRpcServer, type LabRpcServer } from './rpc-server';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
export const LAB_MODULES_DIR = join(HERE, 'modules');
export const LAB_BOOTSTRAP = join(HERE, 'bootstrap.ps1');
const TYPES_SOURCE = join(HERE, 'types', 'HyperV.cs');
/** Drive letters every lab host has; the model's VM folders live on C: and D:. */
export const LAB_DRIVES = ['C', 'D'] as const;
/** Modules a Hyper-V host has installed; a host may lack Hyper-V (see hyperVSimKnobs). */
const HOST_MODULES = ['Hyper-V', 'FailoverClusters'] as const;
const WITHOUT_HYPERV = HOST_MODULES.filter((name) => name !== 'Hyper-V');

export interface RealPowerShell {
  pwsh: string;
  rpc: LabRpcServer;
  typesDll: string;
  workRoot: string;
  /** The folder of one host: its drives are the folders under it. */
  hostRoot(host: SimHost): string;
  /** PSModulePath of a host with, or without, the Hyper-V module installed. */
  modulePath(withHyperV: boolean): string;
  close(): Promise<void>;
}

/** Environment for pwsh: only what it needs, never the test process's own variables. */
export function basePwshEnvironment(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'DOTNET_ROOT', 'LANG', 'TMPDIR'];
  const env: Record<string, string> = {};
  for (const name of keep) if (process.env[name]) env[name] = process.env[name]!;
  // DOTNET_TieredPGO=0: .NET's profile-guided re-JIT pays off in long-lived processes only; a lab
  // command's pwsh lives a second or two, and without it each one burns ~25% less CPU (measured on
  // 2 cores: 1.75 → 1.29 s per start of a short script). Start-Job children inherit it.
  return { ...env, POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off', DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1', NO_COLOR: '1', DOTNET_TieredPGO: '0' };
}

/**
 * Compiles the simulated Hyper-V types once per source text (cached in the OS temp folder by hash,
 * written under a temporary name and renamed, so parallel test files never load a half file).
 */
async function compileTypes(pwsh: string): Promise<string> {
  const source = readFileSync(TYPES_SOURCE, 'utf8');
  const digest = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dll = join(tmpdir(), `aetherv-lab-hyperv-${digest}.dll`);
  if (existsSync(dll)) return dll;
  const partial = `${dll}.${process.pid}.partial`;
  const script = 'Add-Type -TypeDefinition ([IO.File]::ReadAllText($env:AETHERV_SOURCE)) -OutputAssembly $env:AETHERV_OUTPUT -OutputType Library';
  await run(pwsh, ['-NoProfile', '-NonInteractive', '-Command', script], {
    env: { ...basePwshEnvironment(), AETHERV_SOURCE: TYPES_SOURCE, AETHERV_OUTPUT: partial },
    timeout: 120_000,
  });
  renameSync(partial, dll);
  return dll;
}

export async function startRealPowerShell(resolveHost: (name: string) => SimHost | undefined): Promise<RealPowerShell> {
  const pwsh = findPowerShell();
  const typesDll = await compileTypes(pwsh);
  const rpc = await startLabRpcServer(resolveHost);
  const workRoot = mkdtempSync(join(tmpdir(), 'aetherv-lab-'));
  const hostRoot = (host: SimHost) => join(workRoot, host.name.toLowerCase());
  // Two fixed module folders, made once: a command picks one by the host's knob, so nothing on
  // disk changes under a pwsh process that is still autoloading from it.
  const installed = (name: string, modules: readonly string[]) => {
    const dir = join(workRoot, name);
    mkdirSync(dir, { recursive: true });
    for (const moduleName of modules) symlinkSync(join(LAB_MODULES_DIR, moduleName), join(dir, moduleName), 'dir');
    return dir;
  };
  const withHyperV = installed('modules-hyperv', HOST_MODULES);
  const withoutHyperV = installed('modules-no-hyperv', WITHOUT_HYPERV);
  return {
    pwsh,
    rpc,
    typesDll,
    workRoot,
    hostRoot,
    modulePath: (hyperV) => (hyperV ? withHyperV : withoutHyperV),
    async close() {
      await rpc.close();
      rmSync(workRoot, { recursive: true, force: true });
    },
  };
}
