/**
 * Rig for the real Windows guest agent (agent/guest/windows/AetherV-Guest.ps1) run in real
 * PowerShell with its seam filled by seam.ps1: a temp "guest" with a registry folder (two JSON
 * files the KVP registry bridge maps to the host's items), a state folder, a copy of the
 * provisioning media (the agent folder plus the version file the ISO builder stamps) and a
 * command log standing in for the cmdlets that would change this machine.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGuestProcess, type AgentRun } from '../support/guest-process';
import { findPowerShell } from '../support/prereqs';
import { allFiles } from '../support/temp';

export const AGENT_SOURCE_DIR = fileURLToPath(new URL('../../agent/guest/windows/', import.meta.url));
export const AGENT_VERSION = readFileSync(fileURLToPath(new URL('../../agent/version', import.meta.url)), 'utf8').trim();
export const SEAM_SCRIPT = fileURLToPath(new URL('./seam.ps1', import.meta.url));

export interface RecordedCommand {
  command: string;
  parameters: Record<string, unknown>;
}

export interface WindowsGuest {
  root: string;
  registryDir: string;
  stateDir: string;
  mediaDir: string;
  commandLog: string;
  env: NodeJS.ProcessEnv;
  commands(): RecordedCommand[];
  cleanup(): void;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** `secrets` are the values the seam may see as SecureStrings: it records only their index here. */
export function makeWindowsGuest(options: { version?: string; secrets?: string[]; env?: Record<string, string> } = {}): WindowsGuest {
  const root = mkdtempSync(join(tmpdir(), 'aetherv-winguest-'));
  const dirs = { registryDir: join(root, 'registry'), stateDir: join(root, 'state'), mediaDir: join(root, 'media') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  cpSync(AGENT_SOURCE_DIR, dirs.mediaDir, { recursive: true });
  writeFileSync(join(dirs.mediaDir, 'aetherv-version'), `${options.version ?? AGENT_VERSION}\n`);
  const commandLog = join(root, 'commands.jsonl');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AETHERV_GUEST_SEAM: SEAM_SCRIPT,
    AETHERV_TEST_REGISTRY_DIR: dirs.registryDir,
    AETHERV_TEST_COMMAND_LOG: commandLog,
    AETHERV_TEST_EXPECTED_SECRETS: (options.secrets ?? []).map(sha256).join(','),
    AETHERV_STATE_DIR: dirs.stateDir,
    AETHERV_MEDIA_DIR: dirs.mediaDir,
    AETHERV_POLL_SECONDS: '0.2',
    AETHERV_HOST_TIMEOUT: '40',
    AETHERV_DATA_TIMEOUT: '40',
    AETHERV_RETRY_SECONDS: '0.2',
    DOTNET_TieredPGO: '0', // less CPU per short-lived pwsh, as in the lab (test/lab/pwsh/runtime.ts)
    ...options.env,
  };
  return {
    root,
    ...dirs,
    commandLog,
    env,
    commands: () => {
      try {
        return readFileSync(commandLog, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as RecordedCommand);
      } catch {
        return [];
      }
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export type { AgentRun };

/** Runs the agent (by default the media's copy) as the scheduled task would; killed after `timeoutMs`. */
export function runWindowsAgent(guest: WindowsGuest, timeoutMs = 60_000, script = join(guest.mediaDir, 'AetherV-Guest.ps1'), onStart?: (child: ChildProcess) => void): Promise<AgentRun> {
  return runGuestProcess(findPowerShell(), ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', script], { env: guest.env, timeoutMs, onStart });
}

/** Files under the guest's temp folder (and the extra texts) that contain any of the secrets. */
export function secretLeaks(guest: WindowsGuest, secrets: string[], texts: Record<string, string> = {}): string[] {
  const leaks: string[] = [];
  const needles = secrets.filter(Boolean);
  for (const { file, bytes: body } of allFiles(guest.root)) {
    for (const needle of needles) {
      // UTF-8 and UTF-16LE (what .NET and the registry would write).
      if (body.includes(Buffer.from(needle, 'utf8')) || body.includes(Buffer.from(needle, 'utf16le'))) leaks.push(`${file}: ${needle.slice(0, 6)}…`);
    }
  }
  for (const [name, body] of Object.entries(texts)) {
    for (const needle of needles) if (body.includes(needle)) leaks.push(`${name}: ${needle.slice(0, 6)}…`);
  }
  return leaks;
}
