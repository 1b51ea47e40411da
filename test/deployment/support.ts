// A lab plus a real backend whose deployment service deploys to it over NTLM: shared by the
// deployment integration tests and bench/deploy.ts.
import { labHostInput, startLab, type Lab } from '../lab';
import { startTestBackend } from '../support/backend';
import type { Backend } from '../../src/main/backend';
import type { DeploymentStatus } from '../../src/shared/contract/areas/deployment';
import type { HostView, SettingsPatch } from '../../src/shared/contract';
import { buildAgentManifest, type AgentManifest } from '../../src/main/deployment/manifest';
import { prepareProvisioningMedia } from '../../src/main/provisioning';
import { tempDir } from '../support/temp';

export const INSTALL_DIR = 'C:\\ProgramData\\Aether-V\\agent';

export interface DeployFixture {
  lab: Lab;
  backend: Backend;
  /** Host id by lab host name (lower case, e.g. "hv01"). */
  ids: Map<string, string>;
  invoke<T>(command: string, request?: unknown): Promise<T>;
  status(): Promise<DeploymentStatus>;
  /** Waits until every configured host has a settled deployment state. */
  settled(timeoutMs?: number): Promise<DeploymentStatus>;
  close(): Promise<void>;
}

export async function startDeployLab(options: {
  hosts: number;
  settings?: SettingsPatch;
  /** Runs after the lab started and before hosts are added to the app (set knobs, preset files). */
  prepare?: (lab: Lab, backend: Backend) => Promise<void> | void;
}): Promise<DeployFixture> {
  const lab = await startLab({ hosts: options.hosts, vmsPerHost: 1, seed: 7, clusters: 0 });
  const app = await startTestBackend();
  const invoke = async <T>(command: string, request: unknown = {}): Promise<T> => {
    const result = await app.backend.invoke(command, request);
    if (!result.ok) throw new Error(`${command}: ${result.error.code}: ${result.error.message}`);
    return result.data as T;
  };
  await invoke('settings.update', { agent: { downloadRetryIntervalS: 1 }, ...options.settings });
  await options.prepare?.(lab, app.backend);
  const ids = new Map<string, string>();
  for (const info of lab.hosts) {
    const view = await invoke<HostView>('hosts.add', labHostInput(info, { withCluster: false }));
    ids.set(info.name.toLowerCase(), view.id);
  }
  const status = () => invoke<DeploymentStatus>('deployment.status');
  return {
    lab,
    backend: app.backend,
    ids,
    invoke,
    status,
    async settled(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await status();
        if (current.summary.total === ids.size && current.summary.inProgress === 0) return current;
        if (Date.now() > deadline)
          throw new Error(`deployment did not settle: ${JSON.stringify(current.summary)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await app.close();
      await lab.close();
    },
  };
}

/**
 * The manifest the artifact server serves for `agentDir`: its scripts and version, plus the
 * provisioning ISOs built from its guest folders (built here into a temporary cache, the way the
 * server builds them at start).
 */
export async function servedAgentManifest(agentDir: string): Promise<AgentManifest> {
  const cache = tempDir();
  try {
    const media = await prepareProvisioningMedia(agentDir, cache.dir);
    return await buildAgentManifest(agentDir, [media.dir]);
  } finally {
    cache.cleanup();
  }
}
