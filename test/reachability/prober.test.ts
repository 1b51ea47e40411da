/**
 * The reachability prober against real sockets on loopback: what it probes (only Running VMs'
 * reported IP addresses), what it finds (the first address that answers), how many connects it
 * has in flight, its timeout, its cache and when it probes again.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_SETTINGS, type ReachabilitySettings, type VmReach } from '../../src/shared/contract';
import { isLoopbackAddress, probeTargets, ReachabilityProber, tcpConnect, type ConnectFn, type ProbedVm, type ReachDelta } from '../../src/main/reachability';
import { startSilentPorts } from '../lab/guest-listeners';

const servers: Server[] = [];
let rdpPort = 0;
let sshPort = 0;
let silent: Awaited<ReturnType<typeof startSilentPorts>>;

function listen(host: string, port: number): Promise<number> {
  const server = createServer((socket) => socket.destroy());
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => resolve((server.address() as { port: number }).port));
  });
}

beforeAll(async () => {
  rdpPort = await listen('127.77.1.2', 0); // A's second address answers RDP
  sshPort = await listen('127.77.3.1', 0); // D answers SSH
  await listen('127.77.2.1', rdpPort); // B is Off: listening, never probed
  silent = await startSilentPorts([{ address: '127.77.4.1', port: rdpPort }]);
  expect(silent.problems).toEqual([null]);
});

afterAll(async () => {
  await silent?.close();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** The real connect, recording each target and how many were in flight at once. */
function recording(): { connect: ConnectFn; targets: { address: string; port: number }[]; maxInFlight(): number } {
  const targets: { address: string; port: number }[] = [];
  let inFlight = 0;
  let max = 0;
  return {
    targets,
    maxInFlight: () => max,
    connect: async (address, port, timeoutMs) => {
      targets.push({ address, port });
      max = Math.max(max, ++inFlight);
      try {
        return await tcpConnect(address, port, timeoutMs);
      } finally {
        inFlight--;
      }
    },
  };
}

function prober(settings: Partial<ReachabilitySettings>, connect: ConnectFn, now?: () => number) {
  const config: ReachabilitySettings = { ...DEFAULT_SETTINGS.reachability, rdpPort, sshPort, timeoutMs: 400, ...settings };
  const deltas: ReachDelta[] = [];
  const p = new ReachabilityProber({ settings: () => config, publish: (d) => deltas.push(d), connect, now, tickMs: 3_600_000, batchMs: 10 });
  return { p, config, deltas };
}

const vm = (key: string, state: ProbedVm['state'], ipAddresses: string[]): ProbedVm => ({ key, state, ipAddresses });

