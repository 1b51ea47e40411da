import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDeploymentModule, type DeploymentApi } from '../../src/main/deployment';
import { createInventoryModule, type InventoryApi } from '../../src/main/inventory';
import type { AppNotification, HostView } from '../../src/shared/contract';
import type { DeploymentStatus } from '../../src/shared/contract/areas/deployment';
import type { Backend } from '../../src/main/backend';
import { labHostInput, startLab, type Lab } from '../lab';
import { setDeployKnobs } from '../lab/deploy/knobs';
import { startTestBackend } from '../support/backend';
import { tempDir } from '../support/temp';
import { configureHosts } from './support/harness';

// Issue 12 item 1: a workstation that starts before its VPN, a host added while it is down, or a
// deployment that failed on a network hiccup must recover by itself, without a Redeploy click.
// The backoff is the inventory's policy, shortened for the test (same for both services).
const BACKOFF = { baseMs: 300, capMs: 2_500, jitter: 0 };
const VMS_PER_HOST = 3;

describe('hosts that fail at first contact recover by themselves', () => {
  let lab: Lab;
  let app: { backend: Backend; close(): Promise<void> };
  let api: InventoryApi;
  let ids: Map<string, string>;
  const temp = tempDir();
  const notifications: AppNotification[] = [];
  const invoked: string[] = [];

  const invoke = async <T>(command: string, request: unknown = {}): Promise<T> => {
    invoked.push(command);
    const result = await app.backend.invoke(command, request);
    if (!result.ok) throw new Error(`${command}: ${result.error.code}: ${result.error.message}`);
    return result.data as T;
  };
  const idOf = (name: string) => ids.get(name)!;
  const syncOf = (name: string) => api.store.host(idOf(name))?.sync;
  const vmsOf = (name: string) => api.snapshot().vms.filter((v) => v.hostId === idOf(name) && !v.placeholder);
  const deploymentOf = async (name: string) => (await invoke<DeploymentStatus>('deployment.status')).hosts.find((h) => h.hostId === idOf(name));
  const deploymentRow = (name: string) => {
    const group = app.backend.modules.get('deployment')!.metrics!().find((g) => g.name === 'Agent deployment')!;
    return group.rows.find((r) => r.host === name) as { failures: number; nextCheckInS: number | null; state: string };
  };
  const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    lab = await startLab({ hosts: 5, vmsPerHost: VMS_PER_HOST, clusters: 0, seed: 12 });
    // hv01–hv04 are configured before the app starts; hv05 is added later, while it is down.
    ids = await configureHosts(temp.dir, lab.hosts.slice(0, 4));
    // One download attempt per file, so a failed deployment settles quickly.
    const settingsFile = path.join(temp.dir, 'settings.json');
    const doc = JSON.parse(readFileSync(settingsFile, 'utf8')) as { settings: { agent: Record<string, unknown> } };
    doc.settings.agent = { ...doc.settings.agent, downloadAttempts: 1, downloadRetryIntervalS: 1 };
    writeFileSync(settingsFile, JSON.stringify(doc));
    await lab.host('hv02').setKnobs({ unreachable: true });
    await lab.host('hv05').setKnobs({ unreachable: true });
    // hv03's deployment fails on a transient error: the host cannot download from the artifact server.
    setDeployKnobs(lab.host('hv03'), { failDownloads: 100 });
    // hv04 rejects the password: a failure only the admin can fix.
    await lab.host('hv04').setKnobs({ authFailure: true });
    app = await startTestBackend({
      dataDir: temp.dir,
      modules: [
        createDeploymentModule({ backoff: BACKOFF, random: () => 0.5 }),
        createInventoryModule({ backoff: BACKOFF, random: () => 0.5, quickIntervalMs: () => 1_000, fullIntervalMs: () => 60_000 }),
      ],
    });
    app.backend.services.notifications.onNotify((n, isNew) => {
      if (isNew) notifications.push(n);
    });
    api = app.backend.modules.get('inventory')!.api as InventoryApi;
    await until('hv01 refreshed and the others failed at first contact', async () => {
      const status = await invoke<DeploymentStatus>('deployment.status');
      const state = (name: string) => status.hosts.find((h) => h.hostId === idOf(name))?.state;
      return syncOf('hv01')?.state === 'fresh' && state('hv02') === 'unreachable' && state('hv03') === 'failed' && state('hv04') === 'unreachable';
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await lab?.close();
    temp.cleanup();
  });

  test('a host down at start is checked again on the backoff and refreshed once it answers', async () => {
    expect(syncOf('hv02')?.state).toBe('error');
    expect(vmsOf('hv02')).toHaveLength(0);
    expect(app.backend.services.hosts.list().find((h) => h.id === idOf('hv02'))?.status).toBe('unreachable');
    // A caller asking meanwhile (jobs do) gets the recent answer and does not cancel the schedule.
    const deployment = app.backend.modules.get('deployment')!.api as DeploymentApi;
    expect(await deployment.ensureHostReady(idOf('hv02'))).toMatchObject({ state: 'error' });
    // It is checked again by itself: the failures count grows while it is down.
    await until('hv02 checked again twice', () => deploymentRow('hv02').failures >= 3, 15_000);
    expect(deploymentRow('hv02').nextCheckInS).not.toBeNull();

    await lab.host('hv02').setKnobs({ unreachable: false });
    await until('hv02 refreshed', () => syncOf('hv02')?.state === 'fresh' && vmsOf('hv02').length === VMS_PER_HOST, 20_000);
    const row = await deploymentOf('hv02');
    expect(row).toMatchObject({ state: 'ready', deployments: 1, lastError: null });
    expect(app.backend.services.hosts.list().find((h) => h.id === idOf('hv02'))?.status).toBe('connected');
    expect(deploymentRow('hv02')).toMatchObject({ failures: 0, nextCheckInS: null });
    expect(notifications.map((n) => n.title)).toContain('Host hv02 recovered');
  }, 45_000);

  test('a deployment that failed on a transient error is retried and the host refreshed', async () => {
    expect((await deploymentOf('hv03'))?.lastError).toMatch(/file\(s\) failed; first: .*Unable to connect to the remote server/);
    expect(vmsOf('hv03')).toHaveLength(0);
    setDeployKnobs(lab.host('hv03'), { failDownloads: 0 });
    await until('hv03 refreshed', () => syncOf('hv03')?.state === 'fresh' && vmsOf('hv03').length === VMS_PER_HOST, 20_000);
    const row = await deploymentOf('hv03');
    expect(row?.state).toBe('ready');
    // One failed installer run at start, then at least one more by itself, the last one succeeding.
    expect(row!.deployments).toBeGreaterThanOrEqual(2);
  }, 45_000);

  test('a host added while down recovers the same way', async () => {
    const view = await invoke<HostView>('hosts.add', labHostInput(lab.hosts[4]!));
    ids.set('hv05', view.id);
    await until('hv05 found unreachable', async () => (await deploymentOf('hv05'))?.state === 'unreachable', 15_000);
    expect(vmsOf('hv05')).toHaveLength(0);
    await lab.host('hv05').setKnobs({ unreachable: false });
    await until('hv05 refreshed', () => syncOf('hv05')?.state === 'fresh' && vmsOf('hv05').length === VMS_PER_HOST, 20_000);
    expect(await deploymentOf('hv05')).toMatchObject({ state: 'ready', deployments: 1 });
  }, 45_000);

  test('a rejected password is not hammered: checked again only at the backoff cap, and recovers once fixed', async () => {
    expect((await deploymentOf('hv04'))?.lastError).toMatch(/AUTH|access denied/i);
    const host = lab.host('hv04');
    // Right after a failed check, the next one is a cap away (2.5 s), not the 0.3 s first step.
    await until('hv04 failed again', () => deploymentRow('hv04').failures >= 2 && deploymentRow('hv04').nextCheckInS! >= 2, 15_000);
    const before = host.stats.authFailures;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(host.stats.authFailures).toBe(before);
    await host.setKnobs({ authFailure: false });
    await until('hv04 refreshed', () => syncOf('hv04')?.state === 'fresh' && vmsOf('hv04').length === VMS_PER_HOST, 20_000);
    expect(await deploymentOf('hv04')).toMatchObject({ state: 'ready' });
  }, 45_000);

  test('no redeploy was ever requested', () => {
    expect(invoked).not.toContain('deployment.redeploy');
    expect(invoked).not.toContain('inventory.refresh');
  });
});

