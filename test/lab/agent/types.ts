import type { SimHost } from '../host';

/** The envelope the app sends to Invoke-AgentOperation.ps1 (docs/agent.md), decoded. */
export interface AgentEnvelope {
  operation: string;
  correlationId?: string;
  schemaVersion?: number;
  fields: Record<string, unknown>;
}

export interface AgentOperationContext {
  host: SimHost;
  envelope: AgentEnvelope;
  signal: AbortSignal;
  /** Writes an `AETHERV-LOG` line as the real agent does. */
  log(message: string, level?: 'info' | 'warning' | 'error', step?: string): void;
  /** Delay scaled by the host's slowFactor; rejects when the command is cancelled. */
  sleep(ms: number): Promise<void>;
}

/** Thrown by an operation to produce the agent's structured error result. */
export class AgentOperationError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Returns the operation's `data`; throw AgentOperationError for an error result. */
export type AgentOperation = (context: AgentOperationContext) => Promise<unknown> | unknown;
