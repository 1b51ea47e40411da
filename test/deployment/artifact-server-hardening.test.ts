import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseListenAddress, refusalLogger, startArtifactServer, type ArtifactLogEvent } from '../../src/main/deployment/artifact-server';
import { resolveAgentDir } from '../../src/main/deployment/scripts';

let root: string;
let agentDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'aetherv-artifacts-hard-'));
  agentDir = join(root, 'agent');
  await mkdir(agentDir);
  await writeFile(join(agentDir, 'version'), '1.2.3\n');
  await writeFile(join(agentDir, 'A.ps1'), 'Write-Output "a"\n');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function get(host: string, port: number, path: string, method = 'GET'): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, method, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end();
  });
}

describe('artifact server: listens only where hosts reach it', () => {
  it('a wildcard bind address is narrowed to the advertised address of this workstation', async () => {
    const events: ArtifactLogEvent[] = [];
    const server = await startArtifactServer({ host: '0.0.0.0', port: 0, agentDir, advertisedBaseUrl: (port) => `http://127.0.0.2:${port}`, log: (e) => events.push(e) });
    try {
      const port = Number(new URL(server.url).port);
      expect(new URL(server.url).hostname).toBe('127.0.0.2');
      expect(server.advertisedBaseUrl).toBe(`http://127.0.0.2:${port}`);
      expect(await get('127.0.0.2', port, '/healthz')).toEqual({ status: 200 });
      // Any other address of this workstation has nothing listening on that port.
      expect(await get('127.0.0.1', port, '/healthz')).toEqual({ error: 'ECONNREFUSED' });
      expect(events.some((e) => /listening on http:\/\/127\.0\.0\.2:\d+ \(the address hosts use/.test(e.message))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('a specific bind address is used as set; an advertised address not on this workstation keeps the wildcard and says why', async () => {
    expect(await chooseListenAddress('10.1.2.3', '127.0.0.1')).toEqual({ address: '10.1.2.3', reason: 'the bind address setting' });
    expect((await chooseListenAddress('::', '[::1]')).address).toBe('::1');
    const nat = await chooseListenAddress('0.0.0.0', '192.0.2.10');
    expect(nat.address).toBe('0.0.0.0');
    expect(nat.reason).toMatch(/192\.0\.2\.10 is not an address of this workstation.*set artifactServer\.bindAddress/);
    expect((await chooseListenAddress('0.0.0.0', 'localhost')).address).toMatch(/^(127\.|::1$)/);
  });
});

describe('artifact server: refused requests are logged at a bounded rate', () => {
  it('a burst of refused requests gives one line at once and one line with the count, not a line each', async () => {
    const events: ArtifactLogEvent[] = [];
    const server = await startArtifactServer({ host: '127.0.0.1', port: 0, agentDir, log: (e) => events.push(e), refusedLogIntervalMs: 60_000 });
    const port = Number(new URL(server.url).port);
    for (let i = 0; i < 30; i++) expect(await get('127.0.0.1', port, `/agent/../../etc/passwd${i}`)).toEqual({ status: 404 });
    for (let i = 0; i < 10; i++) expect(await get('127.0.0.1', port, '/agent/A.ps1', 'DELETE')).toEqual({ status: 405 });
    expect(await get('127.0.0.1', port, '/agent/A.ps1')).toEqual({ status: 200 });
    const refusedLines = () => events.filter((e) => e.level === 'warn');
    expect(refusedLines()).toHaveLength(1);
    expect(refusedLines()[0]).toMatchObject({ status: 404, path: '/agent/../../etc/passwd0' });
    await server.close();
    expect(refusedLines()).toHaveLength(2);
    expect(refusedLines()[1]!.message).toBe('Refused 39 more request(s) in the last 60 s (not logged one by one)');
  });

  it('after the interval the next refusal is logged with the count of those suppressed before it', () => {
    const lines: ArtifactLogEvent[] = [];
    let now = 0;
    const limiter = refusalLogger((e) => lines.push(e), 10_000, () => now);
    const refuse = (n: number) => limiter.refused({ level: 'warn', message: `refused ${n}`, status: 404 });
    refuse(1);
    now = 1_000;
    refuse(2);
    refuse(3);
    expect(lines.map((l) => l.message)).toEqual(['refused 1']);
    now = 10_500;
    refuse(4);
    expect(lines.map((l) => l.message)).toEqual(['refused 1', 'refused 4 (and 2 more refused since the last line)']);
    limiter.close();
    expect(lines).toHaveLength(2);
  });
});

describe('the agent folder', () => {
  it('is never taken from the current directory, even when one is there', async () => {
    // The tests run from the repository root, which has an agent/ folder; a build with no agent
    // folder of its own must fail loudly instead of serving that one.
    expect(existsSync(join(process.cwd(), 'agent', 'version'))).toBe(true);
    const here = join(root, 'elsewhere', 'out', 'main');
    expect(() => resolveAgentDir(here, undefined)).toThrow(/The agent folder was not found/);
    try {
      resolveAgentDir(here, undefined);
    } catch (error) {
      expect((error as Error).message).not.toContain(join(process.cwd(), 'agent'));
    }
    // Next to the bundle (or in Electron's resources) is still found.
    await mkdir(join(agentDir, 'installer'), { recursive: true });
    expect(resolveAgentDir(join(root, 'out', 'main'), undefined)).toBe(agentDir);
    expect(resolveAgentDir(here, root)).toBe(agentDir);
  });
});