describe('Retry checks a host that failed at first contact at once', () => {
  test('with the next automatic check a minute away, inventory.refresh re-checks the agent and refreshes the host', async () => {
    const lab = await startLab({ hosts: 1, vmsPerHost: VMS_PER_HOST, clusters: 0, seed: 13 });
    const temp = tempDir();
    const slow = { baseMs: 60_000, capMs: 120_000, jitter: 0 };
    let app: { backend: Backend; close(): Promise<void> } | undefined;
    try {
      const ids = await configureHosts(temp.dir, lab.hosts);
      const id = ids.get('hv01')!;
      await lab.host('hv01').setKnobs({ unreachable: true });
      app = await startTestBackend({ dataDir: temp.dir, modules: [createDeploymentModule({ backoff: slow }), createInventoryModule({ backoff: slow, quickIntervalMs: () => 3_600_000, fullIntervalMs: () => 3_600_000 })] });
      const api = app.backend.modules.get('inventory')!.api as InventoryApi;
      const status = async () => ((await app!.backend.invoke('deployment.status', {})) as { ok: true; data: DeploymentStatus }).data.hosts[0];
      const deadline = Date.now() + 15_000;
      while ((await status())?.state !== 'unreachable') {
        if (Date.now() > deadline) throw new Error('hv01 never found unreachable');
        await new Promise((r) => setTimeout(r, 50));
      }
      await lab.host('hv01').setKnobs({ unreachable: false });
      const started = Date.now();
      const result = await app.backend.invoke('inventory.refresh', { hostId: id });
      expect(result.ok).toBe(true);
      while (api.store.host(id)?.sync.state !== 'fresh') {
        if (Date.now() - started > 15_000) throw new Error(`hv01 not refreshed after Retry: ${JSON.stringify(api.store.host(id)?.sync)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(api.snapshot().vms.filter((v) => v.hostId === id && !v.placeholder)).toHaveLength(VMS_PER_HOST);
      expect(await status()).toMatchObject({ state: 'ready' });
    } finally {
      await app?.close();
      await lab.close();
      temp.cleanup();
    }
  }, 45_000);
});
