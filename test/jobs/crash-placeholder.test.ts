import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { InventoryApi } from '../../src/main/inventory';
import { InventoryStore } from '../../src/main/store';
import type { JobGetResponse, JobSubmitResponse } from '../../src/shared/contract';
import type { JobsApi } from '../../src/main/jobs';
import { configureHosts, waitFor } from '../inventory/support/harness';
import { startLab, type Lab } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs';
import { startTestBackend } from '../support/backend';
import { tempDir } from '../support/temp';
import { crashBackendMidJob } from './kill-child-run';
import { windowsVmFields } from './support';

// Issue 12 item 6: a crash (or quit) during a create must not leave a "Creating" row forever.
// The placeholder is on disk when the process dies; the next start removes it, because no job
// survives a restart to finish it.
let lab: Lab;
const temp = tempDir();

beforeAll(async () => {
  lab = await startLab({ hosts: 1, vmsPerHost: 2, seed: 8, clusters: 0 });
  await configureHosts(temp.dir, lab.hosts);
  setJobKnobs(lab.host('hv01'), { stepMs: 1500 });
});
afterAll(async () => {
  await lab?.close();
  temp.cleanup();
});

test('a backend killed mid-create leaves no "Creating" row after the next start', async () => {
  // kill-child.ts: a real backend process on the data dir that submits create-VM "crash-01".
  const { jobId } = await crashBackendMidJob(temp.dir, 2);

  // The crash left the placeholder on disk (this is what used to show as "Creating" forever).
  const onDisk = InventoryStore.open(path.join(temp.dir, 'inventory.db'));
  const left = onDisk.snapshot().vms.filter((v) => v.placeholder);
  onDisk.close();
  expect(left.map((v) => [v.name, v.state])).toEqual([['crash-01', 'Creating']]);

  const app = await startTestBackend({ dataDir: temp.dir });
  try {
    const inventory = app.backend.modules.get('inventory')!.api as InventoryApi;
    // Gone from the first snapshot a client can get, before any host answered.
    expect(inventory.snapshot().vms.filter((v) => v.placeholder)).toEqual([]);
    const job = (await app.backend.invoke('jobs.get', { id: jobId })) as { ok: true; data: JobGetResponse };
    expect(job.data.job.state).toBe('interrupted');
    // And it stays gone once the host is refreshed again (whatever the host finished meanwhile).
    await waitFor(() => inventory.snapshot().hosts.every((h) => h.sync.state === 'fresh'), 30_000, 'the host refreshed after the restart');
    expect(inventory.snapshot().vms.filter((v) => v.placeholder)).toEqual([]);
    // Nor is it on disk for the start after this one.
    expect(inventory.store.snapshot().vms.some((v) => v.state === 'Creating')).toBe(false);
  } finally {
    await app.close();
  }
  const reopened = InventoryStore.open(path.join(temp.dir, 'inventory.db'));
  expect(reopened.snapshot().vms.filter((v) => v.placeholder)).toEqual([]);
  reopened.close();
}, 90_000);

test('quitting mid-create (a clean close) leaves no "Creating" row after the next start either', async () => {
  const first = await startTestBackend({ dataDir: temp.dir });
  const hostId = first.backend.services.hosts.list()[0]!.id;
  const inventory = () => first.backend.modules.get('inventory')!.api as InventoryApi;
  let jobId = '';
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const submitted = await first.backend.invoke('jobs.submit', { schemaVersion: 1, hostId, imageOsFamily: 'windows', fields: windowsVmFields('quit-01') });
      if (submitted.ok) {
        jobId = (submitted.data as JobSubmitResponse).job.id;
        break;
      }
      if (Date.now() > deadline) throw new Error(`create never accepted: ${submitted.error.message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await waitFor(() => (first.backend.modules.get('jobs')!.api as JobsApi).core.store.get(jobId)?.state === 'running', 30_000, 'the create job running');
    expect(inventory().snapshot().vms.filter((v) => v.placeholder).map((v) => v.name)).toEqual(['quit-01']);
  } finally {
    await first.close();
  }
  const second = await startTestBackend({ dataDir: temp.dir });
  try {
    const after = second.backend.modules.get('inventory')!.api as InventoryApi;
    expect(after.snapshot().vms.filter((v) => v.placeholder)).toEqual([]);
    const job = (await second.backend.invoke('jobs.get', { id: jobId })) as { ok: true; data: JobGetResponse };
    expect(job.data.job.state).toBe('interrupted');
  } finally {
    await second.close();
  }
}, 90_000);
