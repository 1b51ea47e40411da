import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WinrmClient, WinrmFault } from '../../../src/main/winrm';
import { ShellPool, WsmanRpc, executeCommand, readReceive, receiveSpec } from '../../../src/main/winrm/winrs';
import { makeTransport, replay, CREDENTIALS } from './support/harness';
import { FIXTURES, loadCapture, startReplay, type ReplayServer } from './support/replay-server';

interface IndexEntry {
  action: string;
  exit_code?: number;
  decoded_streams_utf8?: { stdout?: string; stderr?: string } | null;
}
const index = JSON.parse(readFileSync(resolve(FIXTURES, 'exploded/index.json'), 'utf8')) as Record<string, IndexEntry[]>;

/** What the capture says the command printed, from exploded/index.json. */
function recorded(name: string, from = 0, to = Infinity): { stdout: string; stderr: string; exitCode: number | undefined } {
  let stdout = '';
  let stderr = '';
  let exitCode: number | undefined;
  for (const [i, entry] of index[`winrs/${name}`]!.entries()) {
    if (i < from || i >= to || entry.action !== 'Receive') continue;
    stdout += entry.decoded_streams_utf8?.stdout ?? '';
    stderr += entry.decoded_streams_utf8?.stderr ?? '';
    if (entry.exit_code !== undefined) exitCode = entry.exit_code;
  }
  return { stdout, stderr, exitCode };
}

let servers: ReplayServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function runReplay(name: string, run: (client: WinrmClient) => Promise<void>): Promise<ReplayServer> {
  const { server, client } = await replay(name);
  servers.push(server);
  await run(client);
  await client.close();
  expect(server.problems).toEqual([]);
  expect(server.remaining()).toBe(0);
  return server;
}

describe('replaying real WinRS captures through WinrmClient', () => {
  it('standard: echo hi', async () => {
    let result;
    await runReplay('test_winrs_standard', async (client) => {
      result = await client.exec('cmd.exe', ['/c', 'echo', 'hi']);
    });
    const want = recorded('test_winrs_standard');
    expect(result).toEqual({ stdout: want.stdout, stderr: want.stderr, exitCode: want.exitCode });
    expect(result!.stdout).toBe('hi\r\n');
  });

  it('stderr and exit code 1', async () => {
    let result;
    await runReplay('test_winrs_stderr_rc', async (client) => {
      result = await client.exec('cmd.exe', ['/c echo out && echo err>&2 && exit 1']);
    });
    expect(result).toEqual({ stdout: 'out \r\n', stderr: 'err \r\n', exitCode: 1 });
  });

  it('UTF-8 output under codepage 65001', async () => {
    let result;
    await runReplay('test_winrs_unicode', async (client) => {
      result = await client.exec('powershell.exe', ['Write-Host こんにちは']);
    });
    expect(result).toEqual({ stdout: 'こんにちは\n', stderr: '', exitCode: 0 });
  });

  it('long-running command: TimedOut faults are retried and output arrives incrementally', async () => {
    const seen: string[] = [];
    let result;
    const server = await runReplay('test_winrs_operation_timeout', async (client) => {
      result = await client.exec('powershell.exe', ['Write-Host hi; Start-Sleep 30; Write-Host hi again'], {
        onStdout: (text) => seen.push(text),
      });
    });
    const want = recorded('test_winrs_operation_timeout');
    expect(result).toEqual({ stdout: want.stdout, stderr: '', exitCode: 0 });
    expect(seen).toEqual(['hi\n', 'hi again\n']);
    expect(server.received.map((r) => r.action)).toEqual(['Create', 'Command', 'Receive', 'Receive', 'Receive', 'Receive', 'Signal', 'Delete']);
    expect(server.received[6]!.signalCode).toBe('terminate');
  });

  it('stdin via Send with End', async () => {
    let result;
    const server = await runReplay('test_winrs_send', async (client) => {
      result = await client.exec('powershell.exe', ['-'], { stdin: 'Write-Host "output 1";Write-Host "output 2";' });
    });
    expect(result).toEqual({ stdout: 'output 1\noutput 2\n', stderr: '', exitCode: 0 });
    const send = server.received.find((r) => r.action === 'Send')!;
    expect(send.stdinEnd).toBe(true);
  });

  it('two commands from two clients (the capture opens a shell per command)', async () => {
    const server = await startReplay(loadCapture('test_client_execute_cmd'), { basic: CREDENTIALS });
    servers.push(server);
    const first = WinrmClient.withTransport(makeTransport(server.url));
    const dir = await first.exec('dir');
    await first.close();
    const second = WinrmClient.withTransport(makeTransport(server.url));
    const echo = await second.exec('echo abc');
    await second.close();
    expect(server.problems).toEqual([]);
    expect(dir.stdout).toBe(recorded('test_client_execute_cmd', 0, 5).stdout);
    expect(dir.stdout).toContain('28,319,084,544 bytes free');
    expect(echo).toEqual({ stdout: 'abc\r\n', stderr: '', exitCode: 0 });
  });

  it('request headers: unique MessageIDs, To, OperationTimeout within the server maximum', async () => {
    const server = await runReplay('test_winrs_standard', async (client) => {
      await client.exec('cmd.exe', ['/c', 'echo', 'hi']);
    });
    const ids = server.received.map((r) => r.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of server.received) {
      expect(r.messageId).toMatch(/^uuid:[0-9A-F-]{36}$/);
      expect(r.to).toBe(server.url);
      expect(r.operationTimeout).toBe('PT10S');
    }
    const create = server.received[0]!;
    expect(create.options).toMatchObject({ WINRS_CODEPAGE: '65001', WINRS_NOPROFILE: 'TRUE' });
  });
});

