import type { AgentOperation } from './types';

/** The lab's side of the agent's deployment-related operations (filled by the deployment issue). */
export const deploymentOperations: Record<string, AgentOperation> = {};
