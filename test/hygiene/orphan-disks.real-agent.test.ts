// host.orphanDisks and Host.DefaultVmVersion run for real: Get-AetherOrphanDisks.ps1 and
// Get-HostInventory.ps1 in PowerShell against the simulated Hyper-V module, over files on disk;
// the answer must equal the TypeScript stand-in's for the same host (test/lab/agent/orphan-disks.ts).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseFullInventory } from '../../src/main/inventory';
import { parseOrphanDisks } from '../../src/main/hygiene';
import { orphanDisksData } from '../lab/agent/orphan-disks';
import { startRealAgentLab, type RealAgentLab } from '../agent-real/support';

const DAY = 86_400_000;
let rig: RealAgentLab;

beforeAll(async () => {
  rig = await startRealAgentLab({ hosts: 1, vmsPerHost: 2, clusters: 0, seed: 16 });
  rig.install();
}, 60_000);
afterAll(async () => {
  await rig?.close();
});

describe('host.orphanDisks in real PowerShell', () => {
  test('lists the disk files in VM folders and the default folder that no VM uses, like the stand-in', async () => {
    const host = rig.host();
    const disk = host.model.vms[0]!.disks[0]!.path;
    const folder = disk.slice(0, disk.lastIndexOf('\\'));
    host.files.put(disk, 'attached');
    host.files.put(`${folder}\\old copy.vhdx`, 'x'.repeat(4096));
    host.files.setModifiedAt(`${folder}\\old copy.vhdx`, new Date(Date.now() - 40 * DAY));
    host.files.put(`${folder}\\chain.avhdx`, 'y');
    host.files.put(`${folder}\\notes.txt`, 'not a disk');
    host.files.put(`${folder}\\sub\\nested.vhdx`, 'not looked at: no -Recurse');
    host.files.put('C:\\ProgramData\\Microsoft\\Windows\\Virtual Hard Disks\\spare.vhd', 'z');

    const real = parseOrphanDisks(await rig.invoke('host.orphanDisks'), 'hv01');
    const standIn = parseOrphanDisks(orphanDisksData(host), 'hv01');
    expect(real.map((f) => f.path)).toEqual([`${folder}\\chain.avhdx`, `${folder}\\old copy.vhdx`, 'C:\\ProgramData\\Microsoft\\Windows\\Virtual Hard Disks\\spare.vhd'].sort((a, b) => a.localeCompare(b)));
    expect(real).toEqual(standIn.map((f) => ({ ...f, lastWriteTime: real.find((r) => r.path === f.path)?.lastWriteTime ?? null })));
    const old = real.find((f) => f.path.endsWith('old copy.vhdx'))!;
    expect(Date.now() - Date.parse(old.lastWriteTime!)).toBeGreaterThan(39 * DAY);
    expect(Math.abs(Date.parse(old.lastWriteTime!) - Date.parse(standIn.find((f) => f.path === old.path)!.lastWriteTime!))).toBeLessThan(2000);
  }, 20_000);

  // The reported default ('10.0' from the module) is compared with the stand-in by test/agent-real/drift.test.ts.
  test('the inventory reports no default VM version, and no warning, when Get-VMHostSupportedVersion fails (2012 R2)', async () => {
    rig.host().model.defaultVmVersion = null;
    const parsed = parseFullInventory(await rig.invoke('inventory'), 'hv01', new Date().toISOString());
    expect(parsed.host.defaultVmVersion).toBeNull();
    expect(parsed.host.warnings).toEqual([]);
    expect(parsed.complete).toBe(true);
  }, 20_000);
});