describe('replaying captures through the WinRS layer', () => {
  async function layer(name: string): Promise<{ server: ReplayServer; rpc: WsmanRpc }> {
    const server = await startReplay(loadCapture(name), { basic: CREDENTIALS });
    servers.push(server);
    return { server, rpc: new WsmanRpc(makeTransport(server.url), 10) };
  }

  it('a Receive for an unknown CommandId is a WinrmFault with code 2150858843', async () => {
    const { server, rpc } = await layer('test_winrs_bad_cmd_id');
    const pool = new ShellPool(rpc);
    const lease = await pool.acquire();
    // Run the command the capture ran, but poll a made-up command id as the capture did.
    const { startCommand, signalCommand } = await import('../../../src/main/winrm/winrs');
    const commandId = await startCommand(rpc, lease.shellId, 'cmd.exe', ['/c', 'echo', 'hi']);
    const error = await rpc.call(receiveSpec(lease.shellId, '87E77BEB-6761-4C48-9D70-A00266B8459A')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WinrmFault);
    expect((error as WinrmFault).wsmanCode).toBe(2150858843);
    expect((error as WinrmFault).subcode).toBe('w:InvalidSelectors');
    expect((error as WinrmFault).message).toContain('command identifier that does not exist');
    await signalCommand(rpc, lease.shellId, commandId, 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate');
    await pool.release(lease);
    await pool.close();
    // release() keeps the shell idle; close() deletes it.
    expect(server.problems).toEqual([]);
    expect(server.remaining()).toBe(0);
  });

  it('a Receive without CommandId is fault 87 with the provider message', async () => {
    const { server, rpc } = await layer('test_winrs_fail_poll_process');
    const pool = new ShellPool(rpc);
    const lease = await pool.acquire();
    const error = await rpc.call(receiveSpec(lease.shellId, undefined)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WinrmFault);
    expect((error as WinrmFault).wsmanCode).toBe(87);
    expect((error as WinrmFault).faultMessage).toBe('The parameter is incorrect.');
    await pool.release(lease);
    await pool.close();
    expect(server.problems).toEqual([]);
    expect(server.remaining()).toBe(0);
  });

  it('SKIP_CMD_SHELL with a relative exe faults 2147942402; the full path then works', async () => {
    const { server, rpc } = await layer('test_winrs_no_cmd_shell');
    const pool = new ShellPool(rpc);
    const error = await executeCommand(rpc, pool, { command: 'powershell.exe', args: ['Write-Host', 'hi'], skipCmdShell: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WinrmFault);
    expect((error as WinrmFault).wsmanCode).toBe(2147942402);
    expect((error as WinrmFault).message).toContain('cannot find the file specified');
    const ok = await executeCommand(rpc, pool, {
      command: 'C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\powershell.exe',
      args: ['Write-Host', 'hi'],
      skipCmdShell: true,
    });
    expect(ok).toEqual({ stdout: 'hi\n', stderr: '', exitCode: 0 });
    await pool.close();
    expect(server.problems).toEqual([]);
    expect(server.remaining()).toBe(0);
  });

  it('environment variables with XML metacharacters reach the shell', async () => {
    const { server, rpc } = await layer('test_winrs_environment');
    const weird = '_-(){}[]<>*+-/\\?"!@#$^&|;:i,.`~0';
    const pool = new ShellPool(rpc, { environment: { env1: 'var1', '1234': '5678', [weird]: weird } });
    const result = await executeCommand(rpc, pool, { command: 'cmd.exe', args: ['/c', 'set'] });
    await pool.close();
    expect(server.problems).toEqual([]);
    expect(result.stdout).toBe(recorded('test_winrs_environment').stdout);
    expect(result.stdout).toContain(`${weird}=${weird}\r\n`);
  });

  it('working directory option', async () => {
    const { server, rpc } = await layer('test_winrs_extra_opts');
    const pool = new ShellPool(rpc, { workingDirectory: 'C:\\Windows', idleTimeoutS: 60 });
    const result = await executeCommand(rpc, pool, { command: 'powershell.exe', args: ['(pwd).Path'] });
    await pool.close();
    expect(server.problems).toEqual([]);
    expect(result.stdout).toBe('C:\\Windows\r\n');
  });

  it('noprofile shell', async () => {
    const { server, rpc } = await layer('test_winrs_noprofile');
    const pool = new ShellPool(rpc, { noProfile: true });
    const result = await executeCommand(rpc, pool, { command: 'cmd.exe', args: ['/c', 'set'] });
    await pool.close();
    expect(server.problems).toEqual([]);
    expect(result.stdout).toBe(recorded('test_winrs_noprofile').stdout);
    expect(result.exitCode).toBe(0);
  });

  it('open then close without commands: Create then Delete', async () => {
    const { server, rpc } = await layer('test_winrs_open_already_opened');
    const pool = new ShellPool(rpc);
    await pool.release(await pool.acquire());
    expect(pool.openShells).toBe(1);
    await pool.close();
    expect(pool.openShells).toBe(0);
    expect(server.received.map((r) => r.action)).toEqual(['Create', 'Delete']);
    expect(server.problems).toEqual([]);
  });

  it('readReceive keeps only the streams of the command asked for', async () => {
    const body = readFileSync(resolve(FIXTURES, 'exploded/winrs/test_winrs_stderr_rc/02-Receive.response.xml'), 'utf8');
    const { readResponse } = await import('../../../src/main/winrm/soap');
    const parsed = readResponse({ status: 200, body }, { action: 'Receive' });
    const own = readReceive(parsed, undefined);
    expect(own.exitCode).toBe(1);
    expect(own.chunks.map((c) => c.stream).sort()).toEqual(['stderr', 'stdout']);
    expect(readReceive(parsed, '00000000-0000-0000-0000-000000000000').chunks).toEqual([]);
  });
});
