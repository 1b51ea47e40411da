import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { InventoryVm, JobRecord, TimelineEntry, TimelinePage } from '../../src/shared/contract';
import { startLab, type Lab } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs/knobs';
import { startJobsHarness, waitFor, type JobsHarness } from '../jobs/support';

// Issue 16 items 4–5 through the real backend and the lab over WinRM: tags through the contract
// (bulk, refused naming the tag, kept through a live move between cluster nodes), and the timeline
// entries a power action, a hardware edit, the move and a host going down and up leave.
let lab: Lab;
let h: JobsHarness;

const finished = (r: JobRecord | undefined) => !!r && ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(r.state);
const row = (hostId: string, vmId: string): InventoryVm | undefined => h.snapshot().vms.find((v) => v.hostId === hostId && v.vmId === vmId);
const vmTimeline = async (hostId: string, vmId: string): Promise<TimelineEntry[]> => (await h.ok<TimelinePage>('timeline.vm', { hostId, vmId, limit: 100 })).entries;
const hostTimeline = async (hostId: string): Promise<TimelineEntry[]> => (await h.ok<TimelinePage>('timeline.host', { hostId, limit: 100 })).entries;

async function offVm(hostName: string, index: number): Promise<{ hostId: string; vmId: string; name: string }> {
  const vm = lab.host(hostName).model.vms.filter((v) => v.generation === 2)[index]!;
  vm.state = 'Off';
  vm.memoryAssignedMiB = 0;
  const hostId = h.hostIds.get(hostName)!;
  await h.inventory.refresh(hostId);
  expect(row(hostId, vm.id)?.state).toBe('Off');
  return { hostId, vmId: vm.id, name: vm.name };
}

async function run(command: string, request: Record<string, unknown>): Promise<JobRecord> {
  const job = await h.ok<JobRecord>(command, request);
  await waitFor(() => finished(h.job(job.id)), 30_000, `job ${job.id} to finish`);
  return h.job(job.id)!;
}

