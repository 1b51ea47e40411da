/**
 * Fault catalogue scenarios of first contact and crashes: a host down at start (or added while
 * down) recovers by itself with no click, and a crash during a create leaves no permanent
 * "Creating" row (docs/reliability.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostView } from '../../src/shared/contract';
import { labHostInput } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs';
import { tempDir } from '../support/temp';
import { crashBackendMidJob, startFleet, waitFor, type Fleet } from './support';

describe('fault catalogue: recovering without a click', () => {
  const temp = tempDir();
  let f: Fleet;

  beforeAll(async () => {
    f = await startFleet({ hosts: 3, seed: 95, dataDir: temp.dir });
  });
  afterAll(async () => {
    await f?.close();
    temp.cleanup();
  });

  it('scenario 02: host down at start — comes back by itself when it answers', async () => {
    await f.restartBackend(() => f.lab.host('hv02').setKnobs({ unreachable: true }));
    await waitFor(() => f.sync('hv02').state === 'error', 15_000, 'hv02 marked as failed at start');
    expect(f.sync('hv02').lastError).toMatch(/hv02|127\.0\.0\.1/);
    // The host comes up (the VPN connected). Nobody clicks anything: no refresh, no redeploy.
    await f.lab.host('hv02').setKnobs({ unreachable: false });
    await waitFor(() => f.sync('hv02').state === 'fresh', 60_000, 'hv02 fresh again without a click');
    expect(f.hostView('hv02').status).toBe('connected');
    expect(f.noticesFor('hv02', 0).map((n) => n.title)).toContain('Host hv02 recovered');
    await f.expectNothingLost([]);
  }, 90_000);

  it('scenario 02: a host added while it is down comes in by itself when it answers', async () => {
    const info = f.info('hv03');
    await f.ok('hosts.remove', { id: f.idOf('hv03') });
    await f.lab.host('hv03').setKnobs({ unreachable: true });
    const view = await f.ok<HostView>('hosts.add', labHostInput(info, { withCluster: false }));
    const syncOf = () => f.inventory.snapshot().hosts.find((h) => h.hostId === view.id)?.sync;
    await waitFor(() => syncOf()?.state === 'error', 15_000, 'the new host marked as failed');
    await f.lab.host('hv03').setKnobs({ unreachable: false });
    await waitFor(() => syncOf()?.state === 'fresh', 60_000, 'the new host fresh without a click');
    expect(f.inventory.snapshot().vms.filter((v) => v.hostId === view.id && !v.placeholder)).toHaveLength(f.lab.host('hv03').model.vms.length);
  }, 90_000);

  it('scenario 16: crash mid-job — no permanent "Creating" row after the next start', async () => {
    setJobKnobs(f.lab.host('hv01'), { stepMs: 1500 });
    let crashed = { jobId: '', linesSeen: 0 };
    await f.restartBackend(async () => {
      crashed = await crashBackendMidJob(temp.dir);
    });
    setJobKnobs(f.lab.host('hv01'), { stepMs: 0 });
    expect(crashed.jobId).not.toBe('');
    await f.inventory.initialRefresh;
    await waitFor(() => f.sync('hv01').state === 'fresh', 30_000, 'hv01 fresh after the restart');
    expect(await f.refresh('hv01')).toBe('refreshed');
    // The create was interrupted: its placeholder is gone (the host's real VM, if any, is a normal row).
    const placeholders = f.inventory.snapshot().vms.filter((v) => v.placeholder && v.hostId === f.idOf('hv01'));
    expect(placeholders.map((v) => v.name)).toEqual([]);
    // Creating a VM of the same name is not blocked by a leftover.
    const validated = await f.ok<{ warnings: string[] }>('jobs.validate', {
      schemaVersion: 1,
      hostId: f.idOf('hv01'),
      imageOsFamily: 'windows',
      fields: { vmName: 'crash-02', imagePath: 'D:\\Images\\WS2022.vhdx', cpuCount: 2, memoryGB: 4, generation: 2, vmRootPath: 'D:\\VMs', adminUser: 'labadmin', adminPassword: 'Adm1n-S3cret-Zq9!' },
    });
    expect(validated.warnings.filter((w) => /refused/i.test(w))).toEqual([]);
  }, 120_000);
});
