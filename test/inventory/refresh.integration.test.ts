import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { InventoryVm, VmDetails } from '../../src/shared/contract';
import { startLab, type Lab, type SimVm } from '../lab';
import { inventoryCalls, setInventoryKnobs, toGiB } from '../lab/agent/inventory';
import { addVms, removeVms } from '../lab/model';
import { startBackendHarness, waitFor, type Harness } from './support/harness';

const HOSTS = 20;
const VMS = 50;

/** What the store must say about a lab VM after a full refresh (units converted like the agent). */
function expectedConfig(vm: SimVm) {
  const gib = (mib: number) => Math.round(Math.round((mib / 1024) * 100) / 100 * 1024);
  return {
    name: vm.name,
    state: vm.state,
    processorCount: vm.processorCount,
    memoryStartupMb: gib(vm.memoryStartupMiB),
    memoryMinMb: vm.dynamicMemoryEnabled ? gib(vm.memoryMinimumMiB) : null,
    memoryMaxMb: vm.dynamicMemoryEnabled ? gib(vm.memoryMaximumMiB) : null,
    dynamicMemory: vm.dynamicMemoryEnabled,
    generation: vm.generation,
    configurationVersion: vm.configurationVersion,
    notes: vm.notes,
    operatingSystem: vm.operatingSystem,
    ipAddresses: vm.ipAddresses.filter((ip) => !ip.startsWith('fe80')),
    disks: vm.disks.map((d) => ({ id: d.id, name: d.name, path: d.path, type: d.diskType })),
    nics: vm.nics.map((n) => ({ id: n.id, name: n.name, switchName: n.switchName, vlan: n.vlan, macAddress: n.macAddress, ipAddresses: n.ipAddresses })),
  };
}

/** The row plus what `inventory.vm` reads for the VM page. */
function actualConfig(vm: InventoryVm, details: VmDetails) {
  expect(vm.diskCount).toBe(details.disks.length);
  return {
    name: vm.name,
    state: vm.state,
    processorCount: vm.processorCount,
    memoryStartupMb: vm.memoryStartupMb,
    memoryMinMb: details.memoryMinMb,
    memoryMaxMb: details.memoryMaxMb,
    dynamicMemory: vm.dynamicMemory,
    generation: vm.generation,
    configurationVersion: details.configurationVersion,
    notes: details.notes,
    operatingSystem: vm.operatingSystem,
    ipAddresses: vm.ipAddresses,
    disks: details.disks.map((d) => ({ id: d.id, name: d.name, path: d.path, type: d.type })),
    nics: details.nics,
  };
}

