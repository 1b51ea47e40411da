import type { AgentOperation } from './types';

/** The lab's side of the agent's inventory operations (filled by the inventory issue). */
export const inventoryOperations: Record<string, AgentOperation> = {};
