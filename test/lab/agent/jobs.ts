import type { AgentOperation } from './types';

/** The lab's side of the agent's VM operations (filled by the jobs issue). */
export const jobOperations: Record<string, AgentOperation> = {};
