// The acceptance scenario of agent deployment, end to end: real backend, real artifact server,
// real lab hosts over NTLM-sealed WinRM, downloads over real HTTP.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppNotification, HostView, Metrics } from '../../src/shared/contract';
import type { DeploymentApi } from '../../src/main/deployment';
import { invokeAgent } from '../../src/main/agent';
import { WinrmClient } from '../../src/main/winrm';
import type { AgentManifest } from '../../src/main/deployment/manifest';
import { resolveAgentDir } from '../../src/main/deployment/scripts';
import { deployStats, presetAgentVersion, setDeployKnobs } from '../lab/deploy';
import type { SimHost } from '../lab';
import { INSTALL_DIR, servedAgentManifest, startDeployLab, type DeployFixture } from './support';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function expectAgentFiles(host: SimHost, manifest: AgentManifest): void {
  for (const file of manifest.files) {
    const content = host.files.get(`${INSTALL_DIR}\\${file.name}`);
    expect(content, `${host.name}: ${file.name}`).toBeDefined();
    expect(sha256(content!), `${host.name}: ${file.name}`).toBe(file.sha256);
  }
  expect(host.files.list(INSTALL_DIR)).toHaveLength(manifest.files.length);
}

describe('agent deployment at startup (10 lab hosts)', () => {
  let fx: DeployFixture;
  let manifest: AgentManifest;

  beforeAll(async () => {
    manifest = await servedAgentManifest(resolveAgentDir());
    fx = await startDeployLab({
      hosts: 10,
      prepare: async (lab) => {
        // hv01, hv02: an older agent (one written by a UTF-16 editor with a BOM); hv03: downloads
        // fail twice; hv04: a newer agent; hv05: unreachable; the rest: nothing installed.
        presetAgentVersion(lab.host('hv01'), INSTALL_DIR, '0.9.0\r\n');
        presetAgentVersion(lab.host('hv02'), INSTALL_DIR, Buffer.from('\uFEFF0.5', 'utf16le'));
        lab.host('hv01').files.put(`${INSTALL_DIR}\\Stale-Old.ps1`, 'old');
        setDeployKnobs(lab.host('hv03'), { failDownloads: 2 });
        presetAgentVersion(lab.host('hv04'), INSTALL_DIR, '9.0.0');
        lab.host('hv04').files.put(`${INSTALL_DIR}\\Invoke-AgentOperation.ps1`, 'newer agent');
        await lab.host('hv05').setKnobs({ unreachable: true });
      },
    });
  }, 60_000);
  afterAll(async () => fx?.close());

  it('ends with 8 ready hosts whose files match the manifest', async () => {
    const status = await fx.settled();
    expect(status.summary).toEqual({ total: 10, ready: 8, failed: 1, newer: 1, inProgress: 0 });
    expect(status.agentVersion).toBe(manifest.agentVersion);
    for (const name of ['hv01', 'hv02', 'hv03', 'hv06', 'hv07', 'hv08', 'hv09', 'hv10']) {
      expectAgentFiles(fx.lab.host(name), manifest);
      expect(status.hosts.find((h) => h.displayName === name)?.state).toBe('ready');
    }
    // The old host's stray file went with the clear step.
    expect(fx.lab.host('hv01').files.exists(`${INSTALL_DIR}\\Stale-Old.ps1`)).toBe(false);
    // hv03 succeeded on the third attempt of every file.
    expect(deployStats(fx.lab.host('hv03')).injectedFailures).toBe(2 * manifest.files.length);
  });

  it('leaves the newer host untouched and reports it', async () => {
    const status = await fx.settled();
    const hv04 = status.hosts.find((h) => h.displayName === 'hv04')!;
    expect(hv04.state).toBe('newer');
    expect(hv04.hostVersion).toBe('9.0.0');
    expect(hv04.lastError).toContain(`agent newer than this app (9.0.0 > ${manifest.agentVersion})`);
    expect(deployStats(fx.lab.host('hv04')).installs).toBe(0);
    expect(fx.lab.host('hv04').files.getText(`${INSTALL_DIR}\\Invoke-AgentOperation.ps1`)).toBe(
      'newer agent',
    );
    const api = fx.backend.modules.get('deployment')!.api as DeploymentApi;
    const readiness = await api.ensureHostReady(fx.ids.get('hv04')!);
    expect(readiness.state).toBe('newer');
    const hosts = await fx.invoke<HostView[]>('hosts.list');
    expect(hosts.find((h) => h.displayName === 'hv04')?.lastError).toMatch(/agent newer than this app/);
  });

  it('reports the unreachable host with its error', async () => {
    const status = await fx.settled();
    const hv05 = status.hosts.find((h) => h.displayName === 'hv05')!;
    expect(hv05.state).toBe('unreachable');
    expect(hv05.lastError).toMatch(/hv05|127\.0\.0\.1/);
    const hosts = await fx.invoke<HostView[]>('hosts.list');
    const view = hosts.find((h) => h.displayName === 'hv05')!;
    expect(view.status).toBe('unreachable');
    expect(view.lastError).toBe(hv05.lastError);
    const api = fx.backend.modules.get('deployment')!.api as DeploymentApi;
    expect(api.readiness(fx.ids.get('hv05')!).state).toBe('error');
    expect(hosts.filter((h) => h.status === 'connected')).toHaveLength(9);
  });

  it('shows one notification with the right counts, and per-host rows in diagnostics', async () => {
    await fx.settled();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const notifications = await fx.invoke<AppNotification[]>('notifications.list');
    const progress = notifications.filter((n) => n.key === 'agent-deployment');
    expect(progress).toHaveLength(1);
    expect(progress[0].message).toBe(
      'Agent deployment: 8/10 hosts ready, 1 failed, 1 with a newer agent (left alone)',
    );
    expect(progress[0].level).toBe('warning');
    const metrics = await fx.invoke<Metrics>('diagnostics.metrics');
    const group = metrics.groups.find((g) => g.name === 'Agent deployment')!;
    expect(group.rows).toHaveLength(10);
    expect(group.rows.find((r) => r.host === 'hv05')?.state).toBe('unreachable');
    expect(metrics.groups.find((g) => g.name === 'Artifact server')?.rows[0]?.ready).toBe(true);
  });

  it('uses the cached match: a ready host is not asked again until a redeploy', async () => {
    const api = fx.backend.modules.get('deployment')!.api as DeploymentApi;
    const hv06 = fx.lab.host('hv06');
    const before = deployStats(hv06);
    expect(await api.ensureHostReady(fx.ids.get('hv06')!)).toEqual({
      state: 'ready',
      agentVersion: manifest.agentVersion,
    });
    expect(deployStats(hv06)).toEqual(before);
    // The deployed agent answers: the lab's dispatcher runs once Invoke-AgentOperation.ps1 exists.
    const info = fx.lab.hosts.find((h) => h.name === 'hv06')!;
    const client = new WinrmClient({
      endpoint: info.httpUrl,
      auth: 'ntlm',
      username: info.username,
      password: info.password,
    });
    try {
      const data = await invokeAgent(client, {
        host: 'hv06',
        installDir: INSTALL_DIR,
        operation: 'version',
        correlationId: 'v1',
      });
      expect(data).toMatchObject({
        agentVersion: manifest.agentVersion,
        installDirectory: INSTALL_DIR,
        computerName: 'HV06',
        schemaVersion: 1,
      });
    } finally {
      await client.close();
    }
  });

  it('force redeploy of one host replaces even a newer agent', async () => {
    const result = await fx.invoke<{ hostIds: string[] }>('deployment.redeploy', {
      hostId: fx.ids.get('hv04'),
    });
    expect(result.hostIds).toEqual([fx.ids.get('hv04')]);
    const status = await fx.settled();
    expect(status.hosts.find((h) => h.displayName === 'hv04')?.state).toBe('ready');
    expectAgentFiles(fx.lab.host('hv04'), manifest);
    expect(deployStats(fx.lab.host('hv04')).installs).toBe(1);
  });
});
