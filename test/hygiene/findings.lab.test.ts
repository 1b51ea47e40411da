/**
 * Hygiene over a real store: a real backend (deployment, inventory, hygiene) inventories a lab
 * whose model was edited so each check has a VM to find; `hygiene.findings` must name exactly
 * those (and, for the checks the generated lab already trips, exactly the VMs that qualify).
 * The hygiene service's clock is ours to move, so "Saved for 8 days" needs no 8-day wait.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Backend } from '../../src/main/backend';
import { createDeploymentModule } from '../../src/main/deployment';
import { createHygieneModule } from '../../src/main/hygiene';
import { createInventoryModule, type InventoryApi } from '../../src/main/inventory';
import type { HygieneReport } from '../../src/shared/hygiene/contract';
import { compareVersions } from '../../src/shared/hygiene/rules';
import { startLab, type Lab } from '../lab';
import type { SimVm } from '../lab/model';
import { configureHosts, waitFor } from '../inventory/support/harness';
import { startTestBackend } from '../support/backend';
import { tempDir } from '../support/temp';

const DAY = 86_400_000;
let lab: Lab;
let app: { backend: Backend; close(): Promise<void> };
let temp: ReturnType<typeof tempDir>;
let ids: Map<string, string>;
let clockOffsetMs = 0;

// The VMs each check is made to find (set in beforeAll, on the model before the first inventory).
const made: Record<string, SimVm> = {};
let orphanFolder = '';
let attachedDisk = '';

async function findings(): Promise<HygieneReport> {
  const result = await app.backend.invoke('hygiene.findings', {});
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.data as HygieneReport;
}

const ofCheck = (r: HygieneReport, check: string) => r.findings.filter((f) => f.check === check);
const vmIdsOf = (r: HygieneReport, check: string) => new Set(ofCheck(r, check).flatMap((f) => f.vms.map((v) => v.vmId)));

beforeAll(async () => {
  lab = await startLab({ hosts: 3, vmsPerHost: 6, clusters: 1, seed: 16 });
  const [a, b, standalone] = lab.hosts.map((h) => lab.host(h.name));
  expect(a!.model.cluster).toBeTruthy();
  expect(standalone!.model.cluster).toBeFalsy();
  // No surprises from the generator: only the edits below make findings of these kinds.
  for (const host of [a!, b!, standalone!]) {
    for (const vm of host.model.vms) {
      vm.checkpoints = [];
      vm.guestUnresponsive = false;
      if (vm.state === 'Saved' || vm.state === 'Paused') vm.state = 'Off';
      vm.isClustered = Boolean(host.model.cluster);
    }
  }
  const [a0, a1, a2, a3] = a!.model.vms;
  const [b0, b1] = b!.model.vms;
  a0!.checkpoints = [{ id: '0b6f7c1e-1111-4a4a-9b9b-000000000001', name: 'before patch', parentId: null, creationTime: new Date(Date.now() - 30 * DAY).toISOString(), type: 'Standard', holdsMemory: false }];
  a1!.state = 'Running';
  a1!.guestUnresponsive = true;
  a2!.state = 'Saved';
  a3!.isClustered = false;
  // Dynamic memory at its ceiling, the guest asking for more.
  Object.assign(b0!, { state: 'Running', dynamicMemoryEnabled: true, memoryMaximumMiB: 4096, memoryAssignedMiB: 4096, memoryDemandMiB: 4300 });
  // The same MAC and IP address on two hosts (both Running, so Hyper-V shows the address).
  b1!.state = 'Running';
  const twin = standalone!.model.vms[0]!;
  twin.state = 'Running';
  twin.nics[0]!.macAddress = b1!.nics[0]!.macAddress;
  twin.nics[0]!.ipAddresses = ['127.16.99.1', 'fe80::1'];
  b1!.nics[0]!.ipAddresses = ['127.16.99.1', 'fe80::1'];
  // 2012 R2-like: the standalone host cannot say its default version.
  standalone!.model.defaultVmVersion = null;
  b!.model.defaultVmVersion = '9.0';
  Object.assign(made, { checkpoint: a0, heartbeat: a1, saved: a2, notClustered: a3, pinned: b0, macA: b1, macB: twin });
  // An unattached disk beside a VM's disk, the VM's own disk file, and a file that is no disk.
  attachedDisk = a0!.disks[0]!.path;
  orphanFolder = attachedDisk.slice(0, attachedDisk.lastIndexOf('\\'));
  a!.files.put(attachedDisk, 'disk');
  a!.files.put(`${orphanFolder}\\left-behind.vhdx`, 'x'.repeat(2048));
  a!.files.setModifiedAt(`${orphanFolder}\\left-behind.vhdx`, new Date(Date.now() - 40 * DAY));
  a!.files.put(`${orphanFolder}\\readme.txt`, 'not a disk');

  temp = tempDir();
  ids = await configureHosts(temp.dir, lab.hosts);
  app = await startTestBackend({
    dataDir: temp.dir,
    modules: [createDeploymentModule(), createInventoryModule({ backgroundLoops: false }), createHygieneModule({ now: () => new Date(Date.now() + clockOffsetMs) })],
  });
  const inventory = app.backend.modules.get('inventory')!.api as InventoryApi;
  await waitFor(() => inventory.snapshot().vms.length === 18, 30_000, 'the inventory of the three hosts').catch((e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(inventory.snapshot().hosts.map((h) => [h.hostId, h.sync.state, h.sync.lastError]))} ${inventory.snapshot().vms.length}`);
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await lab?.close();
  temp?.cleanup();
});

describe('hygiene.findings over a lab inventory', () => {
  test('at first only the time-independent checks find something; the heartbeat and Saved checks wait for their limits', async () => {
    const r = await findings();
    expect(ofCheck(r, 'no-heartbeat')).toEqual([]);
    expect(ofCheck(r, 'long-saved')).toEqual([]);
    expect([...vmIdsOf(r, 'old-checkpoint')]).toEqual([made.checkpoint!.id]);
    expect([...vmIdsOf(r, 'not-clustered')]).toEqual([made.notClustered!.id]);
    expect([...vmIdsOf(r, 'memory-pinned')]).toEqual([made.pinned!.id]);
  });

  test('duplicate MAC and IP: one finding each, naming both VMs on their two hosts; link-local addresses are not duplicates', async () => {
    const r = await findings();
    for (const check of ['duplicate-mac', 'duplicate-ip']) {
      const list = ofCheck(r, check);
      expect(list, check).toHaveLength(1);
      expect(new Set(list[0]!.vms.map((v) => v.vmId))).toEqual(new Set([made.macA!.id, made.macB!.id]));
      expect(list[0]!.hostIds).toHaveLength(2);
    }
    expect(ofCheck(r, 'duplicate-ip')[0]!.message).not.toContain('fe80');
  });

  test('configuration version behind: exactly the VMs below their host default, compared as numbers; none on a host that reports no default', () => {
    return findings().then((r) => {
      const expected = new Set<string>();
      for (const h of lab.hosts) {
        const model = lab.host(h.name).model;
        const def = model.defaultVmVersion === null ? null : (model.defaultVmVersion ?? '10.0');
        for (const vm of model.vms) if (def && compareVersions(vm.configurationVersion, def)! < 0) expected.add(vm.id);
      }
      expect(expected.size).toBeGreaterThan(0);
      expect(vmIdsOf(r, 'config-version')).toEqual(expected);
      const standaloneIds = new Set(lab.host(lab.hosts[2]!.name).model.vms.map((v) => v.id));
      expect([...vmIdsOf(r, 'config-version')].some((id) => standaloneIds.has(id))).toBe(false);
    });
  });

  test('an hour on, the silent Running VM is found; eight days on, the Saved one too', async () => {
    clockOffsetMs = 3_600_000;
    let r = await findings();
    expect([...vmIdsOf(r, 'no-heartbeat')]).toEqual([made.heartbeat!.id]);
    expect(ofCheck(r, 'long-saved')).toEqual([]);
    clockOffsetMs = 8 * DAY;
    r = await findings();
    expect([...vmIdsOf(r, 'long-saved')]).toEqual([made.saved!.id]);
    clockOffsetMs = 0;
  });

  test('a raised threshold hides a finding (settings hygiene.checkpointDays)', async () => {
    expect((await app.backend.invoke('settings.update', { hygiene: { checkpointDays: 60 } })).ok).toBe(true);
    expect(ofCheck(await findings(), 'old-checkpoint')).toEqual([]);
    expect((await app.backend.invoke('settings.update', { hygiene: { checkpointDays: 7 } })).ok).toBe(true);
    expect(ofCheck(await findings(), 'old-checkpoint')).toHaveLength(1);
  });

  test('snoozes: for 7 days ends after 7 days; until it changes ends when the finding changes; off wakes it', async () => {
    const pinned = ofCheck(await findings(), 'memory-pinned')[0]!;
    expect((await app.backend.invoke('hygiene.snooze', { findingId: pinned.id, for: '7d' })).ok).toBe(true);
    expect(ofCheck(await findings(), 'memory-pinned')[0]!.snoozed).not.toBeNull();
    clockOffsetMs = 8 * DAY;
    expect(ofCheck(await findings(), 'memory-pinned')[0]!.snoozed).toBeNull();
    clockOffsetMs = 0;

    const dup = ofCheck(await findings(), 'duplicate-mac')[0]!;
    expect((await app.backend.invoke('hygiene.snooze', { findingId: dup.id, for: 'change' })).ok).toBe(true);
    expect(ofCheck(await findings(), 'duplicate-mac')[0]!.snoozed).toEqual({ until: null });
    // A third VM takes the same MAC: the finding changed, so it shows again.
    const third = lab.host(lab.hosts[0]!.name).model.vms[5]!;
    third.nics[0]!.macAddress = made.macA!.nics[0]!.macAddress;
    const inventory = app.backend.modules.get('inventory')!.api as InventoryApi;
    await inventory.refresh(ids.get(lab.hosts[0]!.name));
    const after = ofCheck(await findings(), 'duplicate-mac')[0]!;
    expect(after.vms).toHaveLength(3);
    expect(after.snoozed).toBeNull();

    expect((await app.backend.invoke('hygiene.snooze', { findingId: pinned.id, for: '30d' })).ok).toBe(true);
    expect((await app.backend.invoke('hygiene.snooze', { findingId: pinned.id, for: 'off' })).ok).toBe(true);
    expect(ofCheck(await findings(), 'memory-pinned')[0]!.snoozed).toBeNull();
    const unknown = await app.backend.invoke('hygiene.snooze', { findingId: 'old-checkpoint:nowhere', for: '7d' });
    expect(unknown.ok).toBe(false);
  });

  test('scan for unattached disks (TS stand-in): the left-behind file with its size and age, not the attached disk nor other files', async () => {
    const hostId = ids.get(lab.hosts[0]!.name)!;
    const scan = await app.backend.invoke('hygiene.scanOrphanDisks', { hostId });
    expect(scan.ok).toBe(true);
    const data = (scan as { data: { files: Array<{ path: string; sizeGb: number | null; lastWriteTime: string | null }> } }).data;
    expect(data.files.map((f) => f.path)).toEqual([`${orphanFolder}\\left-behind.vhdx`]);
    expect(Date.now() - Date.parse(data.files[0]!.lastWriteTime!)).toBeGreaterThan(39 * DAY);
    const r = await findings();
    expect(ofCheck(r, 'orphan-disk').map((f) => f.file?.path)).toEqual([`${orphanFolder}\\left-behind.vhdx`]);
    expect(r.orphanScans).toEqual([expect.objectContaining({ hostId, files: 1 })]);
    const missing = await app.backend.invoke('hygiene.scanOrphanDisks', { hostId: 'no-such-host' });
    expect(missing.ok).toBe(false);
  });
});
