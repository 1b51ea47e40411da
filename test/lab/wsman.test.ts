/** The lab's WS-Man endpoint: protocol shapes, faults, quotas, timeouts, auth and cancellation. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLab, type Lab, type SimHost } from './index';
import { encodePs, faultCode, faultSubcode, RawWsmanClient } from './support/raw-client';

let lab: Lab;
let host: SimHost;
let client: RawWsmanClient;

beforeAll(async () => {
  lab = await startLab({ hosts: 2, vmsPerHost: 2, allowUnencryptedBasic: true });
  host = lab.host('hv01');
  const info = lab.hosts[0];
  client = new RawWsmanClient(info.httpUrl, info.username, info.password);
});
afterAll(() => lab.close());
beforeEach(async () => {
  await host.setKnobs({ latencyMs: 0, failureRate: 0, hang: false, authFailure: false, maxShells: 30, slowFactor: 1, receiveChunkBytes: 32 * 1024 });
});

describe('WinRS over the lab', () => {
  it('runs cmd built-ins with exit codes, like the real capture', async () => {
    const { shellId } = await client.createShell();
    const { commandId } = await client.command(shellId, 'cmd.exe', ['/c echo out && echo err>&2 && exit 1']);
    const result = await client.runToEnd(shellId, commandId);
    expect(result.stdout.toString()).toBe('out \r\n');
    expect(result.stderr.toString()).toBe('err \r\n');
    expect(result.exitCode).toBe(1);
    expect((await client.deleteShell(shellId)).status).toBe(200);
  });

  it('answers an unknown ShellId with w:InvalidSelectors (2150858843)', async () => {
    const res = await client.receive('7E2E0B0A-0000-4000-8000-000000000000', 'X');
    expect(res.status).toBe(500);
    expect(faultSubcode(res.body)).toBe('w:InvalidSelectors');
    expect(faultCode(res.body)).toBe('2150858843');
  });

  it('answers w:TimedOut (2150858793) while a command outlives OperationTimeout, then finishes', async () => {
    const { shellId } = await client.createShell();
    const { commandId } = await client.command(shellId, 'powershell.exe', ['-EncodedCommand', encodePs('Start-Sleep -Milliseconds 1500; Write-Output done')]);
    const first = await client.receive(shellId, commandId, 'PT0.5S');
    expect(first.status).toBe(500);
    expect(faultSubcode(first.body)).toBe('w:TimedOut');
    expect(faultCode(first.body)).toBe('2150858793');
    const rest = await client.runToEnd(shellId, commandId, 'PT0.5S');
    expect(rest.stdout.toString()).toBe('done\r\n');
    await client.deleteShell(shellId);
  });

  it('enforces the shell quota with w:QuotaLimit (2150859173)', async () => {
    await host.setKnobs({ maxShells: 2 });
    const a = await client.createShell();
    const b = await client.createShell();
    const c = await client.createShell();
    expect(c.status).toBe(500);
    expect(faultSubcode(c.body)).toBe('w:QuotaLimit');
    expect(faultCode(c.body)).toBe('2150859173');
    expect(host.stats.openShells).toBe(2);
    await client.deleteShell(a.shellId);
    await client.deleteShell(b.shellId);
  });

  it('refuses a command line over 8191 characters', async () => {
    const { shellId } = await client.createShell();
    const res = await client.command(shellId, 'powershell.exe', ['-EncodedCommand', 'A'.repeat(8200)]);
    expect(res.status).toBe(500);
    expect(faultCode(res.body)).toBe('2147942606');
    expect(res.body).toContain('The filename or extension is too long.');
    await client.deleteShell(shellId);
  });

  it('answers 401 for bad credentials and when the authFailure knob is on', async () => {
    const info = lab.hosts[0];
    const bad = new RawWsmanClient(info.httpUrl, info.username, 'nope');
    const res = await bad.post(bad.envelope('http://schemas.xmlsoap.org/ws/2004/09/transfer/Create', {}));
    expect(res.status).toBe(401);
    await host.setKnobs({ authFailure: true });
    expect((await client.createShell()).status).toBe(401);
    expect(host.stats.authFailures).toBeGreaterThanOrEqual(2);
  });

  it('feeds stdin to `powershell.exe -` line by line', async () => {
    const { shellId } = await client.createShell();
    const { commandId } = await client.command(shellId, 'powershell.exe', ['-']);
    await client.send(shellId, commandId, 'Write-Host "output 1";\n', false);
    await client.send(shellId, commandId, 'Write-Host "output 2"', true);
    const result = await client.runToEnd(shellId, commandId);
    expect(result.stdout.toString()).toBe('output 1\noutput 2\n');
    await client.deleteShell(shellId);
  });

  it('splits long output across several Receive responses', async () => {
    await host.setKnobs({ receiveChunkBytes: 512 });
    const long = 'x'.repeat(2500);
    const { shellId } = await client.createShell();
    const { commandId } = await client.command(shellId, 'powershell.exe', ['-EncodedCommand', encodePs(`Write-Output '${long}'`)]);
    const result = await client.runToEnd(shellId, commandId);
    expect(result.stdout.toString()).toBe(long + '\r\n');
    expect(result.receives).toBeGreaterThanOrEqual(5);
    await client.deleteShell(shellId);
  });

  it('answers anonymous Identify only with WSMANIDENTIFY: unauthenticated', async () => {
    const body =
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>';
    const anonymous = await fetch(lab.hosts[0].httpUrl, { method: 'POST', headers: { 'Content-Type': 'application/soap+xml;charset=UTF-8', WSMANIDENTIFY: 'unauthenticated' }, body });
    expect(anonymous.status).toBe(200);
    expect(await anonymous.text()).toContain('<wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor>');
    const noHeader = await fetch(lab.hosts[0].httpUrl, { method: 'POST', headers: { 'Content-Type': 'application/soap+xml;charset=UTF-8' }, body });
    expect(noHeader.status).toBe(401);
    expect(noHeader.headers.get('www-authenticate')).toContain('Negotiate');
  });
});

describe('knobs and stats', () => {
  it('hang keeps a command running until ctrl_c; stats track concurrency', async () => {
    await host.setKnobs({ hang: true });
    const { shellId } = await client.createShell();
    const { commandId } = await client.command(shellId, 'cmd.exe', ['/c', 'echo', 'never']);
    expect(host.stats.concurrentCommands).toBe(1);
    const waiting = await client.receive(shellId, commandId, 'PT0.3S');
    expect(faultCode(waiting.body)).toBe('2150858793');
    expect((await client.signal(shellId, commandId, 'ctrl_c')).status).toBe(200);
    const result = await client.runToEnd(shellId, commandId);
    expect(result.exitCode).toBe(-1073741510);
    expect(result.stdout.length).toBe(0);
    expect(host.stats.concurrentCommands).toBe(0);
    expect(host.stats.maxConcurrentCommands).toBeGreaterThanOrEqual(1);
    await client.signal(shellId, commandId, 'terminate');
    expect(faultCode((await client.receive(shellId, commandId)).body)).toBe('2150858843');
    await client.deleteShell(shellId);
  });

  it('unreachable refuses connections and comes back on the same port', async () => {
    const url = lab.hosts[0].httpUrl;
    await host.setKnobs({ unreachable: true });
    await expect(fetch(url, { method: 'POST' })).rejects.toThrow();
    await host.setKnobs({ unreachable: false });
    expect(host.httpUrl).toBe(url);
    expect((await client.createShell()).status).toBe(200);
  });

  it('failureRate 1 fails every request; latency delays responses; bounds are enforced', async () => {
    await host.setKnobs({ failureRate: 1, failureMode: 'http500' });
    const failed = await client.post('<x/>');
    expect(failed.status).toBe(500);
    expect(failed.body).toContain('failureRate');
    await host.setKnobs({ failureRate: 1, failureMode: 'reset' });
    await expect(client.post('<x/>')).rejects.toThrow();
    await host.setKnobs({ failureRate: 0, latencyMs: 200 });
    const started = Date.now();
    await client.post('<x/>');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    await expect(host.setKnobs({ failureRate: 2 })).rejects.toThrow(/failureRate=2 is out of range/);
    await expect(host.setKnobs({ latencyMs: -1 })).rejects.toThrow(RangeError);
    await host.setKnobs({ latencyMs: 0 });
  });

  it('counts HTTP requests', async () => {
    const before = host.stats.httpRequests;
    await client.createShell().then((s) => client.deleteShell(s.shellId));
    expect(host.stats.httpRequests - before).toBe(2);
  });
});
