/**
 * Per-command caps over a real socket: a command's total output (stdout + stderr) and any one
 * line of agent output. At a cap the command is stopped on the host (ctrl_c, terminate) and the
 * caller gets a LimitExceeded naming the host and the cap.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { invokeAgent } from '../../../src/main/agent';
import { LimitExceeded, MAX_COMMAND_OUTPUT_BYTES, MAX_OUTPUT_LINE_BYTES, OutputLines, WinrmClient } from '../../../src/main/winrm';
import { FakeWinrs, type CommandScript, type ReceiveStep } from './support/fake-winrs';
import { makeTransport } from './support/harness';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(script: CommandScript): Promise<{ server: FakeWinrs; client: WinrmClient; host: string }> {
  const server = await new FakeWinrs(script).start();
  const client = WinrmClient.withTransport(makeTransport(server.url), { operationTimeoutS: 5 });
  cleanups.push(() => server.close(), () => client.close());
  return { server, client, host: new URL(server.url).host };
}

/** `count` Receive replies of `bytes` each, never done: a command that floods. */
function flood(bytes: number, count: number, stream: 'stdout' | 'stderr' = 'stdout'): ReceiveStep[] {
  const piece = new Uint8Array(bytes).fill(0x41);
  return Array.from({ length: count }, () => ({ [stream]: piece }));
}

function signalsFor(server: FakeWinrs): string[] {
  return server.signals.map((s) => s.code.slice(s.code.lastIndexOf('/') + 1));
}

describe('command output cap', () => {
  it('stops a flooding command at maxOutputBytes, signals it on the host and names host and cap', async () => {
    const { server, client, host } = await setup(() => flood(64 * 1024, 1000));
    const seen: string[] = [];
    const err = await client.exec('flood.exe', [], { maxOutputBytes: 256 * 1024, onStdout: (t) => seen.push(t) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitExceeded);
    const limit = err as LimitExceeded;
    expect(limit.host).toBe(host);
    expect(limit.limit).toBe(256 * 1024);
    expect(limit.message).toContain(host);
    expect(limit.message).toMatch(/output of one command \(stdout \+ stderr\) exceeds the limit of 262144 bytes/);
    // Read no further than the Receive that crossed the cap, and stop the process on the host.
    expect(server.actions().filter((a) => a === 'Receive')).toHaveLength(5);
    expect(seen.join('').length).toBe(256 * 1024);
    expect(signalsFor(server)).toEqual(['ctrl_c', 'terminate']);
  });

  it('counts stderr with stdout', async () => {
    const { client } = await setup(() => [...flood(100 * 1024, 2, 'stdout'), ...flood(100 * 1024, 2, 'stderr')]);
    const err = await client.exec('both.exe', [], { maxOutputBytes: 300 * 1024 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitExceeded);
  });

  it('output under the cap is returned whole', async () => {
    const { client } = await setup(() => [...flood(100 * 1024, 2), { done: true, exitCode: 0 }]);
    const result = await client.exec('fits.exe', [], { maxOutputBytes: 200 * 1024 });
    expect(result.stdout.length).toBe(200 * 1024);
    expect(result.exitCode).toBe(0);
  });

  it('the default cap (32 MiB) applies without any option', async () => {
    const step = 1024 * 1024;
    const { server, client } = await setup(() => flood(step, MAX_COMMAND_OUTPUT_BYTES / step + 10));
    const err = await client.exec('flood.exe').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitExceeded);
    expect((err as LimitExceeded).message).toContain('32 MiB');
    expect(server.actions().filter((a) => a === 'Receive')).toHaveLength(MAX_COMMAND_OUTPUT_BYTES / step + 1);
  });
});

describe('agent output line cap', () => {
  it('an endless AETHERV-RESULT line stops the agent command at 8 MiB with an error naming the host', async () => {
    const step = 1024 * 1024;
    const { server, client } = await setup(() => [
      { stdout: 'AETHERV-LOG {"level":"info","message":"listing"}\r\nAETHERV-RESULT {"status":"ok","data":"' },
      ...flood(step, 64),
    ]);
    const logs: string[] = [];
    const err = await invokeAgent(client, {
      host: 'hv-flood',
      installDir: 'C:\\agent',
      operation: 'inventory.list',
      correlationId: 'c1',
      onLog: (e) => logs.push(e.message),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitExceeded);
    const limit = err as LimitExceeded;
    expect(limit.limit).toBe(MAX_OUTPUT_LINE_BYTES);
    expect(limit.message).toMatch(/^hv-flood: a line of the agent's inventory\.list output \(the AETHERV-RESULT line carries the whole result\) exceeds the limit of 8 MiB/);
    expect(logs).toEqual(['listing']);
    expect(signalsFor(server)).toEqual(['ctrl_c', 'terminate']);
    // Stopped at the line cap, far below the command cap.
    expect(server.actions().filter((a) => a === 'Receive').length).toBeLessThanOrEqual(MAX_OUTPUT_LINE_BYTES / step + 2);
  });
});

describe('OutputLines', () => {
  it('splits lines across chunks, drops CR, and keeps the unterminated last line for end()', () => {
    const lines: string[] = [];
    const reader = new OutputLines((l) => lines.push(l), { host: 'h', what: 'x' });
    for (const piece of ['a', 'b\r', '\nc\n', '', 'd\r\ne', 'f']) reader.push(piece);
    reader.end();
    expect(lines).toEqual(['ab', 'c', 'd', 'ef']);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const reader = new OutputLines(() => undefined, { host: 'h', what: 'x', maxLineBytes: 10 });
    reader.push('ééééé\n'); // 10 bytes: at the cap, accepted
    expect(() => reader.push('éééééé')).toThrow(LimitExceeded); // 12 bytes
  });

  it('refuses a single over-long line that arrives complete in one chunk', () => {
    const reader = new OutputLines(() => undefined, { host: 'hv9', what: 'the test output', maxLineBytes: 100 });
    expect(() => reader.push(`${'x'.repeat(101)}\nok\n`)).toThrow(/^hv9: a line of the test output .* exceeds the limit of 100 bytes/);
  });
});