describe('reachability prober', () => {
  test('probes only Running VMs, only their reported IP addresses (no link-local), and names the first address that answered', async () => {
    const rec = recording();
    const { p, deltas } = prober({}, rec.connect);
    const vms = [
      vm('h:a', 'Running', ['127.77.1.1', '127.77.1.2', 'fe80::215:5dff:fe00:1', 'not-an-address', '169.254.3.4']),
      vm('h:b', 'Off', ['127.77.2.1']),
      vm('h:c', 'Running', []),
      vm('h:d', 'Running', ['127.77.3.1']),
    ];
    p.reset(vms);
    await p.idle();
    const reported = new Set(vms.filter((v) => v.state === 'Running').flatMap((v) => v.ipAddresses));
    expect(rec.targets.length).toBe(6); // A: 2 addresses × 2 ports, D: 1 × 2
    for (const t of rec.targets) {
      expect(isLoopbackAddress(t.address)).toBe(true);
      expect(reported.has(t.address)).toBe(true);
    }
    expect(p.get('h:a')).toMatchObject({ rdp: 'open', ssh: 'closed', rdpAddress: '127.77.1.2', sshAddress: null, address: '127.77.1.2' });
    expect(p.get('h:d')).toMatchObject({ rdp: 'closed', ssh: 'open', address: '127.77.3.1' });
    expect(Date.parse(p.get('h:a')!.checkedAt!)).toBeGreaterThan(Date.now() - 10_000);
    expect(p.get('h:b')).toBeUndefined();
    expect(p.get('h:c')).toBeUndefined();
    // Published as one batched delta, keyed like the inventory.
    expect(deltas.flatMap((d) => d.upsert.map((r) => r.key)).sort()).toEqual(['h:a', 'h:d']);
    p.close();
  });

  test('never has more connects in flight than the concurrency setting; a silent port counts as closed after the timeout', async () => {
    const rec = recording();
    const { p } = prober({ concurrency: 3, timeoutMs: 300 }, rec.connect);
    const many = Array.from({ length: 20 }, (_, i) => vm(`h:${i}`, 'Running', [`127.77.5.${i + 1}`]));
    const started = Date.now();
    p.reset([...many, vm('h:silent', 'Running', ['127.77.4.1'])]);
    await p.idle();
    expect(rec.targets.length).toBe(42);
    expect(rec.maxInFlight()).toBeLessThanOrEqual(3);
    expect(p.stats().maxInFlight).toBeLessThanOrEqual(3);
    expect(p.stats().maxInFlight).toBeGreaterThan(1);
    expect(p.get('h:silent')).toMatchObject({ rdp: 'closed', ssh: 'closed', address: null });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    p.close();
  });

  test('keeps results until the interval passes, probes again at once when state or addresses change, and drops everything when turned off', async () => {
    const rec = recording();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const { p, config, deltas } = prober({ intervalS: 60 }, rec.connect, () => now);
    p.reset([vm('h:a', 'Running', ['127.77.1.2'])]);
    await p.idle();
    expect(rec.targets.length).toBe(2);
    expect(p.get('h:a')?.checkedAt).toBe('2026-01-01T00:00:00.000Z');

    now += 30_000;
    p.tick();
    await p.idle();
    expect(rec.targets.length).toBe(2); // cached: younger than the interval
    now += 31_000;
    p.tick();
    await p.idle();
    expect(rec.targets.length).toBe(4);
    expect(p.get('h:a')?.checkedAt).toBe('2026-01-01T00:01:01.000Z');

    p.upsert(vm('h:a', 'Running', ['127.77.1.1'])); // new address: old result dropped, probed again
    await p.idle();
    expect(rec.targets.slice(4).map((t) => t.address)).toEqual(['127.77.1.1', '127.77.1.1']);
    expect(p.get('h:a')).toMatchObject({ rdp: 'closed', address: null });

    p.upsert(vm('h:a', 'Off', [])); // stopped: no result, nothing probed
    await p.idle();
    expect(p.get('h:a')).toBeUndefined();
    expect(rec.targets.length).toBe(6);
    expect(deltas.at(-1)).toEqual({ upsert: [], remove: ['h:a'] });

    p.upsert(vm('h:a', 'Running', ['127.77.1.2']));
    await p.idle();
    expect(p.get('h:a')?.rdp).toBe('open');
    config.enabled = false;
    p.tick();
    await p.idle();
    expect(p.snapshot()).toEqual<VmReach[]>([]);
    p.upsert(vm('h:a', 'Running', ['127.77.1.1']));
    now += 3_600_000;
    p.tick();
    await p.idle();
    expect(rec.targets.length).toBe(8); // nothing since it was turned off
    p.close();
  });

  test('targets: IPv4 and IPv6 as reported, without link-local, zone-scoped, unspecified or multicast addresses', () => {
    expect(probeTargets(['127.1.0.10', '::1', 'fe80::1', 'FE80::2', 'fe80::1%eth0', '169.254.1.1', '0.0.0.0', '::', '224.0.0.1', 'ff02::1', 'host.example', '127.1.0.10', ' 2001:db8::5 '])).toEqual([
      '127.1.0.10',
      '::1',
      '2001:db8::5',
    ]);
  });
});