describe(`inventory refresh: ${HOSTS} lab hosts × ${VMS} VMs over NTLM-sealed WinRM into SQLite`, () => {
  let lab: Lab;
  let h: Harness;
  const idOf = (name: string) => h.hostIds.get(name)!;
  const labVms = () => lab.hosts.flatMap((info) => lab.host(info.name).model.vms.map((vm) => ({ hostId: idOf(info.name), vm })));

  function assertStoreMatchesLab() {
    const snapshot = h.api.snapshot();
    const real = snapshot.vms.filter((v) => !v.placeholder);
    const expected = labVms();
    expect(real.length).toBe(expected.length);
    const byKey = new Map(real.map((v) => [v.key, v]));
    for (const { hostId, vm } of expected) {
      const got = byKey.get(`${hostId}:${vm.id}`);
      expect(got, `VM ${vm.name} on ${hostId}`).toBeDefined();
      expect(actualConfig(got!, h.api.store.vmDetail(hostId, vm.id)!.details)).toEqual(expectedConfig(vm));
    }
    // What the renderer rebuilt from snapshot + deltas is the same as the store's own snapshot.
    const mirror = h.mirror();
    expect(new Map(mirror.vms.map((v) => [v.key, v]))).toEqual(byKey);
  }

  beforeAll(async () => {
    lab = await startLab({ hosts: HOSTS, vmsPerHost: VMS, clusters: 2, seed: 5 });
    // The real backend: deployment installs the agent over NTLM, then inventory refreshes each host
    // as soon as deployment reports it ready. A long quick interval keeps background polls out of
    // the way of the exact-delta assertions below (the loops themselves are tested elsewhere).
    h = await startBackendHarness(lab, { inventory: { quickSyncIntervalS: 3600 } });
    await waitFor(() => h.api.snapshot().hosts.filter((x) => x.sync.state === 'fresh').length === HOSTS, 60_000, 'every host deployed and refreshed');
  }, 90_000);

  afterAll(async () => {
    await h?.close();
    await lab?.close();
  });

  test('the store matches the lab model exactly once deployment made every host ready', () => {
    assertStoreMatchesLab();
    // Hosts waited in "preparing" while their agent was deployed, and were refreshed once ready.
    const preparing = h.notifications.filter((n) => n.title.startsWith('Preparing host'));
    expect(preparing.length).toBeGreaterThan(0);
    expect(h.notificationCenter.list().filter((n) => n.title.startsWith('Preparing host'))).toHaveLength(0);
    const snapshot = h.api.snapshot();
    expect(snapshot.hosts.every((x) => x.sync.state === 'fresh' && x.sync.generation === 1)).toBe(true);
    expect(snapshot.vms.some((v) => v.name === 'Überwachung-01')).toBe(true);
    expect(snapshot.vms.every((v) => !v.stale)).toBe(true);
    // The full refresh alone (no quick sync has run: its interval is an hour) filled the hot
    // columns: CPU, memory and heartbeat show from the first refresh.
    const byKey = new Map(snapshot.vms.map((v) => [v.key, v]));
    for (const { hostId, vm } of labVms()) {
      const got = byKey.get(`${hostId}:${vm.id}`)!;
      expect({ cpu: got.cpuPercent, memory: got.memoryAssignedMb, heartbeat: got.heartbeat }, vm.name).toEqual({
        cpu: vm.cpuUsagePercent,
        memory: Math.round(toGiB(vm.memoryAssignedMiB * 2 ** 20) * 1024), // the agent's GiB, banker's rounding
        heartbeat: vm.state === 'Running' ? 'OkApplicationsUnknown' : null,
      });
    }
    expect(inventoryCalls(lab.host(lab.hosts[0]!.name)).quick).toBe(0);
    // Each host's free memory (the cluster view sums it) came with its inventory.
    for (const info of lab.hosts) {
      const host = snapshot.hosts.find((x) => x.hostId === idOf(info.name))!;
      expect(host.memoryAvailableGb, info.name).toBe(toGiB(lab.host(info.name).model.memoryAvailableMiB * 2 ** 20));
    }
  });

  test('remove 3 VMs and add 2 in the lab: the next refresh shows exactly that, as a delta', async () => {
    const host = lab.host('hv03').model;
    const removed = removeVms(host, 3);
    const added = addVms(host, 2, 99);
    const before = h.events.length;
    await h.api.refresh(idOf('hv03'));
    assertStoreMatchesLab();
    const deltas = h.events.slice(before).filter((e) => e.topic === 'inventory');
    expect(deltas.every((e) => e.kind === 'delta')).toBe(true);
    const removedKeys = deltas.flatMap((e) => (e.kind === 'delta' ? (e.payload as { vms: { remove: string[] } }).vms.remove : []));
    const upserted = deltas.flatMap((e) => (e.kind === 'delta' ? (e.payload as { vms: { upsert: InventoryVm[] } }).vms.upsert : []));
    expect(removedKeys.sort()).toEqual(removed.map((v) => `${idOf('hv03')}:${v.id}`).sort());
    // Only the two new VMs changed: the 47 unchanged ones are neither rewritten nor re-sent.
    expect(upserted.map((v) => v.vmId).sort()).toEqual(added.map((v) => v.id).sort());
    expect(h.api.store.tombstones(idOf('hv03')).map((t) => t.vmId).sort()).toEqual(removed.map((v) => v.id).sort());
  });

  test('an unreachable host keeps its VMs, marked stale; recovery makes them fresh; each notification once', async () => {
    const id = idOf('hv05');
    const count = lab.host('hv05').model.vms.length;
    await lab.host('hv05').setKnobs({ unreachable: true });
    await h.api.refresh(id);
    await h.api.refresh(id);
    let vms = h.api.snapshot().vms.filter((v) => v.hostId === id);
    expect(vms).toHaveLength(count);
    expect(vms.every((v) => v.stale && v.staleSince !== null)).toBe(true);
    const host = h.api.snapshot().hosts.find((x) => x.hostId === id)!;
    expect(host.sync).toMatchObject({ state: 'error', consecutiveFailures: 2 });
    expect(Date.parse(host.sync.nextAttemptAt!)).toBeGreaterThan(Date.now());
    expect(h.hosts.list().find((x) => x.id === id)?.status).toBe('unreachable');
    expect(h.api.store.tombstones(id)).toHaveLength(0);

    await lab.host('hv05').setKnobs({ unreachable: false });
    await h.api.refresh(id);
    await h.api.refresh(id);
    vms = h.api.snapshot().vms.filter((v) => v.hostId === id);
    expect(vms.every((v) => !v.stale && v.staleSince === null)).toBe(true);
    expect(h.hosts.list().find((x) => x.id === id)?.status).toBe('connected');
    const unreachable = h.notifications.filter((n) => n.title === 'Host hv05 unreachable');
    expect(unreachable).toHaveLength(1);
    // One sentence per clause: no doubled host prefix, no "?." where the error asks a question.
    expect(unreachable[0]!.message).toMatch(/^.+[?] Its \d+ VMs keep their last known values/);
    expect(unreachable[0]!.message).not.toMatch(/host hv05: host hv05:|[.?!]\./i);
    expect(h.notifications.filter((n) => n.title === 'Host hv05 recovered')).toHaveLength(1);
    assertStoreMatchesLab();
  });

  test('a host down for N cycles (Hyper-V service stopped) deletes nothing and recovers by itself', async () => {
    const id = idOf('hv07');
    setInventoryKnobs(lab.host('hv07'), { downForCycles: 2 });
    expect(await h.api.refresh(id)).toEqual({ [id]: 'failed' });
    expect(await h.api.refresh(id)).toEqual({ [id]: 'failed' });
    expect(h.api.snapshot().vms.filter((v) => v.hostId === id && v.stale)).toHaveLength(lab.host('hv07').model.vms.length);
    expect(await h.api.refresh(id)).toEqual({ [id]: 'refreshed' });
    expect(h.api.snapshot().hosts.find((x) => x.hostId === id)!.sync).toMatchObject({ state: 'fresh', consecutiveFailures: 0, nextAttemptAt: null });
    expect(h.notifications.filter((n) => n.title === 'Host hv07 unreachable')).toHaveLength(1);
    expect(h.notifications.filter((n) => n.title === 'Host hv07 recovered')).toHaveLength(1);
  });

  test('manual refreshes are coalesced: at most one call in flight per host', async () => {
    const id = idOf('hv09');
    const callsBefore = inventoryCalls(lab.host('hv09')).full;
    setInventoryKnobs(lab.host('hv09'), { delayMs: 300 });
    const first = await h.service.handlers!['inventory.refresh']!({ hostId: id });
    const second = await h.service.handlers!['inventory.refresh']!({ hostId: id });
    expect(first).toEqual({ hostIds: [id], coalesced: [] });
    expect(second).toEqual({ hostIds: [id], coalesced: [id] });
    await h.api.refresh(id);
    setInventoryKnobs(lab.host('hv09'), { delayMs: 0 });
    expect(inventoryCalls(lab.host('hv09')).full - callsBefore).toBe(1);
  });

  test('a quick sync writes hot state only and publishes only VMs whose state changed', async () => {
    const id = idOf('hv02');
    await h.api.refresh(id);
    expect(await h.api.quickRefresh(id)).toBe('refreshed');
    const vm = lab.host('hv02').model.vms.find((v) => v.state === 'Running')!;
    const before = h.events.length;
    vm.cpuUsagePercent = vm.cpuUsagePercent === 50 ? 51 : 50;
    expect(await h.api.quickRefresh(id)).toBe('refreshed');
    expect(h.api.snapshot().vms.find((v) => v.vmId === vm.id)?.cpuPercent).toBe(vm.cpuUsagePercent);
    const changed = h.events
      .slice(before)
      .filter((e) => e.topic === 'inventory' && e.kind === 'delta')
      .flatMap((e) => (e.payload as { vms: { upsert: InventoryVm[] } }).vms.upsert.map((v) => v.vmId));
    expect(changed).toEqual([vm.id]);
  });

  test('sync statistics and health are served through the contract handlers', async () => {
    const stats = await h.service.handlers!['inventory.syncStats']!({});
    expect(stats.totals).toEqual({ hosts: HOSTS, vms: labVms().length, clusters: 2 });
    expect(stats.hosts.fresh).toBe(HOSTS);
    const health = await h.service.handlers!['inventory.health']!({});
    expect(health).toEqual({ healthy: true, issues: [] });
    const metrics = h.service.metrics!();
    expect(metrics.map((g) => g.name)).toEqual(['inventory', 'inventory cycles', 'inventory hosts']);
    expect(metrics[2]!.rows).toHaveLength(HOSTS);
  });
});