describe('tags and the timeline on a lab (real backend, WinRM stand-ins)', () => {
  beforeAll(async () => {
    // hv01 and hv02: nodes of one cluster.
    lab = await startLab({ hosts: 2, vmsPerHost: 4, seed: 161, clusters: 1 });
    for (const host of ['hv01', 'hv02']) setJobKnobs(lab.host(host), { editMs: 20, migrationMs: 300, actionMs: 30 });
    h = await startJobsHarness(lab, lab.hosts);
  }, 90_000);

  afterAll(async () => {
    await h?.close();
    await lab?.close();
  });

  test('a power action and a hardware edit leave job, pending, state and configuration entries', async () => {
    const vm = await offVm('hv01', 0);
    const processorsBefore = row(vm.hostId, vm.vmId)!.processorCount!;
    const edit = await run('vm.operate', { hostId: vm.hostId, vmId: vm.vmId, operation: 'processors', params: { count: processorsBefore + 1 } });
    expect(edit.state).toBe('succeeded');
    const start = await run('vm.action', { hostId: vm.hostId, vmId: vm.vmId, action: 'start' });
    expect(start.state).toBe('succeeded');
    await waitFor(() => row(vm.hostId, vm.vmId)?.state === 'Running' && row(vm.hostId, vm.vmId)?.pending === null, 15_000, 'the start confirmed');

    const entries = await vmTimeline(vm.hostId, vm.vmId);
    const brief = entries.map((e) => [e.kind, e.field, e.from, e.to]);
    expect(brief).toEqual(
      expect.arrayContaining([
        ['config', 'processors', String(processorsBefore), String(processorsBefore + 1)],
        ['state', 'state', 'Off', 'Running'],
        ['job', `Start ${vm.name}`, 'this workstation', 'succeeded'],
        ['job', `Change the processors of ${vm.name}`, 'this workstation', 'succeeded'],
        ['pending', 'start', 'Running', 'requested'],
        ['pending', 'start', 'Running', 'confirmed'],
      ]),
    );
    // Each change names the sync that saw it; newest first.
    expect(entries.find((e) => e.kind === 'state')!.sync).toMatch(/^(full|quick)$/);
    expect([...entries].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).map((e) => e.at)).toEqual(entries.map((e) => e.at));
  }, 60_000);

  test('tags: bulk through the contract, a bad tag refused by name, kept through a live move to the other node (with a "moved" entry)', async () => {
    const hv01 = h.hostIds.get('hv01')!;
    const hv02 = h.hostIds.get('hv02')!;
    const rows = h.snapshot().vms.filter((v) => v.hostId === hv01);
    const targets = rows.map((v) => ({ hostId: v.hostId, vmId: v.vmId }));
    expect(await h.ok('tags.update', { targets, add: ['prod', 'team:web'] })).toEqual({ changed: rows.length, unknown: [] });
    const bad = await h.fail('tags.update', { targets, add: ['ok', 'no spaces'] });
    expect(bad).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('"no spaces"') });
    await h.ok('tags.update', { targets: targets.slice(1), remove: ['TEAM:WEB'] });
    expect(row(hv01, rows[0]!.vmId)?.tags).toEqual(['prod', 'team:web']);
    expect(row(hv01, rows[1]!.vmId)?.tags).toEqual(['prod']);

    // A refresh does not touch them.
    await h.inventory.refresh(hv01);
    expect(row(hv01, rows[0]!.vmId)?.tags).toEqual(['prod', 'team:web']);

    const moving = rows.find((v) => v.clustered)!;
    if (moving.state !== 'Running') {
      const started = await run('vm.action', { hostId: hv01, vmId: moving.vmId, action: 'start' });
      expect(started.state).toBe('succeeded');
      await waitFor(() => row(hv01, moving.vmId)?.state === 'Running' && row(hv01, moving.vmId)?.pending === null, 15_000, 'running before the move');
    }
    const move = await run('vm.operate', { hostId: hv01, vmId: moving.vmId, operation: 'move', params: { targetHostId: hv02, migrationType: 'live' } });
    expect(move.state).toBe('succeeded');
    await waitFor(() => !!row(hv02, moving.vmId) && !row(hv01, moving.vmId), 15_000, 'the VM on hv02');
    expect(row(hv02, moving.vmId)?.tags).toEqual(row(hv02, moving.vmId)!.vmId === rows[0]!.vmId ? ['prod', 'team:web'] : ['prod']);
    // The timeline follows the VM: read on its new host, it has its move and the earlier entries.
    const entries = await vmTimeline(hv02, moving.vmId);
    expect(entries.some((e) => e.kind === 'moved' && e.from === hv01 && e.to === hv02)).toBe(true);
    expect(entries.some((e) => e.kind === 'job' && e.field?.startsWith('Move'))).toBe(true);
  }, 60_000);

  test('a host going down and coming back: sync failure and recovery, unreachable and connected again', async () => {
    const hv02 = h.hostIds.get('hv02')!;
    const statusOf = () => h.jobs.core.ctx.hosts.list().find((x) => x.id === hv02)?.status;
    await lab.host('hv02').setKnobs({ unreachable: true });
    await h.inventory.refresh(hv02);
    if (statusOf() !== 'unreachable') await h.inventory.refresh(hv02);
    await waitFor(() => statusOf() === 'unreachable', 10_000, 'hv02 unreachable');
    await lab.host('hv02').setKnobs({ unreachable: false });
    await h.inventory.refresh(hv02);
    if (statusOf() !== 'connected') await h.inventory.refresh(hv02);
    await waitFor(() => statusOf() === 'connected', 10_000, 'hv02 connected again');

    const kinds = (await hostTimeline(hv02)).map((e) => [e.kind, e.to]);
    expect(kinds.slice(0, 4)).toEqual(expect.arrayContaining([['sync-recovered', null], ['host-status', 'connected'], ['sync-failed', null], ['host-status', 'unreachable']]));
    // The agent the harness deployed when the host was added, with its version.
    expect((await hostTimeline(hv02)).find((e) => e.kind === 'agent')).toMatchObject({ from: null, to: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    const failed = (await hostTimeline(hv02)).find((e) => e.kind === 'sync-failed')!;
    expect(failed.detail).toMatch(/cannot reach 127\.0\.0\.1/);
    expect(failed.detail).not.toContain('Lab-Passw0rd!');
  }, 60_000);
});
