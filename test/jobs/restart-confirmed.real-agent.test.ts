import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_SETTINGS, type JobRecord } from '../../src/shared/contract';
import { startLab, type Lab } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs';
import { repoRoot } from '../support/cli';
import { startJobsHarness, waitFor, type JobsHarness } from './support';

const INSTALL_DIR = DEFAULT_SETTINGS.agent.installDir;

// Issue 13 item 3 against the real agent scripts (real PowerShell over the simulated Hyper-V
// module): Invoke-VmAction.ps1 runs Restart-VM, Get-HostInventory.ps1 reads Get-VM's Uptime, and
// the app confirms the restart from the uptime reset — not three minutes later as "no confirmation".
describe('real agent: restart of a running VM ends confirmed', () => {
  let lab: Lab;
  let h: JobsHarness;

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 3, seed: 36, clusters: 0, realAgent: true });
    const host = lab.host(lab.hosts[0]!.name);
    await host.setKnobs({ slowFactor: 0.01 });
    setJobKnobs(host, { actionMs: 200 });
    // The agent is put in place beforehand (deployment finds its version and leaves it).
    for (const entry of readdirSync(path.join(repoRoot, 'agent'), { withFileTypes: true })) {
      if (entry.isFile()) host.files.put(`${INSTALL_DIR}\\${entry.name}`, readFileSync(path.join(repoRoot, 'agent', entry.name)));
    }
    h = await startJobsHarness(lab, []);
    await h.addHost(lab.hosts[0]!);
    await waitFor(() => h.snapshot().hosts.some((x) => x.sync.state === 'fresh'), 170_000, 'the host deployed and refreshed');
  }, 200_000);

  afterAll(async () => {
    await h?.close();
    await lab?.close();
  });

  test('Restart-VM resets the uptime the real inventory script reads; the pending restart is confirmed by it', async () => {
    const host = lab.host(lab.hosts[0]!.name);
    const target = h.snapshot().vms.find((v) => v.state === 'Running' && !v.placeholder)!;
    expect(target, 'a Running VM').toBeDefined();
    expect(target.uptimeS!).toBeGreaterThan(120);
    const view = () => h.snapshot().vms.find((v) => v.key === target.key)!;

    const job = await h.ok<JobRecord>('vm.action', { hostId: target.hostId, vmId: target.vmId, action: 'restart' });
    expect(view().pending).toMatchObject({ action: 'restart', desiredState: 'Running' });
    await waitFor(() => h.job(job.id)?.state !== 'queued' && h.job(job.id)?.state !== 'running', 120_000, 'the restart job to finish');
    expect(h.job(job.id)!.state, JSON.stringify(h.job(job.id)!.error)).toBe('succeeded');
    expect(host.model.vms.find((v) => v.id === target.vmId)!.bootedAt).toBeDefined();
    await waitFor(() => view().pending === null, 60_000, 'the restart to be confirmed');
    expect(view().state).toBe('Running');
    expect(view().uptimeS!).toBeLessThan(120);
  }, 200_000);
});
