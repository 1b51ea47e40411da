import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLab, type Lab } from '../lab';
import { presetAgentVersion } from '../lab/deploy/knobs';
import { INSTALL_DIR, startBackendHarness, waitFor, type Harness } from './support/harness';

// A host whose agent is newer than this app answers WinRM; deployment leaves it alone and
// inventory cannot use it. The admin must be told that, not that the host is unreachable.
describe('inventory of a host whose agent is newer than this app', () => {
  let lab: Lab;
  let h: Harness;
  const idOf = (name: string) => h.hostIds.get(name)!;
  const syncOf = (name: string) => h.api.snapshot().hosts.find((x) => x.hostId === idOf(name))?.sync;

  beforeAll(async () => {
    lab = await startLab({ hosts: 2, vmsPerHost: 3, clusters: 0, seed: 7 });
    presetAgentVersion(lab.host('hv02'), INSTALL_DIR, '99.0.0');
    h = await startBackendHarness(lab, { inventory: { quickSyncIntervalS: 3600 } });
    await waitFor(() => syncOf('hv01')?.state === 'fresh' && syncOf('hv02')?.state === 'error', 30_000, 'hv01 refreshed and hv02 refused');
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await lab?.close();
  });

  test('is not refreshed, says why, and is not called unreachable', () => {
    expect(syncOf('hv02')!.lastError).toMatch(/^host hv02: agent newer than this app \(99\.0\.0 > /);
    // It answers: the host list (and so the tray) does not count it as unreachable.
    expect(h.hosts.list().find((x) => x.id === idOf('hv02'))!.status).toBe('connected');
    const titles = h.notifications.map((n) => n.title);
    expect(titles.filter((t) => t === 'Host hv02 not refreshed')).toHaveLength(1);
    expect(titles).not.toContain('Host hv02 unreachable');
    const notice = h.notifications.find((n) => n.title === 'Host hv02 not refreshed')!;
    // The title names the host; the message does not name it again.
    expect(notice.message).toMatch(/^agent newer than this app .*; update this app or force redeploy\. No inventory has been read from it yet; retrying automatically/);
    // "Preparing host, will retry" is no longer true: its notice is gone from the bell.
    expect(h.notificationCenter.list().filter((n) => n.title.startsWith('Preparing host'))).toHaveLength(0);
    // Diagnostics counts it as not refreshed, without calling it unreachable.
    expect(h.service.status?.().detail).toMatch(/^2 hosts \(1 fresh, 1 not refreshed\), 3 VMs/);
    // The other host is unaffected.
    expect(h.api.snapshot().vms.filter((v) => v.hostId === idOf('hv01') && !v.placeholder)).toHaveLength(3);
  });
});
