/**
 * Acceptance of the WinRM client against the simulated lab over real loopback sockets with
 * NTLM-sealed HTTP: 200 concurrent commands across 20 hosts, 1 MB of output over many Receives,
 * non-ASCII round trips, a command that outlives OperationTimeout, and the request economy of a
 * warm client counted on both ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WinrmClient } from '../../../src/main/winrm';
import { startLab, type Lab, type LabHostInfo } from '../../lab';

let lab: Lab;
const clients: WinrmClient[] = [];

function clientFor(info: LabHostInfo, extra: { operationTimeoutS?: number; maxConnections?: number } = {}): WinrmClient {
  const client = new WinrmClient({ endpoint: info.httpUrl, auth: 'ntlm', username: info.username, password: info.password, ...extra });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  lab = await startLab({ hosts: 20, vmsPerHost: 1, seed: 7 });
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await lab?.close();
});

describe('WinrmClient against the lab (NTLM-sealed HTTP)', () => {
  it('200 concurrent commands across 20 hosts all return their own output and exit code', async () => {
    expect(lab.hosts).toHaveLength(20);
    for (const info of lab.hosts) lab.host(info.name).resetStats();
    const runs = lab.hosts.flatMap((info) => {
      const client = clientFor(info);
      return Array.from({ length: 10 }, async (_, i) => {
        const token = `${info.name}-cmd-${i}`;
        // The short sleep keeps all ten in flight at once on the host (checked below).
        const result = await client.exec(`powershell.exe -NoProfile -Command "Start-Sleep -Milliseconds 200"& echo ${token}& hostname& exit ${i}`);
        return { info, i, token, result };
      });
    });
    const results = await Promise.all(runs);
    expect(results).toHaveLength(200);
    for (const { info, i, token, result } of results) {
      expect(result.stdout).toBe(`${token}\r\n${info.name.toUpperCase()}\r\n`);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(i);
    }
    // Every host really ran its 10 commands, concurrently, and nothing leaked into another host.
    for (const info of lab.hosts) {
      const stats = lab.host(info.name).stats;
      expect(stats.commandsStarted).toBe(10);
      expect(stats.maxConcurrentCommands).toBeGreaterThan(1);
      expect(stats.authFailures).toBe(0);
    }
  }, 60_000);

  it('1 MB of output spread over many Receives arrives intact, multi-byte characters split at chunk edges included', async () => {
    const info = lab.hosts[0];
    const host = lab.host(info.name);
    // An odd chunk size so 2-, 3- and 4-byte UTF-8 sequences straddle Receive boundaries.
    await host.setKnobs({ receiveChunkBytes: 4093 });
    try {
      const line = (n: number) => `line ${String(n).padStart(6, '0')} Ünïcødé VM-名前 ✓ 🖥️ ${'x'.repeat(n % 17)}\r\n`;
      const lines: string[] = [];
      for (let n = 0, bytes = 0; bytes < 1024 * 1024; n++) {
        lines.push(line(n));
        bytes += Buffer.byteLength(lines[n]);
      }
      const content = lines.join('');
      host.files.put('C:\\Temp\\big.txt', content);
      const client = clientFor(info);
      host.resetStats();
      let chunks = 0;
      const result = await client.exec('type C:\\Temp\\big.txt', [], { onStdout: () => void chunks++ });
      expect(result.exitCode).toBe(0);
      expect(Buffer.byteLength(result.stdout)).toBe(Buffer.byteLength(content));
      expect(result.stdout === content).toBe(true);
      expect(result.stdout).not.toContain('\ufffd');
      // Well over a hundred Receive round trips: many requests, streamed in many pieces.
      expect(chunks).toBeGreaterThan(100);
      expect(host.stats.httpRequests).toBeGreaterThan(1024 * 1024 / 4093 / 2);
    } finally {
      await host.setKnobs({ receiveChunkBytes: 32 * 1024 });
    }
  });

  it('non-ASCII output round-trips through cmd and PowerShell', async () => {
    const client = clientFor(lab.hosts[1]);
    const text = 'Ünïcødé — 日本語 Ελληνικά кириллица ✓ 🖥️';
    const viaCmd = await client.exec(`echo ${text}`);
    expect(viaCmd.stdout).toBe(`${text}\r\n`);
    const viaPs = await client.powershell(`Write-Output '${text}'`);
    expect(viaPs.stdout).toBe(`${text}\r\n`);
    expect(viaPs.exitCode).toBe(0);
  });

  it('a command that outlives OperationTimeout completes (w:TimedOut Receives are retried)', async () => {
    const info = lab.hosts[2];
    const host = lab.host(info.name);
    const client = clientFor(info, { operationTimeoutS: 1 });
    await client.exec('hostname'); // warm: connection authenticated, shell open
    host.resetStats();
    const started = performance.now();
    const result = await client.powershell("Write-Output 'before'; Start-Sleep -Seconds 3; Write-Output 'after'");
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ stdout: 'before\r\nafter\r\n', exitCode: 0, errors: [] });
    expect(elapsed).toBeGreaterThan(2_500);
    // Command + at least 3 Receives (two of them answered with TimedOut after 1 s) + Signal.
    expect(host.stats.httpRequests).toBeGreaterThanOrEqual(5);
  });
});

describe('request economy on the real lab', () => {
  it('a warm client spends exactly 3 HTTP requests per short command (Command, Receive, Signal)', async () => {
    const info = lab.hosts[3];
    const host = lab.host(info.name);
    const client = clientFor(info);
    await client.exec('hostname'); // cold: NTLM handshake + Create + the command
    // Warm means every pooled connection this workload uses is authenticated: the deferred
    // Signal of one command overlaps the next Command, so two connections take turns.
    await client.exec('hostname');
    await client.exec('hostname');
    await client.idle();
    const coldRequests = client.requestCount;
    expect(coldRequests).toBeGreaterThan(3);
    host.resetStats();
    const shellsBefore = host.stats.openShells;
    const before = client.requestCount;
    const commands = 25;
    for (let i = 0; i < commands; i++) {
      const result = await client.exec(`echo warm-${i}`);
      expect(result.stdout).toBe(`warm-${i}\r\n`);
    }
    await client.idle(); // the last command's Signal is answered after its result returned
    expect((client.requestCount - before) / commands).toBe(3);
    expect(host.stats.httpRequests).toBe(3 * commands);
    expect(host.stats.authFailures).toBe(0);
    expect(host.stats.openShells).toBe(shellsBefore); // the same shell, reused
  });

  it('PowerShell through the warm shell costs the same 3 requests', async () => {
    const info = lab.hosts[4];
    const host = lab.host(info.name);
    const client = clientFor(info);
    await client.powershell("Write-Output 'cold'");
    await client.idle();
    host.resetStats();
    const before = client.requestCount;
    const result = await client.powershell('$env:COMPUTERNAME');
    expect(result.stdout).toBe(`${info.name.toUpperCase()}\r\n`);
    await client.idle();
    expect(client.requestCount - before).toBe(3);
    expect(host.stats.httpRequests).toBe(3);
  });
});
