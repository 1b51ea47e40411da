import { afterEach, describe, expect, it } from 'vitest';
import { Cancelled, WinrmClient, WinrmFault } from '../../../src/main/winrm';
import { FakeWinrs, type CommandScript } from './support/fake-winrs';
import { makeTransport } from './support/harness';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(script: CommandScript, maxIdleShells?: number): Promise<{ server: FakeWinrs; client: WinrmClient }> {
  const server = await new FakeWinrs(script).start();
  const client = WinrmClient.withTransport(makeTransport(server.url), { operationTimeoutS: 5, ...(maxIdleShells ? { maxIdleShells } : {}) });
  cleanups.push(() => server.close(), () => client.close());
  return { server, client };
}

const echo: CommandScript = (line) => [{ stdout: `${line}\r\n`, done: true, exitCode: 0 }];

describe('WinrmClient over a scripted WinRS endpoint', () => {
  it('a warm command costs exactly 3 requests: Command, Receive, Signal', async () => {
    const { server, client } = await setup(echo);
    await client.exec('hostname');
    await client.idle();
    const before = client.requestCount;
    const mark = server.received.length;
    const result = await client.exec('cmd.exe', ['/c', 'ver']);
    expect(result).toEqual({ stdout: 'cmd.exe /c ver\r\n', stderr: '', exitCode: 0 });
    // The closing Signal is sent without delaying the result; idle() waits for it.
    await client.idle();
    expect(client.requestCount - before).toBe(3);
    expect(server.actions(mark)).toEqual(['Command', 'Receive', 'Signal']);
    expect(server.signals.at(-1)!.code).toBe('terminate');
    // One shell served both commands; close() deletes it.
    expect(server.shells.size).toBe(1);
    await client.close();
    expect(server.shells.size).toBe(0);
    expect(server.actions().at(-1)).toBe('Delete');
  });

  it('decodes UTF-8 split mid-character across Receive replies, per stream', async () => {
    const text = 'é😀ü';
    const bytes = Buffer.from(text, 'utf8');
    const err = Buffer.from('ñ!', 'utf8');
    const { client } = await setup(() => [
      { stdout: bytes.subarray(0, 1), stderr: err.subarray(0, 1) },
      { stdout: bytes.subarray(1, 3) },
      'timeout',
      { stdout: bytes.subarray(3, 5), stderr: err.subarray(1) },
      { stdout: bytes.subarray(5), done: true, exitCode: 7 },
    ]);
    const seen: string[] = [];
    const seenErr: string[] = [];
    const result = await client.exec('x', [], { onStdout: (t) => seen.push(t), onStderr: (t) => seenErr.push(t) });
    expect(result).toEqual({ stdout: text, stderr: 'ñ!', exitCode: 7 });
    expect(seen.join('')).toBe(text);
    expect(seen.join('')).not.toContain('\uFFFD');
    expect(seenErr).toEqual(['ñ!']);
    // Nothing is delivered before its character is complete, and nothing is held back after.
    expect(seen).toEqual(['é', '😀ü']);
  });

  it('strips a leading UTF-8 BOM and reports Windows unsigned exit codes as signed', async () => {
    const { client } = await setup(() => [{ stdout: Buffer.from('\uFEFFok', 'utf8'), done: true, exitCode: 4294967295 }]);
    expect(await client.exec('x')).toEqual({ stdout: 'ok', stderr: '', exitCode: -1 });
  });

  it('cancellation sends ctrl_c then terminate and rejects with Cancelled; the shell stays usable', async () => {
    const { server, client } = await setup((line) => (line === 'hang' ? [{ stdout: 'started\n' }, 'hang'] : [{ stdout: line, done: true }]));
    const controller = new AbortController();
    let markStarted!: () => void;
    const started = new Promise<void>((ok) => (markStarted = ok));
    const run = client.exec('hang', [], { signal: controller.signal, onStdout: () => markStarted() });
    await started;
    // Let the second Receive reach the server and hang there before cancelling.
    while (server.actions().filter((a) => a === 'Receive').length < 2) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(Cancelled);
    expect(server.signals.map((s) => s.code)).toEqual(['ctrl_c', 'terminate']);
    expect(await client.exec('after')).toEqual({ stdout: 'after', stderr: '', exitCode: 0 });
  });

  it('an already-aborted signal sends nothing', async () => {
    const { server, client } = await setup(echo);
    const controller = new AbortController();
    controller.abort();
    await expect(client.exec('x', [], { signal: controller.signal })).rejects.toBeInstanceOf(Cancelled);
    expect(server.received).toEqual([]);
  });

  it('an expired shell is recreated once and the command retried', async () => {
    const { server, client } = await setup(echo);
    await client.exec('first');
    server.expireShells();
    await client.idle();
    const mark = server.received.length;
    expect(await client.exec('second')).toEqual({ stdout: 'second\r\n', stderr: '', exitCode: 0 });
    await client.idle();
    expect(server.actions(mark)).toEqual(['Command', 'Delete', 'Create', 'Command', 'Receive', 'Signal']);
  });

  it('concurrent commands each get their own shell; idle shells are reused', async () => {
    const { server, client } = await setup((line) => [{ stdout: line }, { done: true, exitCode: 0 }], 2);
    const results = await Promise.all(['a', 'b'].map((c) => client.exec(c)));
    expect(results.map((r) => r.stdout)).toEqual(['a', 'b']);
    const shellIds = new Set(server.received.filter((r) => r.action === 'Command').map((r) => r.shellId));
    expect(shellIds.size).toBe(2);
    await client.idle();
    const mark = server.received.length;
    await Promise.all(['c', 'd'].map((c) => client.exec(c)));
    expect(server.actions(mark)).not.toContain('Create');
  });

  it('at the per-user shell quota, extra commands wait for a shell instead of failing', async () => {
    const { server, client } = await setup((line) => [{ stdout: line }, { done: true, exitCode: 0 }], 3);
    server.maxShells = 2;
    const results = await Promise.all(['a', 'b', 'c'].map((c) => client.exec(c)));
    expect(results.map((r) => r.stdout)).toEqual(['a', 'b', 'c']);
    expect(server.received.filter((r) => r.action === 'Create').length).toBe(3);
    expect(server.shells.size).toBe(2);
  });

  it('a quota fault on re-creating a shell gives back idle shells and retries once', async () => {
    const { server, client } = await setup((line) => [{ stdout: line }, { done: true, exitCode: 0 }], 2);
    await Promise.all(['a', 'b'].map((c) => client.exec(c)));
    const idle = [...server.shells];
    server.expireShells();
    // Pretend the expired shells still count against the quota: the first Create faults.
    server.quotaFaults = 1;
    await client.idle();
    const mark = server.received.length;
    expect((await client.exec('c')).stdout).toBe('c');
    await client.idle();
    const after = server.received.slice(mark);
    expect(after.map((r) => r.action)).toEqual(['Command', 'Delete', 'Create', 'Delete', 'Create', 'Command', 'Receive', 'Receive', 'Signal']);
    expect(idle).toContain(after[3]!.shellId);
  });

  it('a quota fault with nothing to give back surfaces as WinrmFault', async () => {
    const { server, client } = await setup(echo);
    server.quotaFaults = 5;
    const error = await client.exec('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WinrmFault);
    expect((error as WinrmFault).wsmanCode).toBe(2150859173);
    expect((error as WinrmFault).message).toMatch(/maximum number of concurrent shells/);
  });

  it('sends large stdin in several Sends, End only on the last', async () => {
    const { server, client } = await setup((_line, stdin) => [{ stdout: String(stdin().length), done: true, exitCode: 0 }]);
    const big = 'x'.repeat(250_000);
    const result = await client.exec('more', [], { stdin: big });
    expect(result.stdout).toBe('250000');
    const sends = server.received.filter((r) => r.action === 'Send');
    expect(sends.length).toBe(3);
    expect(sends.map((s) => s.stdinEnd)).toEqual([false, false, true]);
  });

  it('close() is idempotent and later calls fail with a clear error', async () => {
    const { client } = await setup(echo);
    await client.exec('x');
    await client.close();
    await client.close();
    await expect(client.exec('y')).rejects.toThrow(/client was closed/);
  });
});

describe('WinrmClient.identify', () => {
  it('reads vendor, product and protocol version from an IdentifyResponse', async () => {
    const { createServer } = await import('node:http');
    const bodies: string[] = [];
    const http = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        const xml =
          '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:IdentifyResponse>' +
          '<wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion><wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor>' +
          '<wsmid:ProductVersion>OS: 10.0.20348 SP: 0.0 Stack: 3.0</wsmid:ProductVersion></wsmid:IdentifyResponse></s:Body></s:Envelope>';
        res.writeHead(200, { 'Content-Type': 'application/soap+xml;charset=UTF-8' });
        res.end(xml);
      });
    });
    await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
    cleanups.push(() => new Promise<void>((ok) => (http.closeAllConnections(), http.close(() => ok()))));
    const { port } = http.address() as { port: number };
    const client = WinrmClient.withTransport(makeTransport(`http://127.0.0.1:${port}/wsman`));
    cleanups.push(() => client.close());
    expect(await client.identify()).toEqual({
      productVendor: 'Microsoft Corporation',
      productVersion: 'OS: 10.0.20348 SP: 0.0 Stack: 3.0',
      protocolVersion: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
    });
    expect(bodies[0]).toContain('Identify/>');
  });
});
