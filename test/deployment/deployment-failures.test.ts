// Deployment failure modes against real lab hosts: corrupted downloads, a read-only install
// directory, half-finished deployments, the failure/retry cache and force redeploy of all hosts.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentApi } from '../../src/main/deployment';
import type { AgentManifest } from '../../src/main/deployment/manifest';
import { resolveAgentDir } from '../../src/main/deployment/scripts';
import { deployStats, setDeployKnobs } from '../lab/deploy';
import { INSTALL_DIR, servedAgentManifest, startDeployLab, type DeployFixture } from './support';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('agent deployment failure modes', () => {
  let fx: DeployFixture;
  let manifest: AgentManifest;
  let api: DeploymentApi;
  const byName = async (name: string) => (await fx.status()).hosts.find((h) => h.displayName === name)!;

  beforeAll(async () => {
    manifest = await servedAgentManifest(resolveAgentDir());
    fx = await startDeployLab({
      hosts: 4,
      prepare: (lab) => {
        // hv01: one file corrupted once (retried); hv02: version corrupted every time; hv03: read-only.
        setDeployKnobs(lab.host('hv01'), { corrupt: { name: 'AetherV.Common.ps1', times: 1 } });
        setDeployKnobs(lab.host('hv02'), { corrupt: { name: 'version', times: 100 } });
        setDeployKnobs(lab.host('hv03'), { readOnlyInstallDir: true });
      },
    });
    api = fx.backend.modules.get('deployment')!.api as DeploymentApi;
    await fx.settled();
  }, 60_000);
  afterAll(async () => fx?.close());

  it('a file corrupted in transit is detected by its hash and downloaded again', async () => {
    expect((await byName('hv01')).state).toBe('ready');
    const host = fx.lab.host('hv01');
    expect(deployStats(host).injectedFailures).toBe(1);
    const common = manifest.files.find((f) => f.name === 'AetherV.Common.ps1')!;
    expect(sha256(host.files.get(`${INSTALL_DIR}\\AetherV.Common.ps1`)!)).toBe(common.sha256);
  });

  it('a file that stays corrupted fails the deployment clearly and leaves no version file', async () => {
    const hv02 = await byName('hv02');
    expect(hv02.state).toBe('failed');
    expect(hv02.lastError).toMatch(
      /^agent deployment failed: host hv02: 1 of \d+ file\(s\) failed; first: version: SHA-256 mismatch/,
    );
    const host = fx.lab.host('hv02');
    // Everything else landed, but without `version` the next check sees a host needing deployment.
    expect(host.files.exists(`${INSTALL_DIR}\\version`)).toBe(false);
    expect(host.files.exists(`${INSTALL_DIR}\\Invoke-AgentOperation.ps1`)).toBe(true);
    expect(api.readiness(fx.ids.get('hv02')!)).toMatchObject({ state: 'error' });
    const hosts = fx.backend.services.hosts.list();
    expect(hosts.find((h) => h.displayName === 'hv02')?.lastError).toBe(hv02.lastError);
  });

  it('a read-only install directory is reported with the path and what to check', async () => {
    const hv03 = await byName('hv03');
    expect(hv03.state).toBe('failed');
    expect(hv03.lastError).toContain(`Cannot clear or create ${INSTALL_DIR}: Access to the path`);
    expect(hv03.lastError).toContain('Check that the WinRM account may write there.');
    expect(fx.lab.host('hv03').files.list(INSTALL_DIR)).toEqual([]);
  });

  it('a failed host is not retried on every call, but a redeploy retries it at once', async () => {
    const id = fx.ids.get('hv02')!;
    const installs = deployStats(fx.lab.host('hv02')).installs;
    expect((await api.ensureHostReady(id)).state).toBe('error');
    expect(deployStats(fx.lab.host('hv02')).installs).toBe(installs);
    setDeployKnobs(fx.lab.host('hv02'), { corrupt: null });
    await api.redeploy(id);
    expect(api.readiness(id)).toEqual({ state: 'ready', agentVersion: manifest.agentVersion });
    expect(deployStats(fx.lab.host('hv02')).installs).toBe(installs + 1);
  });

  it('a cached match survives until the version file is gone and a redeploy asks again', async () => {
    const id = fx.ids.get('hv04')!;
    const host = fx.lab.host('hv04');
    const reads = deployStats(host).versionReads;
    await api.ensureHostReady(id);
    await api.ensureHostReady(id);
    expect(deployStats(host).versionReads).toBe(reads);
    host.files.delete(`${INSTALL_DIR}\\version`);
    // Still cached (no failure seen): the service does not poll hosts behind inventory's back.
    expect((await api.ensureHostReady(id)).state).toBe('ready');
    // A caller that saw the agent fail (e.g. AgentNotDeployed) drops the cache: checked, redeployed.
    api.invalidate(id, 'the agent is not installed');
    expect(api.readiness(id).state).toBe('preparing');
    expect(await api.ensureHostReady(id)).toEqual({ state: 'ready', agentVersion: manifest.agentVersion });
    expect(deployStats(host).versionReads).toBe(reads + 2);
    expect(host.files.getText(`${INSTALL_DIR}\\version`)?.trim()).toBe(manifest.agentVersion);
  });

  it('redeploy all (contract command) reinstalls every enabled host and the server counts the downloads', async () => {
    setDeployKnobs(fx.lab.host('hv03'), { readOnlyInstallDir: false });
    const before = (await fx.status()).server.downloads;
    const { hostIds } = await fx.invoke<{ hostIds: string[] }>('deployment.redeploy', {});
    expect(hostIds.sort()).toEqual([...fx.ids.values()].sort());
    await new Promise((resolve) => setTimeout(resolve, 50));
    const status = await fx.settled();
    expect(status.summary).toMatchObject({ total: 4, ready: 4, failed: 0 });
    expect(status.server.downloads - before).toBe(4 * manifest.files.length);
    const progress = (
      await fx.invoke<Array<{ key?: string; message: string; level: string }>>('notifications.list')
    ).filter((n) => n.key === 'agent-deployment');
    expect(progress).toHaveLength(1);
    expect(progress[0]).toMatchObject({
      message: 'Agent deployment: 4/4 hosts ready, 0 failed',
      level: 'success',
    });
  });

  it('rejects a redeploy of an unknown host with NOT_FOUND', async () => {
    const result = await fx.backend.invoke('deployment.redeploy', { hostId: 'no-such-host' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('NOT_FOUND');
  });
});
