import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { asArray, parseFullInventory } from '../../src/main/inventory';
import { startLab, type Lab } from '../lab';
import { fullInventoryData, setInventoryKnobs } from '../lab/agent/inventory';
import { moveVm } from '../lab/model';
import { tempDir } from '../support/temp';
import { configureHosts, installAgent, startHarness, type Harness } from './support/harness';

// hv01..hv03 form cluster CLU-A; hv04 is standalone (the generator keeps the last host standalone).
describe('inventory against lab knobs: single VM, zero VMs, slow host, cluster migration, placeholders', () => {
  let lab: Lab;
  let temp: ReturnType<typeof tempDir>;
  let h: Harness;
  let fullIntervalMs = 60_000;
  const idOf = (name: string) => h.hostIds.get(name)!;
  const vmsOf = (name: string) => h.api.snapshot().vms.filter((v) => v.hostId === idOf(name) && !v.placeholder);

  beforeAll(async () => {
    temp = tempDir();
    lab = await startLab({ hosts: 4, vmsPerHost: 6, clusters: 1, seed: 11 });
    for (const info of lab.hosts) installAgent(lab, info.name);
    lab.host('hv04').model.vms.splice(1); // exactly one VM
    lab.host('hv02').model.vms.splice(0); // zero VMs
    setInventoryKnobs(lab.host('hv04'), { loneObject: true });
    await configureHosts(temp.dir, lab.hosts);
    h = await startHarness(temp.dir, { backgroundLoops: false, fullIntervalMs: () => fullIntervalMs });
    await h.api.initialRefresh;
  }, 30_000);

  afterAll(async () => {
    await h?.close();
    await lab?.close();
    temp?.cleanup();
  });

  test('the lab emits one VM as an array, like the real agent; a lone object (old 5.1 script) is normalised', () => {
    setInventoryKnobs(lab.host('hv04'), { loneObject: false });
    expect(Array.isArray(fullInventoryData(lab.host('hv04')).VirtualMachines)).toBe(true);
    setInventoryKnobs(lab.host('hv04'), { loneObject: true });
    const lone = fullInventoryData(lab.host('hv04'));
    expect(Array.isArray(lone.VirtualMachines)).toBe(false);
    expect(parseFullInventory(lone, 'hv04', new Date().toISOString()).vms).toHaveLength(1);
    // Hot state travels with the inventory (agent 1.1.0); an older agent's entry has none.
    const entry = { ...(lone.VirtualMachines as Record<string, unknown>) };
    expect(parseFullInventory({ ...lone, VirtualMachines: [entry] }, 'hv04', '').vms[0]!.hot).toMatchObject({ cpuPercent: entry.CpuUsagePercent });
    for (const field of ['UptimeSeconds', 'CpuUsagePercent', 'MemoryAssignedGB', 'MemoryDemandGB', 'Heartbeat']) delete entry[field];
    expect(parseFullInventory({ ...lone, VirtualMachines: [entry] }, 'hv04', '').vms[0]!.hot).toBeUndefined();
    expect(asArray(null)).toEqual([]);
    // Through WinRM and the service: the lone object became exactly one stored VM.
    expect(vmsOf('hv04').map((v) => v.vmId)).toEqual([lab.host('hv04').model.vms[0]!.id]);
  });

  test('a host with zero VMs is a complete, empty enumeration (fresh, not an error)', () => {
    expect(vmsOf('hv02')).toHaveLength(0);
    expect(h.api.snapshot().hosts.find((x) => x.hostId === idOf('hv02'))!.sync.state).toBe('fresh');
  });

  test('non-ASCII names survive WinRM, JSON and SQLite', () => {
    const names = vmsOf('hv01').map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(['Überwachung-01', '测试-db']));
  });

  test('a VM live-migrated between cluster nodes is an update of the same row, not a delete and an insert', async () => {
    const vm = lab.host('hv01').model.vms[2]!;
    const before = h.api.store.db.prepare('SELECT first_seen_at FROM vms WHERE vm_id = ?').get(vm.id) as { first_seen_at: string };
    moveVm(lab.host('hv01').model, lab.host('hv03').model, vm.id);
    // The old owner is enumerated first (the harder order): its peers are asked before anything is dropped.
    await h.api.refresh(idOf('hv01'));
    await h.api.refresh(idOf('hv03'));
    expect(vmsOf('hv01').some((v) => v.vmId === vm.id)).toBe(false);
    expect(vmsOf('hv03').find((v) => v.vmId === vm.id)?.name).toBe(vm.name);
    expect(h.api.store.tombstones()).toHaveLength(0);
    const after = h.api.store.db.prepare('SELECT host_id, first_seen_at FROM vms WHERE vm_id = ?').all(vm.id) as Array<{ host_id: string; first_seen_at: string }>;
    expect(after).toEqual([{ host_id: idOf('hv03'), first_seen_at: before.first_seen_at }]);
    expect(h.mirror().vms.filter((v) => v.vmId === vm.id).map((v) => v.hostId)).toEqual([idOf('hv03')]);
  });

  test('a job placeholder survives refreshes until it is removed', async () => {
    const { key, placeholderId } = h.api.addPlaceholder({ hostId: idOf('hv03'), name: 'new-vm-01', jobId: 'job-1' });
    await h.api.refresh(idOf('hv03'));
    expect(h.api.snapshot().vms.find((v) => v.key === key)).toMatchObject({ state: 'Creating', placeholder: true, name: 'new-vm-01' });
    h.api.removePlaceholder(placeholderId);
    expect(h.api.snapshot().vms.find((v) => v.key === key)).toBeUndefined();
    expect(h.mirror().vms.find((v) => v.key === key)).toBeUndefined();
  });

  test('a pending operation shows on its VM until the host confirms the desired state', async () => {
    const vm = lab.host('hv03').model.vms.find((v) => v.state === 'Running')!;
    const opId = h.api.addPending({ hostId: idOf('hv03'), vmId: vm.id, action: 'shutdown', desiredState: 'Off', requestedAt: new Date().toISOString(), deadline: new Date(Date.now() + 60_000).toISOString() });
    expect(h.api.snapshot().vms.find((v) => v.vmId === vm.id)?.pending).toMatchObject({ action: 'shutdown', desiredState: 'Off', unconfirmed: false });
    await h.api.refresh(idOf('hv03'));
    expect(h.api.listPending().map((p) => p.opId)).toEqual([opId]);
    vm.state = 'Off';
    await h.api.refresh(idOf('hv03'));
    expect(h.api.listPending()).toEqual([]);
    expect(h.api.snapshot().vms.find((v) => v.vmId === vm.id)).toMatchObject({ state: 'Off', pending: null });
  });

  test('a slow host gets one warning while a refresh outlasts the interval, cleared when it is fast again', async () => {
    fullIntervalMs = 150;
    setInventoryKnobs(lab.host('hv01'), { delayMs: 400 });
    await h.api.refresh(idOf('hv01'));
    await h.api.refresh(idOf('hv01'));
    const slow = h.notificationCenter.list().filter((n) => n.title === 'Host hv01 is slow to refresh');
    expect(slow).toHaveLength(1);
    expect(h.api.snapshot().hosts.find((x) => x.hostId === idOf('hv01'))!.sync.slow).toBe(true);
    expect((await h.service.handlers!['inventory.health']!({})).issues.some((i) => i.includes('hv01'))).toBe(true);
    setInventoryKnobs(lab.host('hv01'), { delayMs: 0 });
    fullIntervalMs = 60_000;
    await h.api.refresh(idOf('hv01'));
    expect(h.notificationCenter.list().filter((n) => n.title === 'Host hv01 is slow to refresh')).toHaveLength(0);
    expect(h.api.snapshot().hosts.find((x) => x.hostId === idOf('hv01'))!.sync.slow).toBe(false);
  });
});
