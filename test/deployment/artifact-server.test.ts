import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile, utimes } from 'node:fs/promises';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  startArtifactServer,
  type ArtifactLogEvent,
  type ArtifactServer,
} from '../../src/main/deployment/artifact-server';
import { buildAgentManifest } from '../../src/main/deployment/manifest';

const SECRET_MARKER = 'TOP-SECRET-NOT-AN-AGENT-FILE';
const SCRIPT_A = "Write-Output 'agent A'\r\n";

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Sends the request line byte for byte (fetch and http.request would normalise the path). */
function rawRequest(
  port: number,
  method: string,
  path: string,
  extraHeaders: string[] = [],
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split < 0 ? all.length : split).toString('latin1');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const at = line.indexOf(':');
        if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers,
        body: split < 0 ? Buffer.alloc(0) : all.subarray(split + 4),
      });
    });
    socket.write(
      Buffer.from(
        [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...extraHeaders, '', ''].join(
          '\r\n',
        ),
        'latin1',
      ),
    );
  });
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

let root: string;
let agentDir: string;
let server: ArtifactServer;
let events: ArtifactLogEvent[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'aetherv-artifacts-'));
  agentDir = join(root, 'agent');
  await mkdir(agentDir);
  await writeFile(join(agentDir, 'version'), '1.2.3\n');
  await writeFile(join(agentDir, 'A.ps1'), SCRIPT_A);
  await writeFile(join(agentDir, 'Big.iso'), Buffer.alloc(300_000, 7));
  // Files that must never be served: a non-payload file inside the folder and one beside it.
  await writeFile(join(agentDir, 'secret.txt'), SECRET_MARKER);
  await writeFile(join(agentDir, 'notes.md'), SECRET_MARKER);
  await writeFile(join(root, 'outside.ps1'), SECRET_MARKER);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

beforeEach(async () => {
  events = [];
  server = await startArtifactServer({ host: '127.0.0.1', port: 0, agentDir, log: (e) => events.push(e) });
});

afterEach(async () => {
  await server.close();
});

const port = (): number => Number(new URL(server.url).port);

