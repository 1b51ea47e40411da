/** The lab's guest listeners: which VMs listen (Running only, bounded, deterministic), and that close frees every port. */
import { describe, expect, test } from 'vitest';
import { tcpConnect } from '../../src/main/reachability';
import { generateLabModel, guestListenerPlan, isLoopbackV4, startGuestListeners } from '../lab';

describe('lab guest listeners', () => {
  const model = generateLabModel({ hosts: 3, vmsPerHost: 40, seed: 3, clusters: 1 });
  const vmById = new Map(model.hosts.flatMap((h) => h.vms.map((vm) => [vm.id, vm])));

  test('only Running VMs listen, on a loopback address they report, RDP for Windows and SSH for Linux; bounded and the same every time', () => {
    const plan = guestListenerPlan(model.hosts, { max: 30, maxSilent: 3 });
    expect(plan).toHaveLength(30);
    expect(plan.filter((s) => s.kind === 'silent')).toHaveLength(3);
    for (const spec of plan) {
      const vm = vmById.get(spec.vmId)!;
      expect(vm.state).toBe('Running');
      expect(vm.ipAddresses).toContain(spec.address);
      expect(isLoopbackV4(spec.address) && spec.address !== '127.0.0.1').toBe(true);
      expect(spec.service).toBe(vm.osFamily === 'windows' ? 'rdp' : 'ssh');
    }
    expect(guestListenerPlan(model.hosts, { max: 30, maxSilent: 3 })).toEqual(plan);
    // Every generated address is unique and inside 127.0.0.0/8.
    const all = model.hosts.flatMap((h) => h.vms.flatMap((vm) => vm.ipAddresses));
    expect(new Set(all).size).toBe(all.length);
    expect(all.every((a) => isLoopbackV4(a) && !a.startsWith('127.0.'))).toBe(true);
  });

  test('open listeners accept, and after close nothing listens any more', async () => {
    const guests = await startGuestListeners(model.hosts, { max: 6, maxSilent: 0 });
    const open = guests.listening[0]!;
    const port = open.service === 'rdp' ? guests.rdpPort : guests.sshPort;
    expect(await tcpConnect(open.address, port, 1_000)).toBe('open');
    await guests.close();
    expect(await tcpConnect(open.address, port, 1_000)).toBe('closed');
  });
});
