import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { InventoryApi } from '../../src/main/inventory';
import { startLab, type Lab } from '../lab';
import { startTestBackend } from '../support/backend';
import { tempDir } from '../support/temp';
import { configureHosts, installAgent } from './support/harness';

// The app's start holds host contact until the page has its cached inventory (FirstPaintGate);
// nothing reaches a host before, and everything starts once the gate opens.
describe('host contact waits for the backend owner', () => {
  let lab: Lab;
  const temp = tempDir();

  beforeAll(async () => {
    lab = await startLab({ hosts: 2, vmsPerHost: 3, clusters: 0, seed: 4 });
    for (const info of lab.hosts) installAgent(lab, info.name);
    await configureHosts(temp.dir, lab.hosts);
  }, 30_000);
  afterAll(async () => {
    await lab?.close();
    temp.cleanup();
  });

  test('no agent check and no refresh before hostContact settles; the startup refresh right after', async () => {
    let allow!: () => void;
    const app = await startTestBackend({ dataDir: temp.dir, hostContact: new Promise<void>((resolve) => (allow = resolve)) });
    try {
      const api = app.backend.modules.get('inventory')!.api as InventoryApi;
      await new Promise((r) => setTimeout(r, 400));
      const held = await app.backend.invoke('inventory.syncStats', {});
      expect(held).toMatchObject({ ok: true, data: { totals: { vms: 0 }, lastFullSyncAt: null } });
      expect(api.store.hostIds().map((id) => api.store.host(id)!.sync.lastAttemptAt)).toEqual([null, null]);
      const deployment = await app.backend.invoke('deployment.status', {});
      expect(deployment).toMatchObject({ ok: true, data: { summary: { ready: 0, inProgress: 0 } } });

      allow();
      await api.initialRefresh;
      // Hosts are refreshed once their agent check (now started) finds them ready.
      const vms = async () => ((await app.backend.invoke('inventory.syncStats', {})) as { data: { totals: { vms: number } } }).data.totals.vms;
      for (let i = 0; i < 150 && (await vms()) < 6; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await vms()).toBe(6);
      expect(await app.backend.invoke('deployment.status', {})).toMatchObject({ ok: true, data: { summary: { ready: 2 } } });
    } finally {
      await app.close();
    }
  }, 30_000);
});
