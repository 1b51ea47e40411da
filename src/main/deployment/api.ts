/**
 * What other services (inventory, jobs) may ask of agent deployment. The deployment module
 * returns an object of this shape as its StartedService.api.
 */
export type HostReadiness =
  | { state: 'ready'; agentVersion: string }
  /** Deploying or waiting to deploy: "Preparing host, will retry". */
  | { state: 'preparing'; reason: string }
  /** The host's agent is newer than this app: left alone, never used for jobs until resolved. */
  | { state: 'newer'; agentVersion: string; reason: string }
  /**
   * Could not be checked or deployed. `retryAt`: when deployment checks the host again by itself
   * (absent: only on demand).
   */
  | { state: 'error'; reason: string; retryAt?: string };

export interface DeploymentApi {
  /** Resolves once the host's readiness is known (deploying first if needed). */
  ensureHostReady(hostId: string): Promise<HostReadiness>;
  /** The last known readiness, without waiting. */
  readiness(hostId: string): HostReadiness;
  /** Fires whenever a host's readiness changes (e.g. becomes ready: inventory refreshes it). */
  onChange(listener: (hostId: string, readiness: HostReadiness) => void): () => void;
  /**
   * Checks a host whose check or deployment failed again now (the admin asked for a refresh),
   * instead of at its next automatic re-check. Other hosts: their current readiness.
   */
  recheck(hostId: string): Promise<HostReadiness>;
  /** Forgets cached matches and deploys again (one host, or all when omitted). */
  redeploy(hostId?: string): Promise<void>;
  /**
   * Report that the agent failed on a host (e.g. AgentNotDeployed, SCHEMA_VERSION_MISMATCH):
   * forgets the cached match, so the next ensureHostReady checks the version and redeploys.
   */
  invalidate(hostId: string, reason: string): void;
}
