import { WINDOWS_PATH_PATTERN } from '../../shared/contract';

export const AGENT_ENTRY_SCRIPT = 'Invoke-AgentOperation.ps1';
const INSTALL_DIR = new RegExp(WINDOWS_PATH_PATTERN, 'u');

/**
 * The one PowerShell text the app sends to run the agent. The install directory is the only value
 * in it: checked against a strict ASCII allow-list and quoted as a single-quoted literal (quotes
 * doubled as a second line of defence). Everything else travels as base64 JSON on stdin.
 */
export function agentCommandText(installDir: string): string {
  if (!INSTALL_DIR.test(installDir) || installDir.length > 200) {
    throw new Error(`agent install directory "${installDir}" is not an allowed Windows path; fix it in Settings → Agent`);
  }
  const dir = installDir.replace(/\\+$/, '').replace(/'/g, "''");
  return `$ProgressPreference='SilentlyContinue'; $LASTEXITCODE=1; & '${dir}\\${AGENT_ENTRY_SCRIPT}'; exit $LASTEXITCODE`;
}

export function encodeEnvelope(envelope: { operation: string; correlationId: string; fields: Record<string, unknown> }): string {
  return Buffer.from(JSON.stringify({ schemaVersion: 1, ...envelope }), 'utf8').toString('base64');
}
