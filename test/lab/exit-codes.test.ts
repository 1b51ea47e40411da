// Exit codes of powershell.exe over WinRS (the CommandState's ExitCode), the same in the lab's two
// PowerShells: the TypeScript stand-in (demo, benchmarks) and real PowerShell (real-agent lab).
// The rules are powershell.exe's (about_PowerShell_exe), checked against real pwsh: a script's
// `exit N` sets $LASTEXITCODE; -Command exits 1/0 from the last statement unless it ends with
// `exit …`; a throw stops the rest of the command with 1. The app's agent command relies on
// `exit $LASTEXITCODE`, which the stand-in once answered with "The term 'exit' is not recognized".
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { agentCommandText } from '../../src/main/agent/command';
import { startLab, type Lab, type SimHost } from './index';
import type { ScriptHandler } from './shell/types';
import { encodePs, RawWsmanClient } from './support/raw-client';

const DIR = 'C:\\Scripts';
/** The same scripts for both: real PowerShell runs the text, the stand-in the handler beside it. */
const SCRIPTS: Record<string, { text: string; handler: ScriptHandler }> = {
  'ok.ps1': { text: "Write-Output 'ok'\nexit 0", handler: (ctx) => (ctx.stdout('ok\r\n'), 0) },
  'fail.ps1': { text: 'exit 3', handler: () => 3 },
  'noexit.ps1': { text: '$null = 1', handler: () => undefined },
  'throw.ps1': {
    text: "throw 'disk on fire'",
    handler: () => {
      throw new Error('disk on fire');
    },
  },
};

interface Case {
  name: string;
  script: string;
  exitCode: number;
  stdout: string;
  /** Whether an error record must (true) or must not (false) be on stderr. */
  error: boolean;
}

const CASES: Case[] = [
  { name: 'exit N', script: 'exit 3', exitCode: 3, stdout: '', error: false },
  { name: 'exit (expression)', script: "Write-Output 'a'; exit (4)", exitCode: 4, stdout: 'a\n', error: false },
  { name: 'exit $LASTEXITCODE after a script that exits 0', script: `$LASTEXITCODE=1; & '${DIR}\\ok.ps1'; exit $LASTEXITCODE`, exitCode: 0, stdout: 'ok\n', error: false },
  { name: 'exit $LASTEXITCODE after a script that exits 3', script: `$LASTEXITCODE=1; & '${DIR}\\fail.ps1'; exit $LASTEXITCODE`, exitCode: 3, stdout: '', error: false },
  { name: 'exit $LASTEXITCODE after a script without exit keeps the 1 set before', script: `$LASTEXITCODE=1; & '${DIR}\\noexit.ps1'; exit $LASTEXITCODE`, exitCode: 1, stdout: '', error: false },
  { name: 'a script exit code other than 0 is 1 without exit $LASTEXITCODE', script: `& '${DIR}\\fail.ps1'`, exitCode: 1, stdout: '', error: false },
  { name: 'a later statement that succeeds gives 0', script: `& '${DIR}\\fail.ps1'; Write-Output 'after'`, exitCode: 0, stdout: 'after\n', error: false },
  { name: 'a throw stops the rest of the command', script: `& '${DIR}\\throw.ps1'; Write-Output 'after'; exit 0`, exitCode: 1, stdout: '', error: true },
];

async function runPs(client: RawWsmanClient, script: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const { shellId } = await client.createShell();
  const { commandId } = await client.command(shellId, 'powershell.exe', ['-NoProfile', '-NonInteractive', '-EncodedCommand', encodePs(script)]);
  const result = await client.runToEnd(shellId, commandId);
  await client.deleteShell(shellId);
  // pwsh on Linux ends lines with LF where Windows (and the stand-in) write CRLF.
  return { stdout: result.stdout.toString('utf8').replace(/\r\n/g, '\n'), stderr: result.stderr.toString('utf8'), exitCode: result.exitCode };
}

function deployScripts(host: SimHost, withHandlers: boolean): void {
  for (const [file, { text, handler }] of Object.entries(SCRIPTS)) {
    host.files.put(`${DIR}\\${file}`, text);
    if (withHandlers) host.registerScriptHandler(file, handler);
  }
}

describe.each([
  { kind: 'stand-in PowerShell', realAgent: false },
  { kind: 'real PowerShell', realAgent: true },
])('powershell.exe exit codes over WinRS: $kind', ({ realAgent }) => {
  let lab: Lab;
  let client: RawWsmanClient;

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 1, allowUnencryptedBasic: true, realAgent });
    deployScripts(lab.host('hv01'), !realAgent);
    client = new RawWsmanClient(lab.hosts[0]!.httpUrl, lab.hosts[0]!.username, lab.hosts[0]!.password);
  }, 60_000);
  afterAll(() => lab?.close());

  test.each(CASES)('$name', async ({ script, exitCode, stdout, error }) => {
    const result = await runPs(client, script);
    expect(result.exitCode).toBe(exitCode);
    expect(result.stdout).toBe(stdout);
    expect(result.stderr.includes('<S S="Error">')).toBe(error);
    expect(result.stderr).not.toContain('is not recognized');
  }, 30_000);

  test("the app's agent command text: a deployed agent's exit 0 is the command's 0, with no error", async () => {
    const installDir = 'C:\\Agent';
    const host = lab.host('hv01');
    host.files.put(`${installDir}\\Invoke-AgentOperation.ps1`, "Write-Output 'AETHERV-RESULT {}'\nexit 0");
    if (!realAgent) host.registerScriptHandler('Invoke-AgentOperation.ps1', (ctx) => (ctx.stdout('AETHERV-RESULT {}\r\n'), 0));
    const result = await runPs(client, agentCommandText(installDir));
    expect(result).toEqual({ stdout: 'AETHERV-RESULT {}\n', stderr: '', exitCode: 0 });
  }, 30_000);
});
