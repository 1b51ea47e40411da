import { normalizeVersionText } from '../../../src/main/deployment/version';
import { AgentOperationError, type AgentOperation } from './types';

const ENTRY = '\\invoke-agentoperation.ps1';

/**
 * The lab's side of the agent's deployment-related operations (docs/agent.md, `version`).
 * The dispatcher does not pass the script's path, so the install directory is the folder that
 * holds Invoke-AgentOperation.ps1 (the lab supports one install directory per host).
 */
export const deploymentOperations: Record<string, AgentOperation> = {
  version: ({ host }) => {
    const entry = host.files.list().find((path) => path.toLowerCase().endsWith(ENTRY));
    if (!entry)
      throw new AgentOperationError(
        'AGENT_INCOMPLETE',
        'Invoke-AgentOperation.ps1 was not found; redeploy the agent.',
      );
    const installDirectory = entry.slice(0, entry.length - ENTRY.length);
    // Like Get-AgentVersionText: a missing file reads as '' (the app then redeploys).
    return {
      agentVersion: normalizeVersionText(host.files.get(`${installDirectory}\\version`)),
      installDirectory,
      psVersion: '5.1.17763.5830',
      computerName: host.computerName,
      schemaVersion: 1,
    };
  },
};
