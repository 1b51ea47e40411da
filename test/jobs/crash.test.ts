import { afterAll, beforeAll, expect, test } from 'vitest';
import type { JobGetResponse } from '../../src/shared/contract';
import { configureHosts } from '../inventory/support/harness';
import { startLab, type Lab } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs';
import { startTestBackend } from '../support/backend';
import { filesContaining, tempDir } from '../support/temp';
import { crashBackendMidJob } from './kill-child-run';
import { WINDOWS_SECRETS } from './support';

let lab: Lab;
const temp = tempDir();

beforeAll(async () => {
  lab = await startLab({ hosts: 1, vmsPerHost: 2, seed: 5, clusters: 0 });
  await configureHosts(temp.dir, lab.hosts);
  setJobKnobs(lab.host('hv01'), { stepMs: 1500 });
});
afterAll(async () => {
  await lab?.close();
  temp.cleanup();
});

test('killing the backend process mid-job, then restarting, shows the job interrupted with its output', async () => {
  // Killed once the job has streamed a few lines (the host is in the middle of the copy steps).
  const { jobId, linesSeen: seen } = await crashBackendMidJob(temp.dir, 3);

  const app = await startTestBackend({ dataDir: temp.dir });
  try {
    const result = await app.backend.invoke('jobs.get', { id: jobId });
    if (!result.ok) throw new Error(result.error.message);
    const { job, lines } = result.data as JobGetResponse;
    expect(job.state).toBe('interrupted');
    expect(job.error?.code).toBe('INTERRUPTED');
    expect(job.finishedAt).not.toBeNull();
    // Every line a client saw before the crash is on disk, in order.
    expect(lines.length).toBeGreaterThanOrEqual(seen);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i));
    expect(lines.some((l) => l.step === 'copy-image')).toBe(true);
    expect(job.lineCount).toBe(lines.length);
  } finally {
    await app.close();
  }
  for (const secret of Object.values(WINDOWS_SECRETS)) expect(filesContaining(temp.dir, secret)).toEqual([]);
}, 90_000);
