import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { JobExportResponse, JobRecord } from '../../src/shared/contract';
import { startLab, type Lab } from '../lab';
import { startJobsHarness, waitFor, type JobsHarness } from './support';

describe('job log export in every format', () => {
  let lab: Lab;
  let h: JobsHarness;
  const done: JobRecord[] = [];

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 4, seed: 9, clusters: 0 });
    h = await startJobsHarness(lab);
    const snapshot = h.snapshot();
    const off = snapshot.vms.filter((v) => v.state === 'Off').slice(0, 2);
    for (const vm of off) {
      const job = await h.ok<JobRecord>('vm.action', { hostId: vm.hostId, vmId: vm.vmId, action: 'start' });
      await waitFor(() => h.job(job.id)?.state === 'succeeded', 20_000, `job ${job.id} to succeed`);
      done.push(h.job(job.id)!);
    }
    expect(done.length).toBe(2);
  }, 90_000);
  afterAll(async () => {
    await h?.close();
    await lab?.close();
  });

  test('.log: a header naming the job, then its output lines', async () => {
    const job = done[0]!;
    const out = await h.ok<JobExportResponse>('jobs.export', { id: job.id, format: 'log' });
    expect(out).toMatchObject({ encoding: 'utf8', contentType: 'text/plain; charset=utf-8', jobs: 1 });
    expect(out.filename.endsWith('.log')).toBe(true);
    expect(out.content).toContain(job.id);
    expect(out.content).toContain('succeeded');
    expect(out.content).toContain(job.vmName!);
    for (const line of h.lines(job.id)) expect(out.content).toContain(line.text);
  });

  test('.json: the record and every line', async () => {
    const job = done[0]!;
    const out = await h.ok<JobExportResponse>('jobs.export', { id: job.id, format: 'json' });
    const parsed = JSON.parse(out.content) as { record: JobRecord; lines: { seq: number }[] };
    expect(parsed.record.id).toBe(job.id);
    expect(parsed.lines.map((l) => l.seq)).toEqual(h.lines(job.id).map((l) => l.seq));
  });

  test('.ndjson and .zip: every job matching the filter', async () => {
    const filter = { type: ['vm.action'], state: ['succeeded'] };
    const nd = await h.ok<JobExportResponse>('jobs.export', { filter, format: 'ndjson' });
    const rows = nd.content.trim().split('\n').map((l) => JSON.parse(l) as { record: JobRecord });
    expect(rows.map((r) => r.record.id).sort()).toEqual(done.map((j) => j.id).sort());
    expect(nd.jobs).toBe(2);

    const zip = await h.ok<JobExportResponse>('jobs.export', { filter, format: 'zip' });
    expect(zip.encoding).toBe('base64');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aetherv-zip-'));
    try {
      const file = path.join(dir, zip.filename);
      writeFileSync(file, Buffer.from(zip.content, 'base64'));
      // Read it back with an independent implementation (Python's zipfile).
      const listing = execFileSync('/usr/bin/python3', ['-c', 'import sys,zipfile,json; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(json.dumps({n: z.read(n).decode() for n in z.namelist()}))', file], { encoding: 'utf8' });
      const entries = JSON.parse(listing) as Record<string, string>;
      // One .log per job, plus the same jobs as NDJSON for tools.
      expect(Object.keys(entries).sort()).toEqual([...done.map((j) => `${j.id}.log`), 'jobs.ndjson'].sort());
      for (const job of done) expect(entries[`${job.id}.log`]).toContain(job.vmName!);
      expect(entries['jobs.ndjson']).toBe(nd.content);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
