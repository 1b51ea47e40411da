// The three kinds of create-VM job end to end through the real backend (jobs.submit: schema
// validation, agent fields, queue, runner) to a lab host whose TypeScript agent stand-in applies
// New-AetherVm.ps1's rules: what reaches the host, what the host model holds afterwards.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { JobInputSchema, JobRecord, JobSubmitResponse } from '../../src/shared/contract';
import { startLab, type Lab } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs';
import { startJobsHarness, waitFor, type JobsHarness } from './support';

let lab: Lab;
let h: JobsHarness;
let version: number;
const ISO = 'D:\\ISOs\\install.iso';

const finished = (r: JobRecord | undefined) => !!r && ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(r.state);
async function untilDone(id: string): Promise<JobRecord> {
  await waitFor(() => finished(h.job(id)), 30_000, `job ${id} to finish`);
  return h.job(id)!;
}
const machine = (vmName: string) => ({ vmName, cpuCount: 2, memoryGB: 2, generation: 2, vmRootPath: 'D:\\VMs' });

describe('create-VM kinds through the backend to the lab stand-in', () => {
  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 2, seed: 14, clusters: 0 });
    h = await startJobsHarness(lab);
    version = (await h.ok<JobInputSchema>('jobs.schema', {})).version;
  }, 90_000);
  afterAll(async () => {
    await h?.close();
    await lab?.close();
  });

  const submit = (fields: Record<string, unknown>, imageOsFamily = 'linux') =>
    h.ok<JobSubmitResponse>('jobs.submit', { schemaVersion: version, hostId: h.hostIds.get('hv01')!, imageOsFamily, fields });
  const modelVm = (name: string) => lab.host('hv01').model.vms.find((v) => v.name === name);

  test('a blank VM booting from an ISO: a new empty disk, the ISO attached and first to boot, no guest handshake', async () => {
    const { job } = await submit({ ...machine('blank-01'), provisioning: 'blank', bootSource: 'iso', isoPath: ISO, diskSizeGB: 32 });
    const done = await untilDone(job.id);
    expect(done.state).toBe('succeeded');
    expect(done.result).toMatchObject({ provisioning: 'blank', provisioned: false });
    expect(done.parameters).toMatchObject({ provisioning: 'blank', bootSource: 'iso', isoPath: ISO, diskSizeGB: 32 });
    const vm = modelVm('blank-01')!;
    expect(vm.disks.map((d) => [d.capacityBytes, d.diskType])).toEqual([[32 * 1024 ** 3, 'Dynamic']]);
    expect(vm.dvdDrives!.map((d) => d.path)).toEqual([ISO]);
    expect(vm.firmware?.firstBootDeviceId).toBe(vm.dvdDrives![0]!.id);
    const steps = new Set(h.lines(job.id).map((l) => l.step));
    expect(steps).toContain('new-disk');
    expect(steps).toContain('attach-iso');
    for (const s of ['copy-image', 'copy-iso', 'wait-key', 'publish']) expect(steps).not.toContain(s);
  }, 60_000);

  test('a blank VM booting from the network with no disk, and a template VM without customisation', async () => {
    const pxe = await untilDone((await submit({ ...machine('pxe-01'), provisioning: 'blank', bootSource: 'network' }, 'windows')).job.id);
    expect(pxe.state).toBe('succeeded');
    const vm = modelVm('pxe-01')!;
    expect(vm.disks).toEqual([]);
    expect(vm.firmware?.firstBootDeviceId).toBe(vm.nics[0]!.id);

    const tmpl = await untilDone((await submit({ ...machine('tmpl-01'), provisioning: 'template', imagePath: 'D:\\Images\\ubuntu.vhdx' })).job.id);
    expect(tmpl.state).toBe('succeeded');
    expect(tmpl.result).toMatchObject({ provisioning: 'template', provisioned: false });
    const steps = new Set(h.lines(tmpl.id).map((l) => l.step));
    expect(steps).toContain('copy-image');
    for (const s of ['copy-iso', 'wait-key', 'publish', 'attach-iso']) expect(steps).not.toContain(s);
  }, 60_000);

  test('a field of another kind is refused before anything is queued; a missing ISO fails the job on the host', async () => {
    const refused = await h.fail('jobs.submit', {
      schemaVersion: version,
      hostId: h.hostIds.get('hv01')!,
      imageOsFamily: 'linux',
      fields: { ...machine('bad-01'), provisioning: 'template', imagePath: 'D:\\Images\\u.vhdx', adminUser: 'ops', isoPath: ISO },
    });
    expect(refused.details?.fields?.map((f) => f.field).sort()).toEqual(['adminUser', 'isoPath']);
    expect(refused.details?.fields?.find((f) => f.field === 'isoPath')?.message).toMatch(/^applies only to "Blank VM"/);
    expect(modelVm('bad-01')).toBeUndefined();

    setJobKnobs(lab.host('hv01'), { missingIso: true });
    try {
      const failed = await untilDone((await submit({ ...machine('noiso-01'), provisioning: 'blank', isoPath: 'D:\\ISOs\\gone.iso' })).job.id);
      expect(failed.state).toBe('failed');
      expect(failed.error).toMatchObject({ code: 'ISO_NOT_FOUND' });
      expect(failed.error?.message).toMatch(/ISO image D:\\ISOs\\gone\.iso does not exist/);
    } finally {
      setJobKnobs(lab.host('hv01'), { missingIso: false });
    }
  }, 60_000);
});
