import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { InventoryHost } from '../../src/shared/contract';
import { startLab, type Lab } from '../lab';
import { setInventoryKnobs } from '../lab/agent/inventory';
import { startBackendHarness, waitFor, type Harness } from '../inventory/support/harness';

/** The lab's host password (test/lab/index.ts): registered with the app log's masker by hosts.add. */
const LAB_PASSWORD = 'Lab-Passw0rd!';

describe('agent warnings through the real backend and the lab (WinRM, agent deployment, SQLite)', () => {
  let lab: Lab;
  let h: Harness;
  const hostId = () => h.hostIds.get('hv01')!;
  const hostRow = (): InventoryHost => h.api.snapshot().hosts.find((x) => x.hostId === hostId())!;

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 3, seed: 16 });
    h = await startBackendHarness(lab, { inventory: { quickSyncIntervalS: 3600 } });
    await waitFor(() => h.api.snapshot().hosts.some((x) => x.sync.state === 'fresh'), 30_000, 'the host deployed and refreshed');
  }, 45_000);

  afterAll(async () => {
    await h?.close();
    await lab?.close();
  });

  test('a host that reports warnings shows them (secrets masked) on the host and the VM; the next clean inventory clears them', async () => {
    const vm = lab.host('hv01').model.vms[1]!;
    expect(hostRow()).not.toHaveProperty('warnings');
    setInventoryKnobs(lab.host('hv01'), {
      warnings: {
        host: [`Checkpoint query failed: Access denied for user lab\\admin with password ${LAB_PASSWORD}`, 'CPU inventory failed: RPC server unavailable'],
        vms: { [vm.id]: ['Guest OS (KVP) query failed: the integration service did not answer'] },
      },
    });
    const before = h.events.length;
    expect(await h.api.refresh(hostId())).toEqual({ [hostId()]: 'refreshed' });

    const warnings = hostRow().warnings ?? [];
    expect(warnings).toEqual(['Checkpoint query failed: Access denied for user lab\\admin with password ********', 'CPU inventory failed: RPC server unavailable']);
    expect(JSON.stringify(h.api.snapshot())).not.toContain(LAB_PASSWORD);
    // The renderer learns it from the delta (its mirror equals the store's snapshot).
    expect(h.mirror().hosts.find((x) => x.hostId === hostId())!.warnings).toEqual(warnings);
    expect(h.events.slice(before).some((e) => e.topic === 'inventory' && e.kind === 'delta')).toBe(true);
    expect(h.api.store.vmDetail(hostId(), vm.id)!.details.warnings).toEqual(['Guest OS (KVP) query failed: the integration service did not answer']);
    const other = lab.host('hv01').model.vms[0]!;
    expect(h.api.store.vmDetail(hostId(), other.id)!.details).not.toHaveProperty('warnings');
    // Kept on file (never the password).
    const stored = h.api.store.db.prepare('SELECT warnings FROM hosts WHERE host_id = ?').get(hostId()) as { warnings: string };
    expect(JSON.parse(stored.warnings)).toEqual(warnings);

    setInventoryKnobs(lab.host('hv01'), { warnings: null });
    await h.api.refresh(hostId());
    expect(hostRow()).not.toHaveProperty('warnings');
    expect(h.mirror().hosts.find((x) => x.hostId === hostId())).not.toHaveProperty('warnings');
    expect(h.api.store.vmDetail(hostId(), vm.id)!.details).not.toHaveProperty('warnings');
  });
});
