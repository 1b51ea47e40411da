/** The lab's cmd / powershell.exe stand-ins: real error shapes, script dispatch, encodings. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab, type SimHost } from './index';
import { encodePs, RawWsmanClient } from './support/raw-client';

const AGENT = 'C:\\Program Files\\Aether-V\\agent';
let lab: Lab;
let host: SimHost;
let client: RawWsmanClient;

async function psRaw(script: string, stdin?: string, codepage = 65001): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number }> {
  const { shellId } = await client.createShell(codepage);
  const { commandId } = await client.command(shellId, 'powershell.exe', ['-NoProfile', '-NonInteractive', '-EncodedCommand', encodePs(script)]);
  if (stdin !== undefined) await client.send(shellId, commandId, stdin, true);
  const result = await client.runToEnd(shellId, commandId);
  await client.deleteShell(shellId);
  return result;
}

async function ps(script: string, stdin?: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const result = await psRaw(script, stdin);
  return { stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8'), exitCode: result.exitCode };
}

/** What pypsrp's sanitise_clixml keeps: the S="Error" strings with _x000D__x000A_ decoded. */
function errorText(stderr: string): string {
  return [...stderr.matchAll(/<S S="Error">([^<]*)<\/S>/g)].map((m) => m[1].replace(/_x000D__x000A_/g, '\r\n').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')).join('');
}

beforeAll(async () => {
  lab = await startLab({ hosts: 1, vmsPerHost: 3, allowUnencryptedBasic: true });
  host = lab.host('hv01');
  client = new RawWsmanClient(lab.hosts[0].httpUrl, lab.hosts[0].username, lab.hosts[0].password);
});
afterAll(() => lab.close());

describe('powershell.exe', () => {
  it('answers an unknown command with the real "not recognized" CLIXML, like the fixture', async () => {
    const result = await ps('fake cmdlet');
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    const fixture = readFileSync(new URL('../fixtures/winrm-fixtures/pypsrp/clixml/test_sanitise_clixml_with_error.xml', import.meta.url), 'utf8');
    expect(result.stderr.startsWith('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">')).toBe(true);
    expect(result.stderr.endsWith('</Objs>')).toBe(true);
    expect(errorText(result.stderr)).toBe(errorText(fixture));
  });

  it('evaluates the literal forms', async () => {
    const result = await ps(
      "$ProgressPreference = 'SilentlyContinue'\nWrite-Output 'a' \"b$env:COMPUTERNAME\"; Write-Host x y; hostname; [Console]::Out.Write('raw'); $n = 'v'; $n\n$PSVersionTable.PSVersion.Major",
    );
    expect(result).toEqual({ stdout: 'a\r\nbHV01\r\nx y\nHV01\r\nrawv\r\n5\r\n', stderr: '', exitCode: 0 });
  });

  it('reports Write-Error as CLIXML and exit code 1, and exit N wins', async () => {
    const failed = await ps("Write-Error 'disk full'");
    expect(failed.exitCode).toBe(1);
    expect(errorText(failed.stderr)).toContain("Write-Error 'disk full' : disk full");
    expect(errorText(failed.stderr)).toContain('WriteErrorException');
    expect((await ps("Write-Error 'x'; exit 0")).exitCode).toBe(0);
    expect((await ps('exit 42')).exitCode).toBe(42);
  });

  it('encodes output in the shell code page (65001 vs the WinRS default 437)', async () => {
    expect((await ps("Write-Output 'Überwachung-01 测试'")).stdout).toBe('Überwachung-01 测试\r\n');
    const cp437 = await psRaw("Write-Output 'Überwachung-01 测试'", undefined, 437);
    expect(cp437.stdout).toEqual(Buffer.from([0x9a, ...Buffer.from('berwachung-01 ??\r\n')]));
  });
});

describe('agent script dispatch', () => {
  const script = `${AGENT}\\Get-Inventory.ps1`;

  it('answers "not recognized" for a script the app has not deployed', async () => {
    host.registerScriptHandler('Get-Inventory.ps1', () => 0);
    host.files.delete(script);
    const result = await ps(`& '${script}'`);
    expect(result.exitCode).toBe(1);
    const text = errorText(result.stderr);
    expect(text).toContain(`& : The term '${script}' is not recognized as the name of a cmdlet`);
    expect(text).toContain('At line:1 char:3');
  });

  it('runs the registered handler for a deployed script, case-insensitively, with args and piped stdin', async () => {
    const calls: Array<{ stdin: string; args: string[] }> = [];
    host.registerScriptHandler('get-inventory.PS1', async (ctx) => {
      calls.push({ stdin: ctx.stdin, args: ctx.args });
      ctx.stdout(JSON.stringify({ Host: { ComputerName: ctx.host.computerName }, VirtualMachines: ctx.host.model.vms.map((v) => v.name) }));
      await ctx.sleep(10);
      ctx.stdout('\r\n');
      return 0;
    });
    host.files.put(script, '# deployed by the app');
    const result = await ps(`$input | & '${script.toUpperCase()}' -ComputerName hv01`, '{"request":1}');
    expect(result.exitCode).toBe(0);
    const parsed = JSON.parse(result.stdout) as { Host: { ComputerName: string }; VirtualMachines: string[] };
    expect(parsed.Host.ComputerName).toBe('HV01');
    expect(parsed.VirtualMachines).toContain('Überwachung-01');
    expect(calls).toEqual([{ stdin: '{"request":1}', args: ['-ComputerName', 'hv01'] }]);
  });

  it('turns a handler exit code and a thrown error into the process result', async () => {
    host.files.put(`${AGENT}\\Invoke-VmAction.ps1`, '');
    host.registerScriptHandler('Invoke-VmAction.ps1', (ctx) => {
      if (ctx.args.includes('-Throw')) throw new Error('VM not found');
      ctx.writeError('soft failure');
      return 3;
    });
    // The script's exit code reaches the process through $LASTEXITCODE, as the app's command does it.
    const soft = await ps(`& '${AGENT}\\Invoke-VmAction.ps1'; exit $LASTEXITCODE`);
    expect(soft.exitCode).toBe(3);
    expect(errorText(soft.stderr)).toContain('soft failure');
    const thrown = await ps(`& '${AGENT}\\Invoke-VmAction.ps1' -Throw`);
    expect(thrown.exitCode).toBe(1);
    expect(errorText(thrown.stderr)).toContain('VM not found');
  });
});

describe('cmd.exe', () => {
  it('answers an unknown program like cmd does', async () => {
    const { shellId } = await client.createShell();
    const { commandId } = await client.command(shellId, 'frobnicate');
    const result = await client.runToEnd(shellId, commandId);
    expect(result.stderr.toString()).toBe("'frobnicate' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n");
    expect(result.exitCode).toBe(9009);
    const who = await client.command(shellId, 'whoami');
    expect((await client.runToEnd(shellId, who.commandId)).stdout.toString()).toBe('hv01\\administrator\r\n');
    await client.deleteShell(shellId);
  });
});
