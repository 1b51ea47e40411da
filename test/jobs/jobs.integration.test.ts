import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SECRET_MASK, type BulkPreviewResponse, type BulkRunResponse, type JobGetResponse, type JobInputSchema, type JobListResponse, type JobRecord, type JobSubmitResponse } from '../../src/shared/contract';
import { startLab, type Lab } from '../lab';
import { jobStats, setJobKnobs } from '../lab/agent/jobs';
import { filesContaining } from '../support/temp';
import { startJobsHarness, streamedLines, waitFor, windowsVmFields, WINDOWS_SECRETS, type JobsHarness } from './support';

let lab: Lab;
let h: JobsHarness;
let version: number;

const finished = (r: JobRecord | undefined) => !!r && ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(r.state);
async function untilDone(id: string, timeoutMs = 30_000): Promise<JobRecord> {
  await waitFor(() => finished(h.job(id)), timeoutMs, `job ${id} to finish`);
  return h.job(id)!;
}
const total = async () => (await h.ok<JobListResponse>('jobs.list', {})).total;

describe('jobs on a lab over NTLM (real backend)', () => {
  beforeAll(async () => {
    lab = await startLab({ hosts: 3, vmsPerHost: 6, seed: 61, clusters: 0 });
    h = await startJobsHarness(lab, lab.hosts.slice(0, 2));
    version = (await h.ok<JobInputSchema>('jobs.schema', {})).version;
  }, 90_000);

  afterAll(async () => {
    await h?.close();
    await lab?.close();
  });

  test('create a Windows VM with static IP and domain join: Creating at once, live output, then Running; no secret on disk', async () => {
    const hostId = h.hostIds.get('hv01')!;
    const submitted = await h.ok<JobSubmitResponse>('jobs.submit', { schemaVersion: version, hostId, imageOsFamily: 'windows', fields: windowsVmFields('web-01') });
    const job = submitted.job;
    expect(['queued', 'running']).toContain(job.state);
    expect(job.parameters.adminPassword).toBe(SECRET_MASK);
    expect(job.parameters.domainJoinPassword).toBe(SECRET_MASK);
    // The placeholder is in the inventory before the host did anything.
    const placeholder = h.snapshot().vms.find((v) => v.hostId === hostId && v.name === 'web-01');
    expect(placeholder).toMatchObject({ state: 'Creating', placeholder: true });

    // Output streams while the job runs: lines reach subscribers before the job has finished.
    await waitFor(() => streamedLines(h.events, job.id).some((l) => l.step === 'copy-image'), 15_000, 'first streamed line');
    expect(finished(h.job(job.id))).toBe(false);

    const done = await untilDone(job.id);
    expect(done.state).toBe('succeeded');
    expect(done.result).toMatchObject({ vmName: 'web-01', status: 'created', provisioned: true });
    const steps = new Set(h.lines(job.id).map((l) => l.step));
    for (const s of ['copy-image', 'copy-iso', 'register', 'start', 'wait-key', 'publish', 'wait-apply', 'cleanup']) expect(steps).toContain(s);
    expect(h.lines(job.id).some((l) => /provisioningapplied \(joined corp\.example\.com\)/.test(l.text))).toBe(true);
    // Streamed lines are exactly the stored lines, in order, without gaps.
    const streamed = streamedLines(h.events, job.id);
    expect(streamed.map((l) => l.seq)).toEqual(h.lines(job.id).map((l) => l.seq));

    await waitFor(() => !h.snapshot().vms.some((v) => v.hostId === hostId && v.placeholder), 10_000, 'placeholder replaced');
    const real = h.snapshot().vms.find((v) => v.hostId === hostId && v.name === 'web-01');
    expect(real).toMatchObject({ state: 'Running', placeholder: false, vmId: done.result!.vmId, ipAddresses: ['127.20.30.40'] }); // the lab reports the static 10.20.30.40 on loopback
    expect(done.vmId).toBe(done.result!.vmId);

    // Export and a detail read happen too, then every byte under the data dir is scanned.
    const exported = await h.ok<{ content: string }>('jobs.export', { id: job.id, format: 'log' });
    expect(exported.content).toContain(`adminPassword = ${SECRET_MASK}`);
    await h.ok('jobs.export', { filter: {}, format: 'zip' });
    h.jobs.core.store.flush();
    for (const secret of Object.values(WINDOWS_SECRETS)) expect(filesContaining(h.dataDir, secret)).toEqual([]);
  }, 60_000);

  test('a secret echoed by the host is masked in the job output', async () => {
    const hostId = h.hostIds.get('hv02')!;
    setJobKnobs(lab.host('hv02'), { echoSecret: true, stepMs: 20 });
    const { job } = await h.ok<JobSubmitResponse>('jobs.submit', { schemaVersion: version, hostId, imageOsFamily: 'windows', fields: windowsVmFields('echo-01') });
    await untilDone(job.id);
    setJobKnobs(lab.host('hv02'), { echoSecret: false });
    const echoed = h.lines(job.id).find((l) => l.text.startsWith('debug: local admin'));
    expect(echoed?.text).toBe(`debug: local admin labadmin / ${SECRET_MASK}`);
    h.jobs.core.store.flush();
    expect(filesContaining(h.dataDir, WINDOWS_SECRETS.adminPassword)).toEqual([]);
  }, 60_000);

  test('each invalid submission gets its specific error and nothing is queued', async () => {
    const hostId = h.hostIds.get('hv01')!;
    const before = await total();
    const submit = (fields: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      h.fail('jobs.submit', { schemaVersion: version, hostId, imageOsFamily: 'windows', fields, ...extra });
    const base = windowsVmFields('bad-01');
    const fieldError = async (fields: Record<string, unknown>, field: string, rule: string, extra: Record<string, unknown> = {}) => {
      const e = await submit(fields, extra);
      expect(e.code).toBe('VALIDATION_FAILED');
      expect(e.details?.fields).toContainEqual(expect.objectContaining({ field, rule }));
    };
    const without = (...keys: string[]) => Object.fromEntries(Object.entries(base).filter(([k]) => !keys.includes(k)));

    expect((await submit(base, { schemaVersion: version + 1 })).code).toBe('SCHEMA_OUT_OF_DATE');
    await fieldError({ ...base, surprise: 1 }, 'surprise', 'unknown');
    await fieldError(without('vmName'), 'vmName', 'required');
    await fieldError({ ...base, vmName: 'bad_name!' }, 'vmName', 'pattern');
    await fieldError({ ...base, cpuCount: 'two' }, 'cpuCount', 'type');
    await fieldError({ ...base, cpuCount: 2.5 }, 'cpuCount', 'type');
    await fieldError({ ...base, memoryGB: 0 }, 'memoryGB', 'minimum');
    await fieldError({ ...base, adminPassword: 'short' }, 'adminPassword', 'minLength');
    await fieldError({ ...base, ipv4Address: '10.1.2.300' }, 'ipv4Address', 'ipv4');
    await fieldError({ ...base, domainName: 'bad..name' }, 'domainName', 'hostname');
    await fieldError({ ...base, clustered: 'maybe' }, 'clustered', 'type');
    await fieldError({ ...base, ansibleUser: 'ops' }, 'ansibleUser', 'applicability');
    await fieldError(without('ipv4Gateway'), 'ipv4Gateway', 'variants');
    await fieldError(without('domainJoinPassword'), 'domainJoinPassword', 'variants');
    await fieldError({ ...without('domainName', 'domainJoinUser', 'domainJoinPassword'), imagePath: 'D:\\Images\\u.vhdx', ansibleUser: 'ops' }, 'ansibleSshKey', 'allOrNone', { imageOsFamily: 'linux' });

    const existing = lab.host('hv01').model.vms.find((v) => /^[A-Za-z0-9-]+$/.test(v.name))!.name;
    const dup = await submit({ ...base, vmName: existing.toUpperCase() });
    expect(dup.code).toBe('VM_NAME_EXISTS');

    // A name held by a queued/running create job.
    setJobKnobs(lab.host('hv01'), { hang: true });
    const { job: hanging } = await h.ok<JobSubmitResponse>('jobs.submit', { schemaVersion: version, hostId, imageOsFamily: 'windows', fields: windowsVmFields('held-01') });
    expect((await submit({ ...base, vmName: 'HELD-01' })).code).toBe('VM_NAME_PENDING');
    await h.ok('jobs.cancel', { id: hanging.id });
    const cancelled = await untilDone(hanging.id);
    setJobKnobs(lab.host('hv01'), { hang: false });
    expect(cancelled.state).toBe('cancelled');
    // The placeholder of the cancelled create is gone.
    await waitFor(() => !h.snapshot().vms.some((v) => v.name === 'held-01'), 10_000, 'placeholder removed');

    // Host down: the lab host stops answering and the inventory notices. A refresh of hv02 still
    // in flight from an earlier job (started before the knob) can answer for ours, so wait for the
    // status the submission is checked against rather than trusting one refresh.
    const hv02 = h.hostIds.get('hv02')!;
    const statusOf = (id: string) => h.jobs.core.ctx.hosts.list().find((x) => x.id === id)?.status;
    await lab.host('hv02').setKnobs({ unreachable: true });
    await h.inventory.refresh(hv02);
    if (statusOf(hv02) !== 'unreachable') await h.inventory.refresh(hv02);
    await waitFor(() => statusOf(hv02) === 'unreachable', 10_000, 'hv02 unreachable');
    const down = await h.fail('jobs.submit', { schemaVersion: version, hostId: h.hostIds.get('hv02'), imageOsFamily: 'windows', fields: base });
    expect(down.code).toBe('HOST_NOT_CONNECTED');
    expect(down.message).toContain('hv02');
    await lab.host('hv02').setKnobs({ unreachable: false });
    await h.inventory.refresh(hv02);
    if (statusOf(hv02) !== 'connected') await h.inventory.refresh(hv02);
    await waitFor(() => statusOf(hv02) === 'connected', 10_000, 'hv02 connected again');

    // Agent not ready: a host being prepared (slow deployment).
    await lab.host('hv03').setKnobs({ latencyMs: 400 });
    const hv03 = await h.addHost(lab.hosts[2]!);
    await waitFor(() => h.jobs.core.deployment?.readiness(hv03).state === 'preparing', 10_000, 'hv03 preparing');
    const notReady = await h.fail('jobs.submit', { schemaVersion: version, hostId: hv03, imageOsFamily: 'windows', fields: base });
    expect(notReady.code).toBe('AGENT_NOT_READY');
    await lab.host('hv03').setKnobs({ latencyMs: 0 });
    await h.ok('hosts.remove', { id: hv03 });

    // Only the deliberately accepted job was recorded.
    expect(await total()).toBe(before + 1);
  }, 90_000);

  test('VM actions: matrix refusals, pending operation shown at once, confirmation by the observed state; delete with confirmation', async () => {
    const hostId = h.hostIds.get('hv01')!;
    const model = lab.host('hv01').model;
    const off = model.vms.find((v) => v.state === 'Off') ?? model.vms[1]!;
    off.state = 'Off';
    await h.inventory.refresh(hostId);

    const refused = await h.fail('vm.action', { hostId, vmId: off.id, action: 'pause' });
    expect(refused.code).toBe('INVALID_STATE');
    expect(refused.message).toContain('Off');
    expect(refused.message).toContain('allowed when Running');
    expect((await h.fail('vm.action', { hostId, vmId: off.id, action: 'turnoff' })).code).toBe('ALREADY_IN_STATE');

    const job = await h.ok<JobRecord>('vm.action', { hostId, vmId: off.id, action: 'start' });
    const row = h.snapshot().vms.find((v) => v.vmId === off.id)!;
    expect(row.state).toBe('Off'); // observed state is never written optimistically
    expect(row.pending).toMatchObject({ action: 'start', desiredState: 'Running', jobId: job.id, unconfirmed: false });
    expect((await h.fail('vm.action', { hostId, vmId: off.id, action: 'start' })).code).toBe('ACTION_PENDING');
    expect((await untilDone(job.id)).state).toBe('succeeded');
    await waitFor(() => h.snapshot().vms.find((v) => v.vmId === off.id)?.state === 'Running', 10_000, 'observed Running');
    expect(h.snapshot().vms.find((v) => v.vmId === off.id)!.pending).toBeNull();

    const mismatch = await h.fail('vm.delete', { hostId, vmId: off.id, deleteDisks: true, confirmName: off.name, force: false });
    expect(mismatch.code).toBe('INVALID_STATE');
    const wrongName = await h.fail('vm.delete', { hostId, vmId: off.id, deleteDisks: true, confirmName: off.name.toLowerCase() + 'x', force: true });
    expect(wrongName.code).toBe('CONFIRM_NAME_MISMATCH');
    const del = await h.ok<JobRecord>('vm.delete', { hostId, vmId: off.id, deleteDisks: true, confirmName: off.name, force: true });
    expect((await untilDone(del.id)).state).toBe('succeeded');
    await waitFor(() => !h.snapshot().vms.some((v) => v.vmId === off.id), 10_000, 'deleted VM gone from the inventory');
    expect(model.vms.some((v) => v.id === off.id)).toBe(false);
  }, 60_000);

  test('delete notices: disks kept because not asked to delete them are a plain success; a shared disk the host refused to delete is a warning', async () => {
    const hostId = h.hostIds.get('hv02')!;
    const model = lab.host('hv02').model;
    const [plain, shared] = model.vms.slice(0, 2);
    for (const vm of [plain!, shared!]) vm.state = 'Off';
    shared!.disks[0]!.name = 'shared-data.vhdx';
    await h.inventory.refresh(hostId);

    const keep = await h.ok<JobRecord>('vm.delete', { hostId, vmId: plain!.id, deleteDisks: false, confirmName: plain!.name, force: false });
    const keptDone = await untilDone(keep.id);
    expect(keptDone.state).toBe('succeeded');
    expect((keptDone.result as { disksKept: unknown[] }).disksKept.length).toBeGreaterThan(0);
    await waitFor(() => h.notices().some((n) => n.jobId === keep.id), 10_000, 'notice for the plain delete');
    expect(h.notices().find((n) => n.jobId === keep.id)).toMatchObject({ level: 'success', message: `${plain!.name} was deleted from hv02.` });

    const del = await h.ok<JobRecord>('vm.delete', { hostId, vmId: shared!.id, deleteDisks: true, confirmName: shared!.name, force: false });
    expect((await untilDone(del.id)).state).toBe('succeeded');
    await waitFor(() => h.notices().some((n) => n.jobId === del.id), 10_000, 'notice for the delete with disks');
    expect(h.notices().find((n) => n.jobId === del.id)).toMatchObject({ level: 'warning', message: `${shared!.name} was deleted from hv02; 1 shared or in-use disk(s) were kept.` });
  }, 60_000);

  test('bulk: preview skips with reasons, run across hosts within caps, retry the failed, cancel the rest', async () => {
    const ids = [h.hostIds.get('hv01')!, h.hostIds.get('hv02')!];
    for (const name of ['hv01', 'hv02']) for (const vm of lab.host(name).model.vms) if (!/^(web|echo)-01$/.test(vm.name)) vm.state = 'Off';
    const running = lab.host('hv01').model.vms.find((v) => v.name === 'web-01')!;
    await h.inventory.refresh();
    const targets = h.snapshot().vms.filter((v) => ids.includes(v.hostId) && !v.placeholder).map((v) => ({ hostId: v.hostId, vmId: v.vmId }));

    const preview = await h.ok<BulkPreviewResponse>('vm.bulkPreview', { targets, action: 'start' });
    expect(preview.items.find((i) => i.vmId === running.id)).toMatchObject({ willRun: false, skipCode: 'ALREADY_IN_STATE' });
    expect(preview.willRun).toBe(targets.length - 2);
    expect(preview.hosts).toBe(2);

    // Two VMs change behind the inventory's back: the host refuses them, so they fail.
    const sneaky = lab.host('hv02').model.vms.filter((v) => v.state === 'Off').slice(0, 2);
    sneaky.forEach((v) => (v.state = 'Running'));
    jobStats(lab.host('hv01')).maxActionsRunning = 0;
    const run = await h.ok<BulkRunResponse>('vm.bulkRun', { targets, action: 'start' });
    expect(run.items).toHaveLength(preview.willRun);
    await untilDone(run.job.id);
    const bulk = h.job(run.job.id)!;
    expect(bulk.state).toBe('failed');
    expect(bulk.bulk).toMatchObject({ total: preview.willRun, failed: 2, succeeded: preview.willRun - 2 });
    expect(jobStats(lab.host('hv01')).maxActionsRunning).toBeLessThanOrEqual(2);
    const failed = (await h.ok<JobListResponse>('jobs.list', { filter: { parentId: run.job.id, state: ['failed'] } })).jobs;
    expect(failed.map((j) => j.error?.code)).toEqual(['INVALID_STATE', 'INVALID_STATE']);

    // Put them back to Off; the retry runs exactly those two.
    sneaky.forEach((v) => (v.state = 'Off'));
    await h.inventory.refresh(ids[1]);
    const retry = await h.ok<BulkRunResponse>('jobs.retryFailed', { id: run.job.id });
    expect(retry.items.map((j) => j.vmId).sort()).toEqual(sneaky.map((v) => v.id).sort());
    await waitFor(() => h.job(run.job.id)?.state === 'succeeded', 20_000, 'bulk succeeded after retry');
    expect(h.job(run.job.id)!.bulk).toMatchObject({ failed: 0, succeeded: preview.willRun });

    // Cancel the rest: a hanging host's items are cancelled, and the host's commands stop.
    await h.inventory.refresh();
    setJobKnobs(lab.host('hv01'), { hang: true });
    const stop = h.snapshot().vms.filter((v) => v.hostId === ids[0] && v.state === 'Running').map((v) => ({ hostId: v.hostId, vmId: v.vmId }));
    const second = await h.ok<BulkRunResponse>('vm.bulkRun', { targets: stop, action: 'turnoff' });
    await waitFor(() => h.job(second.items[0]!.id)?.state === 'running', 10_000, 'first item running');
    await h.ok('jobs.cancel', { id: second.job.id });
    await waitFor(() => h.job(second.job.id)?.state === 'cancelled', 15_000, 'bulk cancelled');
    setJobKnobs(lab.host('hv01'), { hang: false });
    expect(h.job(second.job.id)!.bulk).toMatchObject({ cancelled: stop.length, succeeded: 0 });
    await waitFor(() => lab.host('hv01').stats.concurrentCommands === 0, 10_000, 'host commands stopped');

    const detail = await h.ok<JobGetResponse>('jobs.get', { id: second.job.id });
    expect(detail.lines.some((l) => l.text.startsWith('Bulk turn off'))).toBe(true);
  }, 90_000);
});
