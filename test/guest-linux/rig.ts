/**
 * Rig for the real Linux guest agent (agent/guest/linux/aetherv-guest.sh): a temp "guest" with its
 * own KVP pool folder, state and run folders, a target root holding a skeleton /etc, a copy of the
 * provisioning media (the agent folder plus the version file the ISO builder stamps), and a dry-run
 * log standing in for commands that would change this machine (hostnamectl, useradd, netplan …).
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGuestProcess, type AgentRun } from '../support/guest-process';
import { allFiles } from '../support/temp';

export const AGENT_SOURCE_DIR = fileURLToPath(new URL('../../agent/guest/linux/', import.meta.url));
export const AGENT_VERSION = readFileSync(fileURLToPath(new URL('../../agent/version', import.meta.url)), 'utf8').trim();

export type NetworkSystem = 'netplan' | 'networkmanager' | 'ifupdown';

export interface Guest {
  root: string;
  poolDir: string;
  stateDir: string;
  runDir: string;
  targetRoot: string;
  mediaDir: string;
  dryRunLog: string;
  env: NodeJS.ProcessEnv;
  /** What the dry run recorded, one command per line. */
  commands(): string[];
  cleanup(): void;
}

export function makeGuest(options: { network?: NetworkSystem; version?: string; env?: Record<string, string> } = {}): Guest {
  const root = mkdtempSync(join(tmpdir(), 'aetherv-guest-'));
  const dirs = { poolDir: join(root, 'pool'), stateDir: join(root, 'state'), runDir: join(root, 'run'), targetRoot: join(root, 'target'), mediaDir: join(root, 'media') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  cpSync(AGENT_SOURCE_DIR, dirs.mediaDir, { recursive: true });
  writeFileSync(join(dirs.mediaDir, 'aetherv-version'), `${options.version ?? AGENT_VERSION}\n`);
  const etc = join(dirs.targetRoot, 'etc');
  mkdirSync(etc, { recursive: true });
  writeFileSync(join(etc, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\nbackup:x:34:34:backup:/var/backups:/usr/sbin/nologin\n');
  writeFileSync(join(etc, 'group'), 'root:x:0:\nsudo:x:27:\n');
  writeFileSync(join(etc, 'hosts'), '127.0.0.1\tlocalhost\n127.0.1.1\ttemplate\n');
  const network = options.network ?? 'netplan';
  if (network === 'netplan') mkdirSync(join(etc, 'netplan'), { recursive: true });
  if (network === 'networkmanager') mkdirSync(join(etc, 'NetworkManager', 'system-connections'), { recursive: true });
  if (network === 'ifupdown') {
    mkdirSync(join(etc, 'network'), { recursive: true });
    writeFileSync(join(etc, 'network', 'interfaces'), 'auto lo\niface lo inet loopback\n\nallow-hotplug eth0\niface eth0 inet dhcp\n');
  }
  const dryRunLog = join(root, 'dry-run.log');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: root,
    AETHERV_KVP_POOL_DIR: dirs.poolDir,
    AETHERV_STATE_DIR: dirs.stateDir,
    AETHERV_RUN_DIR: dirs.runDir,
    AETHERV_TARGET_ROOT: dirs.targetRoot,
    AETHERV_MEDIA_DIR: dirs.mediaDir,
    AETHERV_DRY_RUN_LOG: dryRunLog,
    AETHERV_REQUIRE_KVP_DAEMON: '0',
    AETHERV_NET_INTERFACE: 'eth0',
    AETHERV_POLL_SECONDS: '0.2',
    AETHERV_HOST_TIMEOUT: '40',
    AETHERV_DATA_TIMEOUT: '40',
    AETHERV_RETRY_SECONDS: '0.2',
    ...options.env,
  };
  return {
    root,
    ...dirs,
    dryRunLog,
    env,
    commands: () => {
      try {
        return readFileSync(dryRunLog, 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export type { AgentRun };

/** Runs the agent (by default the media copy) as the service would; its process group is killed after `timeoutMs`. */
export function runAgent(guest: Guest, timeoutMs = 60_000, script = join(guest.mediaDir, 'aetherv-guest.sh'), onStart?: (child: ChildProcess) => void): Promise<AgentRun> {
  // Its own process group, so a timeout ends the agent and every command it started.
  return runGuestProcess('bash', [script], { env: guest.env, timeoutMs, ownGroup: true, onStart });
}

/** Files under the guest's temp folders (and the extra texts) that contain any of the secrets. */
export function secretLeaks(guest: Guest, secrets: string[], texts: Record<string, string> = {}): string[] {
  const leaks: string[] = [];
  const needles = [...secrets.filter(Boolean).map((s) => Buffer.from(s, 'utf8')), Buffer.from('PRIVATE KEY')];
  for (const { file, bytes: body } of allFiles(guest.root)) {
    for (const needle of needles) if (body.includes(needle)) leaks.push(`${file}: ${needle.toString('utf8').slice(0, 12)}…`);
  }
  for (const [name, body] of Object.entries(texts)) {
    for (const needle of needles) if (body.includes(needle.toString('utf8'))) leaks.push(`${name}: ${needle.toString('utf8').slice(0, 12)}…`);
  }
  return leaks;
}

export const modeOf = (path: string) => statSync(path).mode & 0o777;
