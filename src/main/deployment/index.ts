// Agent deployment: makes every host run exactly our agent version before other services touch it.
// Starts the artifact HTTP server hosts download from, then checks/deploys each enabled host.
import path from 'node:path';
import type { ServiceContext, ServiceModule, StartedService } from '../service-module';
import type { BackoffPolicy } from '../inventory';
import { chooseAdvertisedBaseUrl, waitForHealth } from './advertise';
import type { DeploymentApi } from './api';
import { startArtifactServer, type ArtifactServer } from './artifact-server';
import { resolveAgentDir } from './scripts';
import { DeploymentService } from './service';
import { parseAgentVersion } from './version';
import { AGENT_VERSION } from '../version';

export type { DeploymentApi, HostReadiness } from './api';
export { PROGRESS_KEY, newerMessage } from './service';

/** How long deployment waits for the artifact server's health check before trying anyway. */
const HEALTH_TIMEOUT_MS = 10_000;

/** Test overrides: the automatic re-check's backoff (default: the inventory's policy). */
export interface DeploymentModuleOptions {
  backoff?: BackoffPolicy;
  random?: () => number;
}

export function createDeploymentModule(options: DeploymentModuleOptions = {}): ServiceModule {
  return { name: 'deployment', start: (ctx) => deployment.start(ctx, options) };
}

const deployment = {
  name: 'deployment',
  async start(ctx: ServiceContext, options: DeploymentModuleOptions = {}): Promise<StartedService> {
    const { bindAddress, port, advertisedBaseUrl } = ctx.settings.getSettings().artifactServer;
    let server: ArtifactServer | null = null;
    let serverError: string | null = null;
    let advertisedReason = '';
    try {
      server = await startArtifactServer({
        host: bindAddress,
        port,
        agentDir: resolveAgentDir(),
        // Provisioning ISOs are built from agent/guest/ at start and cached with the app's data.
        mediaCacheDir: path.join(ctx.dataDir, 'provisioning-media'),
        advertisedBaseUrl: (bound) => {
          const choice = chooseAdvertisedBaseUrl(advertisedBaseUrl, bindAddress, bound);
          advertisedReason = choice.reason;
          return choice.baseUrl;
        },
        log: (event) => {
          const { level, message, ...fields } = event;
          ctx.log[level](`artifact server: ${message}`, fields);
        },
      });
      ctx.log.info(`artifact server: hosts download from ${server.advertisedBaseUrl} (${advertisedReason})`);
    } catch (error) {
      serverError = (error as Error).message;
      ctx.log.error(`artifact server did not start: ${serverError}`);
    }
    if (serverError) {
      // Not a diagnostic-mode problem: hosts that already run our agent stay usable. The service
      // state, this notification and each host needing deployment say what is wrong.
      ctx.notifications.notify({
        key: 'artifact-server',
        level: 'error',
        title: 'Artifact server',
        message: `${serverError} Hosts that need the agent cannot be deployed until this is fixed and the app restarted.`,
      });
    }
    const health = server
      ? waitForHealth(server.advertisedBaseUrl, HEALTH_TIMEOUT_MS)
      : Promise.resolve(false);
    const agentVersion = server?.manifest.agentVersion ?? parseAgentVersion(AGENT_VERSION) ?? '0.0.0';
    void health.then((ok) => {
      if (!ok && server)
        ctx.log.warn(
          `artifact server: no healthy answer from ${server.advertisedBaseUrl}/healthz within ${HEALTH_TIMEOUT_MS / 1000} s; deploying anyway (check the advertised URL and the firewall)`,
        );
    });

    const service = new DeploymentService(ctx, { agentVersion, server, serverError, health, ...options });
    let stopping = false;
    void (ctx.hostContact ?? Promise.resolve()).then(() => {
      if (!stopping) service.start();
    });
    const api: DeploymentApi = service;

    return {
      name: 'deployment',
      api,
      status: () => {
        const s = service.summary();
        return server
          ? {
              name: 'deployment',
              state: 'running',
              detail: `agent ${agentVersion} served at ${server.advertisedBaseUrl}; ${s.ready}/${s.total} hosts ready, ${s.failed} failed, ${s.newer} newer`,
            }
          : {
              name: 'deployment',
              state: 'failed',
              detail: `artifact server not running: ${serverError ?? ''}`,
            };
      },
      handlers: {
        'deployment.status': () => ({
          agentVersion,
          server: {
            ready: server?.ready ?? false,
            url: server?.url ?? '',
            advertisedBaseUrl: server?.advertisedBaseUrl ?? '',
            files: server?.manifest.files.length ?? 0,
            downloads: server?.downloads.count ?? 0,
            error: serverError,
          },
          summary: service.summary(),
          hosts: service.hostStatuses(),
        }),
        'deployment.redeploy': (request) => ({ hostIds: service.startRedeploy(request.hostId) }),
      },
      metrics: () => [
        ...service.metrics(),
        {
          name: 'Artifact server',
          rows: [
            {
              ready: server?.ready ?? false,
              listening: server?.url ?? null,
              advertised: server?.advertisedBaseUrl ?? null,
              advertisedBecause: advertisedReason || null,
              files: server?.manifest.files.length ?? 0,
              downloads: server?.downloads.count ?? 0,
              error: serverError,
            },
          ],
        },
      ],
      async stop() {
        stopping = true;
        service.stop();
        await server?.close();
      },
    };
  },
};

export const deploymentModule: ServiceModule = createDeploymentModule();
