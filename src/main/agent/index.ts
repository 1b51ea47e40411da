// How the app talks to its PowerShell agent on a host: one fixed command text, the envelope as
// base64 JSON on stdin, log and result lines parsed from streamed stdout (docs/agent.md).
export { agentCommandText, encodeEnvelope, AGENT_ENTRY_SCRIPT } from './command';
export { invokeAgent, type AgentInvocation, type AgentLogEntry } from './invoke';
export { AgentNotDeployed, AgentOperationFailed, AgentProtocolError } from './errors';
