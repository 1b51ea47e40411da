import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { chooseAdvertisedBaseUrl, waitForHealth } from '../../src/main/deployment/advertise';

const nic = (address: string, internal: boolean, family: 'IPv4' | 'IPv6' = 'IPv4'): NetworkInterfaceInfo =>
  ({
    address,
    internal,
    family,
    netmask: '255.0.0.0',
    mac: '00:00:00:00:00:00',
    cidr: null,
  }) as NetworkInterfaceInfo;

describe('advertised base URL', () => {
  const interfaces = {
    lo: [nic('127.0.0.1', true)],
    eth0: [nic('fe80::1', false, 'IPv6'), nic('10.0.0.20', false)],
  };

  it('uses the setting when given (trailing slash dropped)', () => {
    expect(chooseAdvertisedBaseUrl('http://ws01.corp:8765/', '0.0.0.0', 8765, interfaces).baseUrl).toBe(
      'http://ws01.corp:8765',
    );
  });
  it('uses a specific bind address, IPv6 in brackets', () => {
    expect(chooseAdvertisedBaseUrl('', '10.0.0.5', 8000, interfaces).baseUrl).toBe('http://10.0.0.5:8000');
    expect(chooseAdvertisedBaseUrl('', 'fd00::5', 8000, interfaces).baseUrl).toBe('http://[fd00::5]:8000');
  });
  it('a wildcard bind advertises the first non-internal IPv4 and says so', () => {
    const choice = chooseAdvertisedBaseUrl('', '0.0.0.0', 41234, interfaces);
    expect(choice.baseUrl).toBe('http://10.0.0.20:41234');
    expect(choice.reason).toMatch(/eth0/);
  });
  it('falls back to loopback with a warning when there is no LAN address', () => {
    const choice = chooseAdvertisedBaseUrl('', '::', 1, { lo: [nic('127.0.0.1', true)] });
    expect(choice.baseUrl).toBe('http://127.0.0.1:1');
    expect(choice.reason).toMatch(/only hosts on this workstation/);
  });
});

describe('waitForHealth', () => {
  it('is true once /healthz answers 200 and false when nothing listens within the bound', async () => {
    let calls = 0;
    const server = createServer((req, res) => {
      calls++;
      res.writeHead(req.url === '/healthz' && calls > 1 ? 200 : 503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await waitForHealth(base, 5_000)).toBe(true);
      expect(calls).toBe(2);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await waitForHealth(base, 400)).toBe(false);
  });
});
