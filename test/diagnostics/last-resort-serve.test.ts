import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { DEFAULT_SETTINGS, type AppHealth, type AppInfo } from '../../src/shared/contract';
import { startCli, type RunningCli } from '../support/cli';
import { tempDir } from '../support/temp';
import { wsCall } from '../support/ws-call';

const temp = tempDir();
let cli: RunningCli | undefined;
afterAll(async () => {
  await cli?.stop();
  temp.cleanup();
});

test('`aether-v serve` survives an uncaught error and an unhandled rejection, shows both in Diagnostics, and keeps answering', async () => {
  const settings = { ...DEFAULT_SETTINGS, artifactServer: { bindAddress: '127.0.0.1', port: 0, advertisedBaseUrl: '' } };
  writeFileSync(path.join(temp.dir, 'settings.json'), JSON.stringify({ schemaVersion: 1, settings, hosts: [] }));
  cli = startCli(['serve', '--data-dir', temp.dir], { AETHERV_INJECT_FAULTS: 'uncaught,rejection' });
  const url = await cli.pageUrl();

  const deadline = Date.now() + 30_000;
  let health: AppHealth | undefined;
  while (Date.now() < deadline) {
    const result = await wsCall(url, 'app.health', {});
    expect(result.ok, JSON.stringify(result.error)).toBe(true);
    health = result.data as AppHealth;
    if ((health.faults ?? []).length >= 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const faults = health?.faults ?? [];
  expect(faults.map((f) => f.kind).sort()).toEqual(['uncaught-exception', 'unhandled-rejection']);
  expect(faults.find((f) => f.kind === 'uncaught-exception')!.message).toContain('injected test fault');
  expect(faults.find((f) => f.kind === 'unhandled-rejection')!.message).toContain('injected test rejection');

  // The process is alive and every service still answers after the faults.
  expect(cli.child.exitCode).toBeNull();
  const info = await wsCall(url, 'app.info', {});
  expect(info.ok).toBe(true);
  expect((info.data as AppInfo).runtime).toBe('browser');
  const jobs = await wsCall(url, 'jobs.list', {});
  expect(jobs.ok, JSON.stringify(jobs.error)).toBe(true);
  // …and the log says what happened, with the stack.
  expect(cli.stderr() + cli.stdout()).toMatch(/uncaught error \(the app keeps running; see Diagnostics\)/);
}, 90_000);
