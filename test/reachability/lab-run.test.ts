/**
 * A lab run: a real backend (deployment, reachability, inventory) on lab hosts whose guests
 * listen for RDP/SSH on their loopback addresses. Every connect the app makes is recorded: each
 * must go to a loopback address one of the VMs reported, and what was found must match what the
 * lab listens on. The connect actions are checked with a recording program starter.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { InventorySnapshot, VmReach } from '../../src/shared/contract';
import { createDeploymentModule } from '../../src/main/deployment';
import { createInventoryModule, type InventoryApi } from '../../src/main/inventory';
import { createReachabilityModule, isLoopbackAddress, tcpConnect, type ConnectFn, type ReachabilityApi } from '../../src/main/reachability';
import type { Backend } from '../../src/main/backend';
import { startLab, type Lab } from '../lab';
import { configureHosts, waitFor } from '../inventory/support/harness';
import { startTestBackend } from '../support/backend';
import { tempDir } from '../support/temp';

let lab: Lab;
let app: { backend: Backend; close(): Promise<void> };
let temp: ReturnType<typeof tempDir>;
let inventory: InventoryApi;
let reach: ReachabilityApi;
const probed: { address: string; port: number }[] = [];
const started: { file: string; args: readonly string[] }[] = [];

const recordingConnect: ConnectFn = (address, port, timeoutMs) => {
  probed.push({ address, port });
  return tcpConnect(address, port, timeoutMs);
};

const runningWithAddresses = (s: InventorySnapshot) => s.vms.filter((v) => v.state === 'Running' && v.ipAddresses.length > 0);

beforeAll(async () => {
  lab = await startLab({ hosts: 2, vmsPerHost: 14, clusters: 0, seed: 5, guestListeners: { maxSilent: 1 } });
  temp = tempDir();
  await configureHosts(temp.dir, lab.hosts);
  app = await startTestBackend({
    dataDir: temp.dir,
    modules: [
      createDeploymentModule(),
      createReachabilityModule({
        connect: recordingConnect,
        tickMs: 50,
        spawn: async (file, args) => void started.push({ file, args }),
        platform: { platform: 'linux', env: {}, exists: () => true },
      }),
      createInventoryModule(),
    ],
  });
  const ports = { rdpPort: lab.guests!.rdpPort, sshPort: lab.guests!.sshPort, timeoutMs: 500, concurrency: 8 };
  const updated = await app.backend.invoke('settings.update', { reachability: ports });
  expect(updated.ok).toBe(true);
  inventory = app.backend.modules.get('inventory')!.api as InventoryApi;
  reach = app.backend.modules.get('reachability')!.api as ReachabilityApi;
  await waitFor(() => inventory.snapshot().vms.length === 28, 30_000, 'the inventory of both hosts');
  await waitFor(
    () => runningWithAddresses(inventory.snapshot()).every((v) => reach.prober.get(v.key)?.checkedAt && probed.some((p) => p.port === ports.rdpPort)),
    30_000,
    'a probe of every Running VM with an address on the lab ports',
  );
  await reach.prober.idle();
}, 60_000);

afterAll(async () => {
  await app?.close();
  await lab?.close();
  temp?.cleanup();
});

describe('reachability in a lab run', () => {
  test('every address probed is a loopback address that a VM reported', () => {
    const reported = new Set(inventory.snapshot().vms.flatMap((v) => v.ipAddresses));
    expect(probed.length).toBeGreaterThan(10);
    for (const { address } of probed) {
      expect(isLoopbackAddress(address), address).toBe(true);
      expect(reported.has(address), `${address} is not an address any VM reported`).toBe(true);
    }
    // No VM that is not Running was ever probed.
    const notRunning = new Set(inventory.snapshot().vms.filter((v) => v.state !== 'Running').flatMap((v) => v.ipAddresses));
    expect(probed.filter((p) => notRunning.has(p.address))).toEqual([]);
    expect(reach.prober.stats().maxInFlight).toBeLessThanOrEqual(8);
  });

  test('what was found matches what the lab listens on: open where a guest listens, closed where none does or it is silent', () => {
    const guests = lab.guests!;
    expect(guests.listening.length).toBeGreaterThan(2);
    const snapshot = inventory.snapshot();
    const keyOf = (vmId: string) => snapshot.vms.find((v) => v.vmId.toLowerCase() === vmId.toLowerCase())!.key;
    for (const spec of guests.listening) {
      const result = reach.prober.get(keyOf(spec.vmId))!;
      const expected = spec.kind === 'open' ? 'open' : 'closed';
      expect(result[spec.service], `${spec.vmName} ${spec.service} (${spec.kind})`).toBe(expected);
      if (spec.kind === 'open') expect(result[spec.service === 'rdp' ? 'rdpAddress' : 'sshAddress']).toBe(spec.address);
    }
    const listeningIds = new Set(guests.listening.map((s) => s.vmId.toLowerCase()));
    const quiet = runningWithAddresses(snapshot).filter((v) => !listeningIds.has(v.vmId.toLowerCase()));
    expect(quiet.length).toBeGreaterThan(0);
    for (const vm of quiet) expect(reach.prober.get(vm.key)).toMatchObject<Partial<VmReach>>({ rdp: 'closed', ssh: 'closed', address: null });
    // The topic's snapshot is what the renderer starts from.
    expect(app.backend.services.hub.snapshot('reachability').payload.length).toBe(runningWithAddresses(snapshot).length);
  });

  test('Remote Desktop writes a .rdp file naming the first RDP address and opens it without a shell; a VM with none is told why', async () => {
    const snapshot = inventory.snapshot();
    const spec = lab.guests!.listening.find((s) => s.service === 'rdp' && s.kind === 'open')!;
    const vm = snapshot.vms.find((v) => v.vmId.toLowerCase() === spec.vmId.toLowerCase())!;
    const result = await app.backend.invoke('connect.rdp', { hostId: vm.hostId, vmId: vm.vmId });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const data = (result as { ok: true; data: { address: string; path: string; filename: string } }).data;
    expect(data.address).toBe(spec.address);
    expect(readFileSync(data.path, 'utf8')).toContain(`full address:s:${spec.address}:${lab.guests!.rdpPort}\r\n`);
    expect(started.at(-1)).toEqual({ file: 'xdg-open', args: [data.path] });

    const off = snapshot.vms.find((v) => v.state === 'Off')!;
    const refused = await app.backend.invoke('connect.rdp', { hostId: off.hostId, vmId: off.vmId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', message: expect.stringContaining('No IP address reported') } });
  });

  test('the Hyper-V console is refused off Windows with the reason', async () => {
    const vm = inventory.snapshot().vms[0]!;
    const info = await app.backend.invoke('connect.info', {});
    expect(info).toMatchObject({ ok: true, data: { vmconnect: { available: false, reason: expect.stringContaining('only on Windows') } } });
    const refused = await app.backend.invoke('connect.console', { hostId: vm.hostId, vmId: vm.vmId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });
});
