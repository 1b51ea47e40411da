/**
 * Errors an admin reads must name the host and point at the right fix: a reply cut off mid-way
 * (a real socket reset by a test server) and a name that does not resolve.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HttpWsmanTransport } from '../../../src/main/winrm/http/transport';
import { HostUnreachable, ProtocolError } from '../../../src/main/winrm/errors';

describe('error wording', () => {
  it('a connection reset in the middle of a reply names the host', async () => {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nContent-Length: 5000\r\n\r\n<s:Envelope');
        setTimeout(() => socket.end(), 20);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const t = new HttpWsmanTransport({ endpoint: `http://127.0.0.1:${port}/wsman`, auth: 'basic', username: 'u', password: 'p', allowUnencryptedBasic: true });
    try {
      const err = await t.post('<x/>').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).message).toBe(`127.0.0.1:${port}: connection closed before the HTTP response was complete`);
      expect((err as ProtocolError).host).toBe(`127.0.0.1:${port}`);
    } finally {
      await t.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a DNS failure says to check the name, not the WinRM service', () => {
    const dns = new HostUnreachable('hv01.invalid', 5985, 'DNS lookup failed');
    expect(dns.message).toBe("cannot reach hv01.invalid:5985 (DNS lookup failed) — check the host name 'hv01.invalid' (a typo, or no DNS record for it) or use its IP address");
    const refused = new HostUnreachable('hv01', 5985, 'connection refused');
    expect(refused.message).toMatch(/— is the WinRM service running and TCP 5985\/5986 open in the firewall\?$/);
  });
});
