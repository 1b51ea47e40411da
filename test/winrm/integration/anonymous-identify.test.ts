/**
 * The unauthenticated Identify that opens Test connection: it sends no credentials, and tells
 * "WinRM is there" (an identity, or a 401 offering sign-in) from "something else answers here".
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { identifyAnonymously } from '../../../src/main/winrm';
import { startLab } from '../../lab';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function serve(handler: http.RequestListener): Promise<{ endpoint: string; seen: http.IncomingHttpHeaders[] }> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/wsman`, seen };
}

describe('identifyAnonymously', () => {
  it('reads the identity of a lab host, sending the WSMANIDENTIFY header and no Authorization', async () => {
    const lab = await startLab({ hosts: 1, vmsPerHost: 0 });
    try {
      const id = await identifyAnonymously({ endpoint: lab.hosts[0]!.httpUrl, connectTimeoutMs: 5_000 });
      expect(id?.productVendor).toBe('Microsoft Corporation');
      expect(lab.host(lab.hosts[0]!.name).stats.authFailures).toBe(0);
    } finally {
      await lab.close();
    }
  });

  it('a 401 offering sign-in means WinRM is there but identifies itself only after sign-in', async () => {
    const { endpoint, seen } = await serve((_req, res) => res.writeHead(401, { 'WWW-Authenticate': 'Negotiate' }).end());
    await expect(identifyAnonymously({ endpoint, connectTimeoutMs: 5_000 })).resolves.toBeUndefined();
    expect(seen[0]).toMatchObject({ wsmanidentify: 'unauthenticated' });
    expect(seen[0]!.authorization).toBeUndefined();
  });

  it('a web page on the port is said to be no WS-Man', async () => {
    const { endpoint } = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>hello</html>'));
    await expect(identifyAnonymously({ endpoint, connectTimeoutMs: 5_000 })).rejects.toThrow(/answered, but not with WS-Man \(Content-Type text\/html\) — is this a WinRM port\?/);
  });

  it('a 404 names the WinRM path', async () => {
    const { endpoint } = await serve((_req, res) => res.writeHead(404).end());
    await expect(identifyAnonymously({ endpoint, connectTimeoutMs: 5_000 })).rejects.toThrow(/answered HTTP 404 Not Found — is this a WinRM endpoint \(path \/wsman\)\?/);
  });
});
