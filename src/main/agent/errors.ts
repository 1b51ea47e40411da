/** The agent is missing on the host (or the install directory is wrong): deploy, then retry. */
export class AgentNotDeployed extends Error {
  override name = 'AgentNotDeployed';
  readonly code = 'AGENT_NOT_DEPLOYED';
  constructor(host: string, installDir: string) {
    super(`host ${host}: the Aether-V agent is not installed in ${installDir}; it will be redeployed`);
  }
}

/** The agent ran and reported a structured error (docs/agent.md, "Error codes"). */
export class AgentOperationFailed extends Error {
  override name = 'AgentOperationFailed';
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** powershell.exe or the agent misbehaved: no result line, or one we cannot read. */
export class AgentProtocolError extends Error {
  override name = 'AgentProtocolError';
  readonly code = 'AGENT_PROTOCOL_ERROR';
}
