/**
 * The browser-mode app as end-to-end tests start it: `aether-v serve` on a fresh data dir whose
 * settings put the artifact server on a free loopback port (so test files never clash), then the
 * given lab hosts added through the contract, the way the Settings page adds them.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../src/shared/contract';
import { labHostInput, type LabHostInfo } from '../lab';
import { startCli, type RunningCli } from './cli';
import { wsCall } from './ws-call';

export interface ServedApp {
  cli: RunningCli;
  url: string;
}

export async function serveApp(dataDir: string, options: { hosts?: LabHostInfo[]; settings?: Partial<Settings> } = {}): Promise<ServedApp> {
  const settings = { ...DEFAULT_SETTINGS, artifactServer: { bindAddress: '127.0.0.1', port: 0, advertisedBaseUrl: '' }, ...options.settings };
  writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ schemaVersion: 1, settings, hosts: [] }));
  const cli = startCli(['serve', '--data-dir', dataDir]);
  const url = await cli.pageUrl();
  for (const host of options.hosts ?? []) {
    const added = await wsCall(url, 'hosts.add', labHostInput(host));
    expect(added.ok, JSON.stringify(added.error)).toBe(true);
  }
  return { cli, url };
}