describe('artifact server: manifest and files', () => {
  it('serves the manifest built from the agent folder, with only payload files', async () => {
    const res = await rawRequest(port(), 'GET', '/agent/manifest.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const manifest = JSON.parse(res.body.toString('utf8'));
    expect(manifest).toEqual(await buildAgentManifest(agentDir));
    expect(manifest.agentVersion).toBe('1.2.3');
    expect(manifest.files.map((f: { name: string }) => f.name)).toEqual(['A.ps1', 'Big.iso', 'version']);
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.headers.etag).toBe(`"sha256-${sha256(res.body)}"`);
  });

  it('serves a manifest file with exact length, strong SHA-256 ETag and the same bytes', async () => {
    const res = await rawRequest(port(), 'GET', '/agent/A.ps1');
    expect(res.status).toBe(200);
    expect(res.body.toString('utf8')).toBe(SCRIPT_A);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(SCRIPT_A));
    expect(res.headers.etag).toBe(`"sha256-${sha256(SCRIPT_A)}"`);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const big = await rawRequest(port(), 'GET', '/agent/Big.iso');
    expect(big.body.length).toBe(300_000);
    expect(big.headers['content-type']).toBe('application/octet-stream');
  });

  it('answers If-None-Match with 304 and no body (strong, weak and list forms), else 200', async () => {
    const etag = `"sha256-${sha256(SCRIPT_A)}"`;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await rawRequest(port(), 'GET', '/agent/A.ps1', [`If-None-Match: ${header}`]);
      expect(res.status, header).toBe(304);
      expect(res.body.length).toBe(0);
      expect(res.headers.etag).toBe(etag);
    }
    expect((await rawRequest(port(), 'GET', '/agent/A.ps1', ['If-None-Match: "sha256-0000"'])).status).toBe(
      200,
    );
    const manifest = await rawRequest(port(), 'GET', '/agent/manifest.json');
    expect(
      (await rawRequest(port(), 'GET', '/agent/manifest.json', [`If-None-Match: ${manifest.headers.etag}`]))
        .status,
    ).toBe(304);
  });

  it('HEAD gives the GET headers and no body', async () => {
    const res = await rawRequest(port(), 'HEAD', '/agent/A.ps1');
    expect(res.status).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(SCRIPT_A));
    expect(res.headers.etag).toBe(`"sha256-${sha256(SCRIPT_A)}"`);
    expect(res.body.length).toBe(0);
  });

  it('ignores Range: always the full body with 200 and Accept-Ranges: none', async () => {
    const res = await rawRequest(port(), 'GET', '/agent/A.ps1', ['Range: bytes=0-3']);
    expect(res.status).toBe(200);
    expect(res.body.toString('utf8')).toBe(SCRIPT_A);
    expect(res.headers['accept-ranges']).toBe('none');
    expect(res.headers['content-range']).toBeUndefined();
  });

  it('reports health', async () => {
    const res = await rawRequest(port(), 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString('utf8'))).toEqual({ status: 'ok', agentVersion: '1.2.3', files: 3 });
  });

  it('rejects other methods with 405 and an Allow header', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      const res = await rawRequest(port(), method, '/agent/A.ps1', ['Content-Length: 0']);
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
  });

  it('answers 404 for any other path', async () => {
    for (const path of [
      '/',
      '/agent',
      '/agent/',
      '/favicon.ico',
      '/agent/manifest.json/x',
      '/healthz/x',
      '/AGENT/A.ps1',
    ]) {
      expect((await rawRequest(port(), 'GET', path)).status, path).toBe(404);
    }
  });

  it('counts and logs completed downloads only (not HEAD, not 304)', async () => {
    await rawRequest(port(), 'HEAD', '/agent/A.ps1');
    await rawRequest(port(), 'GET', '/agent/A.ps1', [`If-None-Match: "sha256-${sha256(SCRIPT_A)}"`]);
    expect(server.downloads.count).toBe(0);
    await rawRequest(port(), 'GET', '/agent/A.ps1');
    await rawRequest(port(), 'GET', '/agent/version');
    // Counted on the response's 'finish', which may come a turn after the client has the bytes.
    await vi.waitFor(() => expect(server.downloads.count).toBe(2), { timeout: 2_000 });
    expect(server.downloads.recent.map((d) => d.file)).toEqual(['A.ps1', 'version']);
    expect(server.downloads.recent[0].remoteAddress).toMatch(/127\.0\.0\.1/);
    const served = events.filter((e) => e.status === 200);
    expect(served.map((e) => e.message)).toEqual(['Served A.ps1', 'Served version']);
    expect(served[0].bytes).toBe(Buffer.byteLength(SCRIPT_A));
  });
});

