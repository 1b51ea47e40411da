/**
 * A create job's secrets are registered with the job masker and the log before it is queued. When
 * queueing fails (here: the inventory database refuses writes, so its "Creating" row cannot be written)
 * no job will ever end and forget them; submitCreate must, and leave no row behind. finish()
 * forgets them even when the job's record cannot be written.
 */
import type { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { JobInputSchema, JobSubmitResponse, Metrics } from '../../src/shared/contract';
import { startLab, type Lab } from '../lab';
import { startJobsHarness, windowsVmFields, WINDOWS_SECRETS, type JobsHarness } from './support';

describe('secrets of a create job that could not be queued', () => {
  let lab: Lab;
  let h: JobsHarness;
  const maskedByLog = async () => (await h.ok<Metrics>('diagnostics.metrics', {})).groups.find((g) => g.name === 'App log')!.rows[0]!.maskedSecrets as number;

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 0, seed: 23, clusters: 0 });
    h = await startJobsHarness(lab);
  }, 90_000);
  afterAll(async () => {
    await h?.close();
    await lab?.close();
  });

  test('are forgotten by the job masker and the log, and no "Creating" row stays', async () => {
    const base = await maskedByLog();
    const version = (await h.ok<JobInputSchema>('jobs.schema', {})).version;
    // The real SQLite connection turns read-only: the placeholder's INSERT fails as a write would on a broken disk.
    const db = (h.inventory.store as unknown as { db: DatabaseSync }).db;
    db.exec('PRAGMA query_only = ON');
    try {
      const refused = await h.fail('jobs.submit', { schemaVersion: version, hostId: h.hostIds.get('hv01'), imageOsFamily: 'windows', fields: windowsVmFields('refused-01') });
      expect(refused.message).toMatch(/readonly|read-only/i);
      for (const secret of Object.values(WINDOWS_SECRETS)) expect(refused.message).not.toContain(secret);
    } finally {
      db.exec('PRAGMA query_only = OFF');
    }
    expect(h.jobs.core.masker.heldJobs).toBe(0);
    expect(await maskedByLog()).toBe(base);
    expect(h.snapshot().vms.filter((v) => v.placeholder)).toEqual([]);
    // With room again the same request is queued, holding its secrets while it lives.
    const { job } = await h.ok<JobSubmitResponse>('jobs.submit', { schemaVersion: version, hostId: h.hostIds.get('hv01'), imageOsFamily: 'windows', fields: windowsVmFields('refused-01') });
    expect(job.state === 'queued' || job.state === 'running' || h.jobs.core.isFinished(h.job(job.id)!)).toBe(true);
  });

  test('finish forgets a job’s secrets even when its record cannot be written', () => {
    const core = h.jobs.core;
    const held = core.masker.heldJobs;
    core.masker.add('job-without-record', ['Finish-Secret-42']);
    // No record with this id: writing the finished state throws.
    expect(() => core.finish('job-without-record', 'failed', {})).toThrow();
    expect(core.masker.heldJobs).toBe(held);
    expect(core.masker.mask('Finish-Secret-42')).toBe('Finish-Secret-42');
  });
});
