import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLab, type Lab } from '../lab';
import { moveVm } from '../lab/model';
import { tempDir } from '../support/temp';
import { configureHosts, installAgent, startHarness, type Harness } from './support/harness';

// Three lab hosts: hv01 and hv02 form cluster CLU-A, hv03 is standalone (the generator keeps the
// last host of three out of the cluster).
describe('VM identity: a VM is its host plus its ID; a move is a VM leaving one complete enumeration for another', () => {
  let lab: Lab;
  let temp: ReturnType<typeof tempDir>;
  let h: Harness;
  const idOf = (name: string) => h.hostIds.get(name)!;
  const rowsOf = (vmId: string) => h.api.snapshot().vms.filter((v) => v.vmId === vmId && !v.placeholder);
  const mirrorRowsOf = (vmId: string) => h.mirror().vms.filter((v) => v.vmId === vmId);
  const storedHostsOf = (vmId: string) =>
    (h.api.store.db.prepare('SELECT host_id FROM vms WHERE vm_id = ? ORDER BY host_id').all(vmId) as Array<{ host_id: string }>).map((r) => r.host_id);

  beforeAll(async () => {
    temp = tempDir();
    lab = await startLab({ hosts: 3, vmsPerHost: 4, clusters: 1, seed: 31 });
    for (const info of lab.hosts) installAgent(lab, info.name);
    await configureHosts(temp.dir, lab.hosts);
    h = await startHarness(temp.dir, { backgroundLoops: false });
    await h.api.initialRefresh;
  }, 30_000);

  afterAll(async () => {
    await h?.close();
    await lab?.close();
    temp?.cleanup();
  });

  test('the lab puts hv01 and hv02 in one cluster, hv03 alone', () => {
    expect(lab.host('hv01').model.cluster).toBeTruthy();
    expect(lab.host('hv02').model.cluster).toBe(lab.host('hv01').model.cluster);
    expect(lab.host('hv03').model.cluster).toBeUndefined();
  });

  test('two cluster nodes reporting the same VM ID at once keep two rows, through several syncs, without flipping', async () => {
    const original = lab.host('hv01').model.vms[0]!;
    // An imported copy that kept its ID (or a Replica pair): same GUID, its own name and state.
    const copy = { ...structuredClone(original), name: `${original.name}-copy`, state: 'Off' as const };
    lab.host('hv02').model.vms.push(copy);
    const ownerKeys = new Set([`${idOf('hv01')}:${original.id}`, `${idOf('hv02')}:${original.id}`]);
    for (let round = 0; round < 4; round++) {
      // Both orders, full and quick: any of them used to hand the single row from one host to the other.
      await h.api.refresh(idOf(round % 2 ? 'hv02' : 'hv01'));
      await h.api.refresh(idOf(round % 2 ? 'hv01' : 'hv02'));
      await h.api.quickRefresh(idOf('hv01'));
      const rows = rowsOf(original.id);
      expect(new Set(rows.map((r) => r.key))).toEqual(ownerKeys);
      expect(rows.find((r) => r.hostId === idOf('hv01'))).toMatchObject({ name: original.name, state: original.state });
      expect(rows.find((r) => r.hostId === idOf('hv02'))).toMatchObject({ name: copy.name, state: 'Off' });
      expect(new Set(mirrorRowsOf(original.id).map((r) => r.key))).toEqual(ownerKeys);
      expect(storedHostsOf(original.id)).toEqual([idOf('hv01'), idOf('hv02')].sort());
    }
    // No delta ever removed either row: nothing flipped between syncs.
    const removed = h.events.flatMap((e) => (e.topic === 'inventory' && e.kind === 'delta' ? (e.payload as { vms: { remove: string[] } }).vms.remove : []));
    expect(removed.filter((k) => ownerKeys.has(k))).toEqual([]);
    expect(h.api.store.tombstones().filter((t) => t.vmId === original.id)).toEqual([]);
    // Removing the copy again leaves only the original (a delete on hv02, not a move).
    lab.host('hv02').model.vms = lab.host('hv02').model.vms.filter((v) => v !== copy);
    await h.api.refresh(idOf('hv02'));
    expect(rowsOf(original.id).map((r) => r.key)).toEqual([`${idOf('hv01')}:${original.id}`]);
    expect(rowsOf(original.id)[0]!.name).toBe(original.name);
  });

  test('a move seen by the new owner first (both listed it for one sync) ends as one row on the new owner, not a delete', async () => {
    const vm = lab.host('hv01').model.vms[1]!;
    const before = h.api.store.db.prepare('SELECT first_seen_at FROM vms WHERE vm_id = ?').get(vm.id) as { first_seen_at: string };
    const opId = h.api.addPending({ hostId: idOf('hv01'), vmId: vm.id, action: 'shutdown', desiredState: 'Off', requestedAt: new Date().toISOString(), deadline: new Date(Date.now() + 60_000).toISOString() });
    // The migration's window: the new owner already lists it, the old one still does.
    lab.host('hv02').model.vms.push(structuredClone(vm));
    await h.api.refresh(idOf('hv02'));
    expect(rowsOf(vm.id).map((r) => r.hostId).sort()).toEqual([idOf('hv01'), idOf('hv02')].sort());
    // The migration completes: it leaves hv01's complete enumeration.
    lab.host('hv01').model.vms = lab.host('hv01').model.vms.filter((v) => v.id !== vm.id);
    await h.api.refresh(idOf('hv01'));
    expect(rowsOf(vm.id).map((r) => r.key)).toEqual([`${idOf('hv02')}:${vm.id}`]);
    expect(mirrorRowsOf(vm.id).map((r) => r.key)).toEqual([`${idOf('hv02')}:${vm.id}`]);
    expect(h.api.store.tombstones().filter((t) => t.vmId === vm.id)).toEqual([]);
    // What was pending on the VM went with it, and it keeps its history.
    expect(h.api.listPending().find((p) => p.opId === opId)?.hostId).toBe(idOf('hv02'));
    const after = h.api.store.db.prepare('SELECT host_id, first_seen_at FROM vms WHERE vm_id = ?').all(vm.id);
    expect(after).toEqual([{ host_id: idOf('hv02'), first_seen_at: before.first_seen_at }]);
    h.api.clearPending(opId);
  });

  test('a move seen by the old owner first is a move (one row, same first-seen), and stays put over more syncs', async () => {
    const vm = lab.host('hv01').model.vms[2]!;
    const before = h.api.store.db.prepare('SELECT first_seen_at FROM vms WHERE vm_id = ?').get(vm.id) as { first_seen_at: string };
    moveVm(lab.host('hv01').model, lab.host('hv02').model, vm.id);
    await h.api.refresh(idOf('hv01'));
    for (let round = 0; round < 3; round++) {
      await h.api.refresh(idOf('hv02'));
      await h.api.refresh(idOf('hv01'));
      expect(rowsOf(vm.id).map((r) => r.key)).toEqual([`${idOf('hv02')}:${vm.id}`]);
    }
    expect(h.api.store.db.prepare('SELECT host_id, first_seen_at FROM vms WHERE vm_id = ?').all(vm.id)).toEqual([{ host_id: idOf('hv02'), first_seen_at: before.first_seen_at }]);
    expect(h.api.store.tombstones().filter((t) => t.vmId === vm.id)).toEqual([]);
  });

  test('the same ID on a host outside the cluster is never a move: two rows while both list it', async () => {
    const vm = lab.host('hv02').model.vms[0]!;
    lab.host('hv03').model.vms.push(structuredClone(vm));
    await h.api.refresh(idOf('hv03'));
    await h.api.refresh(idOf('hv02'));
    expect(rowsOf(vm.id).map((r) => r.hostId).sort()).toEqual([idOf('hv02'), idOf('hv03')].sort());
    lab.host('hv03').model.vms = lab.host('hv03').model.vms.filter((v) => v.id !== vm.id);
    await h.api.refresh(idOf('hv03'));
    expect(rowsOf(vm.id).map((r) => r.hostId)).toEqual([idOf('hv02')]);
  });

  test("re-pointing a host at a standalone machine drops its cluster, whatever its Settings label says", async () => {
    const clusterName = lab.host('hv02').model.cluster!;
    // The Settings entry still carries the cluster label (labHostInput copies it).
    expect(h.hosts.list().find((x) => x.id === idOf('hv02'))?.cluster).toBe(clusterName);
    const hostOf = () => h.mirror().hosts.find((x) => x.hostId === idOf('hv02'))!;
    expect(hostOf().cluster).toBe(clusterName);
    delete lab.host('hv02').model.cluster;
    await h.api.refresh(idOf('hv02'));
    expect(hostOf().cluster).toBeNull();
    expect(h.api.store.host(idOf('hv02'))?.cluster).toBeNull();
    // No longer a peer: a VM leaving hv01 is not handed to hv02's row of the same ID.
    const vm = lab.host('hv01').model.vms[0]!;
    lab.host('hv02').model.vms.push(structuredClone(vm));
    await h.api.refresh(idOf('hv02'));
    lab.host('hv01').model.vms = lab.host('hv01').model.vms.filter((v) => v.id !== vm.id);
    await h.api.refresh(idOf('hv01'));
    expect(rowsOf(vm.id).map((r) => r.hostId)).toEqual([idOf('hv02')]);
    expect(h.api.store.tombstones().filter((t) => t.vmId === vm.id).map((t) => t.hostId)).toEqual([idOf('hv01')]);
    // Back in the cluster: the report puts it back.
    lab.host('hv02').model.cluster = clusterName;
    await h.api.refresh(idOf('hv02'));
    expect(hostOf().cluster).toBe(clusterName);
  });
});