describe('artifact server: nothing outside the manifest is ever served', () => {
  const traversals = [
    '/agent/secret.txt',
    '/agent/notes.md',
    '/agent/../secret.txt',
    '/agent/../outside.ps1',
    '/agent/../../outside.ps1',
    '/agent/./A.ps1',
    '/agent/..%2fsecret.txt',
    '/agent/..%2Fsecret.txt',
    '/agent/%2e%2e/secret.txt',
    '/agent/%2E%2E%2Foutside.ps1',
    '/agent/%2e%2e%5csecret.txt',
    '/agent/..%5coutside.ps1',
    '/agent/..\\outside.ps1',
    '/agent\\..\\secret.txt',
    '/agent/%252e%252e%252fsecret.txt',
    '/agent/%25252e%25252e/outside.ps1',
    '/agent/%c0%ae%c0%ae/secret.txt',
    '/agent/%u002e%u002e/secret.txt',
    '/agent//etc/passwd',
    '/agent/%2fetc%2fpasswd',
    '/agent/C:\\Windows\\win.ini',
    '/agent/C:%5CWindows%5Cwin.ini',
    '/agent/\\\\server\\share\\x.ps1',
    '/agent/A.ps1%00.txt',
    '/agent/A.ps1%00',
    '/agent/%41.ps1',
    '/agent/a.ps1',
    '/agent/A.ps1/',
    '/agent/A.ps1/..',
    '/agent/....//secret.txt',
    '//agent/A.ps1',
    'http://127.0.0.1/agent/../secret.txt',
    '/agent/manifest.json/../secret.txt',
  ];

  it.each(traversals)('%s → 404, no foreign bytes', async (path) => {
    const res = await rawRequest(port(), 'GET', path);
    expect(res.status).toBe(404);
    expect(res.body.toString('latin1')).not.toContain(SECRET_MARKER);
  });

  it('a raw NUL or control byte in the path is rejected before any lookup', async () => {
    for (const path of ['/agent/A.ps1\u0000', '/agent/\u0000../secret.txt', '/agent/A.ps1\u0001']) {
      const res = await rawRequest(port(), 'GET', path);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.toString('latin1')).not.toContain(SECRET_MARKER);
    }
  });

  it('every 200 over a sweep of paths is a manifest file, byte-identical to its hash', async () => {
    const manifest = await buildAgentManifest(agentDir);
    const byHash = new Set(manifest.files.map((f) => f.sha256));
    const paths = [...traversals, '/agent/A.ps1', '/agent/version', '/agent/Big.iso', '/agent/secret.txt'];
    let ok = 0;
    for (const path of paths) {
      const res = await rawRequest(port(), 'GET', path);
      if (res.status === 200) {
        ok++;
        expect(byHash.has(sha256(res.body)), path).toBe(true);
      }
    }
    expect(ok).toBe(3);
  });

  it('logs refused agent paths as warnings', async () => {
    await rawRequest(port(), 'GET', '/agent/..%2fsecret.txt');
    expect(
      events.some((e) => e.level === 'warn' && e.status === 404 && e.path === '/agent/..%2fsecret.txt'),
    ).toBe(true);
  });
});

describe('artifact server: lifecycle', () => {
  it('exposes ready, the advertised base URL and per-file URLs', async () => {
    expect(server.ready).toBe(true);
    expect(server.advertisedBaseUrl).toBe(server.url);
    expect(server.fileUrl('A.ps1')).toBe(`${server.url}/agent/A.ps1`);
    expect(() => server.fileUrl('secret.txt')).toThrow(/not an agent file/);
    const other = await startArtifactServer({
      host: '127.0.0.1',
      port: 0,
      agentDir,
      advertisedBaseUrl: 'http://ws01.corp:8750/',
      log: () => {},
    });
    try {
      expect(other.advertisedBaseUrl).toBe('http://ws01.corp:8750');
      expect(other.fileUrl('version')).toBe('http://ws01.corp:8750/agent/version');
    } finally {
      await other.close();
    }
  });

  it('close() stops listening and clears ready', async () => {
    const p = port();
    await server.close();
    expect(server.ready).toBe(false);
    await expect(rawRequest(p, 'GET', '/healthz')).rejects.toThrow();
  });

  it('refuses to serve a file changed on disk since startup (its hash would not match)', async () => {
    const dir = join(root, 'changing');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'version'), '1.0.0\n');
    await writeFile(join(dir, 'X.ps1'), 'one\n');
    const changing = await startArtifactServer({ host: '127.0.0.1', port: 0, agentDir: dir, log: () => {} });
    try {
      await writeFile(join(dir, 'X.ps1'), 'two, longer\n');
      await utimes(join(dir, 'X.ps1'), new Date(), new Date(Date.now() + 5000));
      const res = await rawRequest(Number(new URL(changing.url).port), 'GET', '/agent/X.ps1');
      expect(res.status).toBe(503);
      expect(res.body.toString('utf8')).not.toContain('two');
    } finally {
      await changing.close();
    }
  });

  it('explains a busy port', async () => {
    const blocker = createNetServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const busy = (blocker.address() as AddressInfo).port;
    try {
      await expect(
        startArtifactServer({ host: '127.0.0.1', port: busy, agentDir, log: () => {} }),
      ).rejects.toThrow(/already in use/);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  it('fails to start without a valid version file', async () => {
    const dir = join(root, 'noversion');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'A.ps1'), 'x');
    await expect(
      startArtifactServer({ host: '127.0.0.1', port: 0, agentDir: dir, log: () => {} }),
    ).rejects.toThrow(/no 'version' file/);
  });
});
