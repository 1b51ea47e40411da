/**
 * Fault catalogue (docs/reliability.md) in the real-PowerShell lab: the deployed agent scripts run
 * in real pwsh against the simulated Hyper-V modules, so what a damaged script does is PowerShell's
 * own behaviour, not a stand-in's. The inventory service runs on real parts (settings and secrets
 * files, scheduler, NTLM-sealed WinRM, SQLite).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealAgentLab, INSTALL_DIR, type RealAgentLab } from '../agent-real/support';
import { configureHosts, startHarness, type Harness } from '../inventory/support/harness';
import { tempDir } from '../support/temp';

describe('fault catalogue: the real agent in real PowerShell', () => {
  const temp = tempDir();
  let rig: RealAgentLab;
  let h: Harness;
  let id: string;
  let keys: string[];
  const sync = () => h.api.snapshot().hosts.find((x) => x.hostId === id)!.sync;
  const rows = () => h.api.snapshot().vms.filter((v) => v.hostId === id && !v.placeholder);

  beforeAll(async () => {
    rig = await startRealAgentLab({ hosts: 1, vmsPerHost: 3, clusters: 0, seed: 111 });
    rig.install();
    id = (await configureHosts(temp.dir, rig.lab.hosts)).get('hv01')!;
    h = await startHarness(temp.dir, { backgroundLoops: false });
    await h.api.initialRefresh;
    expect(sync().state).toBe('fresh');
    keys = rows().map((v) => v.key).sort();
    expect(keys).toHaveLength(3);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await rig?.close();
    temp.cleanup();
  });

  it('scenario 22: agent script damaged on the host (real PowerShell)', async () => {
    const file = `${INSTALL_DIR}\\Get-HostInventory.ps1`;
    const host = rig.host();
    const good = host.files.get(file)!;
    // Cut in half on the host's disk (a failed copy, an over-eager antivirus): PowerShell cannot parse it.
    host.files.put(file, good.subarray(0, Math.floor(good.length / 2)));
    const since = h.notifications.length;
    expect((await h.api.refresh(id))[id]).toBe('failed');
    // PowerShell's own parse error reaches the admin, with the host and the damaged file named.
    expect(sync().lastError).toMatch(/^host hv01: At .*Get-HostInventory\.ps1:\d+ char:\d+/);
    expect(sync().lastError).toContain("Missing closing '}' in statement block or type definition.");
    expect(h.notifications.slice(since).filter((n) => n.level === 'error').map((n) => n.title)).toEqual([expect.stringMatching(/^Host hv01 /)]);
    expect(rows().map((v) => v.key).sort()).toEqual(keys);
    expect(rows().every((v) => v.stale)).toBe(true);

    // The file is whole again (what a redeploy does): the host recovers.
    host.files.put(file, good);
    expect((await h.api.refresh(id))[id]).toBe('refreshed');
    expect(sync()).toMatchObject({ state: 'fresh', lastError: null });
  }, 120_000);
});
