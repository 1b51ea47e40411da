// When the artifact server cannot bind (port taken), the app stays in normal mode: hosts that
// already run our agent are ready, hosts that need it fail with a reason that says why.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentApi } from '../../src/main/deployment';
import { DEFAULT_SETTINGS, type AppNotification, type HostView } from '../../src/shared/contract';
import type { DeploymentStatus } from '../../src/shared/contract/areas/deployment';
import { labHostInput, startLab, type Lab } from '../lab';
import { presetAgentVersion } from '../lab/deploy';
import { BUNDLED_AGENT_VERSION } from '../support/agent-version';
import { startTestBackend } from '../support/backend';
import { tempDir } from '../support/temp';
import { INSTALL_DIR } from './support';

describe('artifact server cannot start', () => {
  const temp = tempDir();
  let blocker: Server;
  let lab: Lab;
  let app: Awaited<ReturnType<typeof startTestBackend>>;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const settings = { ...DEFAULT_SETTINGS, artifactServer: { bindAddress: '127.0.0.1', port, advertisedBaseUrl: '' } };
    writeFileSync(path.join(temp.dir, 'settings.json'), JSON.stringify({ schemaVersion: 1, settings, hosts: [] }));
    lab = await startLab({ hosts: 2, vmsPerHost: 0, clusters: 0 });
    presetAgentVersion(lab.host('hv01'), INSTALL_DIR, BUNDLED_AGENT_VERSION);
    app = await startTestBackend({ dataDir: temp.dir });
    for (const info of lab.hosts) {
      const result = await app.backend.invoke('hosts.add', labHostInput(info, { withCluster: false }));
      expect(result.ok).toBe(true);
    }
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await lab?.close();
    await new Promise((resolve) => blocker.close(resolve));
    temp.cleanup();
  });

  it('says so, keeps normal mode, and still knows which hosts are ready', async () => {
    const api = app.backend.modules.get('deployment')!.api as DeploymentApi;
    const hosts = (app.backend.services.hosts.list() as HostView[]).sort((a, b) => a.displayName.localeCompare(b.displayName));
    const [hv01, hv02] = await Promise.all(hosts.map((h) => api.ensureHostReady(h.id)));
    expect(hv01).toEqual({ state: 'ready', agentVersion: BUNDLED_AGENT_VERSION });
    expect(hv02).toMatchObject({ state: 'error' });
    expect(hv02.state === 'error' && hv02.reason).toMatch(/artifact server is not running: Artifact server: port \d+ on 127\.0\.0\.1 is already in use/);
    const health = app.backend.services.health();
    expect(health.mode).toBe('normal');
    expect(health.services.find((s) => s.name === 'deployment')?.state).toBe('failed');
    const notes = app.backend.services.notifications.list() as AppNotification[];
    expect(notes.find((n) => n.key === 'artifact-server')?.level).toBe('error');
    const status = await app.backend.invoke('deployment.status', {});
    expect(status.ok && (status.data as DeploymentStatus).server.ready).toBe(false);
  });
});
