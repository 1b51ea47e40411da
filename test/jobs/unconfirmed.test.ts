import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deploymentModule } from '../../src/main/deployment';
import { inventoryModule } from '../../src/main/inventory';
import { createJobsModule } from '../../src/main/jobs';
import type { InventoryVm, JobRecord, StateEvent } from '../../src/shared/contract';
import { startLab, type Lab } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs';
import { startJobsHarness, waitFor, type JobsHarness } from './support';

const DEADLINE_MS = 600;

describe('an action the host never confirms', () => {
  let lab: Lab;
  let h: JobsHarness;
  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 4, seed: 5, clusters: 0 });
    h = await startJobsHarness(lab, lab.hosts, {}, { modules: [deploymentModule, inventoryModule, createJobsModule({ pendingDeadlineMs: DEADLINE_MS })] });
  }, 90_000);
  afterAll(async () => {
    await h?.close();
    await lab?.close();
  });

  test('shows as pending at once, then "unconfirmed" after its deadline; the observed state is never faked', async () => {
    const host = lab.host(lab.hosts[0]!.name);
    const target = h.snapshot().vms.find((v) => v.state === 'Running')!;
    expect(target).toBeDefined();
    // The host accepts the command but never finishes it (a stuck Hyper-V operation).
    setJobKnobs(host, { hang: true });
    const job = await h.ok<JobRecord>('vm.action', { hostId: target.hostId, vmId: target.vmId, action: 'shutdown' });
    const view = () => h.snapshot().vms.find((v) => v.key === target.key)!;

    expect(view().pending).toMatchObject({ action: 'shutdown', desiredState: 'Off', unconfirmed: false, jobId: job.id });
    expect(view().state).toBe('Running');

    await waitFor(() => view().pending?.unconfirmed === true, 10_000, 'the pending shutdown to be marked unconfirmed');
    expect(view().state).toBe('Running');
    // The renderer learns it from an inventory delta, not only from a fresh snapshot.
    const deltas = h.events.filter((e: StateEvent) => e.topic === 'inventory' && e.kind === 'delta');
    const flagged = deltas.flatMap((e) => (e.payload as { vms: { upsert: InventoryVm[] } }).vms.upsert).filter((v) => v.key === target.key && v.pending?.unconfirmed);
    expect(flagged.length).toBeGreaterThan(0);

    // Cancelling the stuck job reaches the host and drops the pending operation.
    await h.ok('jobs.cancel', { id: job.id });
    await waitFor(() => h.job(job.id)?.state === 'cancelled', 10_000, 'the job to be cancelled');
    await waitFor(() => view().pending === null, 10_000, 'the pending operation to be dropped');
    setJobKnobs(host, { hang: false });
  });
});
