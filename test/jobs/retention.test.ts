import { statSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, expect, test } from 'vitest';
import type { JobLine, JobRecord } from '../../src/shared/contract';
import { JobStore, type JobStoreOptions } from '../../src/main/jobs/store/job-store';
import type { JobRetention } from '../../src/main/jobs/store/retention';
import { tempDir } from '../support/temp';

const temps: Array<{ cleanup(): void }> = [];
afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));

const DAY = 86_400_000;
const NOW = new Date('2026-06-01T12:00:00Z');

function newFile(): string {
  const t = tempDir('aetherv-retention-');
  temps.push(t);
  return path.join(t.dir, 'jobs.db');
}

function job(id: string, state: JobRecord['state'], ageDays: number, extra: Partial<JobRecord> = {}): JobRecord {
  const at = new Date(NOW.getTime() - ageDays * DAY).toISOString();
  return {
    id, type: 'vm.action', state, hostId: 'h1', hostName: 'hv01', vmId: null, vmName: `vm-${id}`, action: 'start', parameters: {},
    createdAt: at, startedAt: at, finishedAt: state === 'queued' || state === 'running' ? null : at,
    result: null, error: null, lineCount: 0, parentId: null, warnings: [], bulk: null, ...extra,
  };
}

function open(file: string, retention: Partial<JobRetention> = {}, extra: JobStoreOptions = {}) {
  const removed: string[] = [];
  const published: JobLine[] = [];
  const limits: JobRetention = { retentionDays: 30, maxJobs: 1_000, maxOutputLinesPerJob: 50_000, ...retention };
  const store = new JobStore(file, { records: () => undefined, lines: (l) => published.push(...l), removed: (ids) => removed.push(...ids) }, () => NOW, {
    retention: () => limits,
    ...extra,
  });
  return { store, removed, published, limits };
}

/** What the file itself holds, read with a separate connection. */
function onDisk(file: string): { jobs: string[]; lineJobs: string[] } {
  const db = new DatabaseSync(file);
  try {
    return {
      jobs: (db.prepare('SELECT id FROM jobs ORDER BY ord').all() as Array<{ id: string }>).map((r) => r.id),
      lineJobs: (db.prepare('SELECT DISTINCT job_id FROM job_lines ORDER BY job_id').all() as Array<{ job_id: string }>).map((r) => r.job_id),
    };
  } finally {
    db.close();
  }
}

test('finished jobs older than retentionDays are removed with their lines; queued and running jobs never are', async () => {
  const file = newFile();
  const { store, removed } = open(file, { retentionDays: 30 });
  await store.openingPrune;
  store.put(job('old-done', 'succeeded', 40), job('old-failed', 'failed', 35), job('old-running', 'running', 60), job('old-queued', 'queued', 50), job('recent', 'succeeded', 5));
  for (const id of ['old-done', 'old-running', 'recent']) store.appendLine(id, { stream: 'stdout', level: 'info', text: `line of ${id}`, step: null });
  store.flush();

  const result = await store.prune();

  expect(result.removed).toBe(2);
  expect(removed.sort()).toEqual(['old-done', 'old-failed']);
  expect(store.all().map((r) => r.id)).toEqual(['old-running', 'old-queued', 'recent']);
  expect(onDisk(file)).toEqual({ jobs: ['old-running', 'old-queued', 'recent'], lineJobs: ['old-running', 'recent'] });
  expect(store.get('old-done')).toBeUndefined();
  store.close();
});

test('at most maxJobs finished jobs are kept, the oldest go first, and a bulk job goes with its children', async () => {
  const file = newFile();
  const { store } = open(file, { retentionDays: 0, maxJobs: 100 });
  await store.openingPrune;
  // A bulk parent with two children, created first (oldest), then 120 single jobs.
  store.put(job('bulk', 'succeeded', 10, { type: 'bulk' }), job('child-1', 'succeeded', 10, { parentId: 'bulk' }), job('child-2', 'failed', 10, { parentId: 'bulk' }));
  for (let i = 0; i < 120; i++) store.put(job(`j${String(i).padStart(3, '0')}`, 'succeeded', 9));
  store.put(job('live', 'running', 9));

  await store.prune();

  const ids = store.all().map((r) => r.id);
  // 121 finished families (the bulk one and 120 singles) → 21 oldest removed: the bulk family and j000–j019.
  expect(ids).not.toContain('bulk');
  expect(ids).not.toContain('child-1');
  expect(ids).not.toContain('j019');
  expect(ids).toContain('j020');
  expect(ids).toContain('live');
  expect(ids.filter((id) => id !== 'live')).toHaveLength(100);
  expect(onDisk(file).jobs).toEqual(ids);
  store.close();
});

test('pruning also runs when the store opens (the app starts), with the settings of that moment', async () => {
  const file = newFile();
  const first = open(file, { retentionDays: 0 });
  first.store.put(job('a', 'succeeded', 100), job('b', 'succeeded', 1));
  first.store.close();
  expect(onDisk(file).jobs).toEqual(['a', 'b']);

  const second = open(file, { retentionDays: 30 });
  await second.store.openingPrune;
  expect(second.store.all().map((r) => r.id)).toEqual(['b']);
  expect(second.store.lastPrune?.removed).toBe(1);
  second.store.close();
  expect(onDisk(file).jobs).toEqual(['b']);
});

test('a job that prints more than maxOutputLinesPerJob keeps that many lines plus one "output truncated" line', () => {
  const file = newFile();
  const { store, published } = open(file, { maxOutputLinesPerJob: 1_000 });
  store.put(job('flood', 'running', 0));
  for (let i = 0; i < 5_000; i++) store.appendLine('flood', { stream: 'stdout', level: 'info', text: `line ${i}`, step: null });
  store.flush();

  const lines = store.lines('flood');
  expect(lines).toHaveLength(1_001);
  expect(lines[999]!.text).toBe('line 999');
  expect(lines[1_000]!.stream).toBe('system');
  expect(lines[1_000]!.text).toMatch(/^Output truncated: this job printed more than 1,000 lines/);
  expect(store.get('flood')!.lineCount).toBe(1_001);
  expect(published).toHaveLength(1_001);
  store.close();

  // Still so after a restart (the job is interrupted then, its lines are what the file holds).
  const again = open(file, { maxOutputLinesPerJob: 1_000 });
  expect(again.store.lines('flood')).toHaveLength(1_001);
  expect(again.store.get('flood')!.lineCount).toBe(1_001);
  again.store.close();
});

test('a file that pruning left mostly empty is vacuumed at the next start and shrinks', async () => {
  const file = newFile();
  const first = open(file, { retentionDays: 0 });
  const text = 'x'.repeat(400);
  for (let j = 0; j < 30; j++) {
    const id = `big${String(j).padStart(2, '0')}`;
    first.store.put(job(id, 'running', 60));
    for (let i = 0; i < 1_000; i++) first.store.appendLine(id, { stream: 'stdout', level: 'info', text, step: null });
    first.store.flush();
    first.store.put({ ...first.store.get(id)!, state: 'succeeded', finishedAt: new Date(NOW.getTime() - 60 * DAY).toISOString() });
  }
  first.store.put(job('keep', 'succeeded', 1));
  first.store.close();
  const before = statSync(file).size;
  expect(before).toBeGreaterThan(12 * 1024 * 1024);

  const second = open(file, { retentionDays: 30 });
  await second.store.openingPrune;
  expect(second.store.lastPrune).toMatchObject({ removed: 30, vacuumed: true });
  expect(second.store.all().map((r) => r.id)).toEqual(['keep']);
  second.store.close();
  const after = statSync(file).size;
  expect(after).toBeLessThan(before / 10);
  expect(onDisk(file).jobs).toEqual(['keep']);
});

test('a large prune runs in chunks that leave the event loop free, and closing the store mid-prune stops it cleanly', async () => {
  const file = newFile();
  const { store } = open(file, { retentionDays: 0 });
  await store.openingPrune;
  for (let j = 0; j < 300; j++) {
    const id = `j${String(j).padStart(3, '0')}`;
    store.put(job(id, 'running', 60));
    for (let i = 0; i < 100; i++) store.appendLine(id, { stream: 'stdout', level: 'info', text: `line ${i}`, step: null });
    store.put({ ...store.get(id)!, state: 'succeeded', finishedAt: new Date(NOW.getTime() - 60 * DAY).toISOString() });
  }
  store.flush();
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 0);
  const limits = (store as unknown as { options: { retention: () => JobRetention } }).options.retention();
  limits.retentionDays = 30;
  const pruned = store.prune();
  // A second request waits for the first (one prune at a time) and finds nothing left to do.
  const second = store.prune();
  expect(await pruned).toMatchObject({ removed: 300 });
  expect(await second).toMatchObject({ removed: 0 });
  clearInterval(ticker);
  // 30,000 lines in chunks of about 5,000: the loop ran between chunks.
  expect(ticks).toBeGreaterThan(0);
  expect(store.all()).toHaveLength(0);
  expect(onDisk(file)).toEqual({ jobs: [], lineJobs: [] });

  for (let j = 0; j < 100; j++) {
    store.put(job(`k${j}`, 'succeeded', 60));
    for (let i = 0; i < 200; i++) store.appendLine(`k${j}`, { stream: 'stdout', level: 'info', text: `line ${i}`, step: null });
  }
  store.flush();
  const interrupted = store.prune();
  await new Promise((resolve) => setImmediate(resolve)); // the first chunk is deleted by now
  store.close();
  await expect(interrupted).resolves.toMatchObject({ vacuumed: false });
  const left = onDisk(file).jobs.length;
  expect(left).toBeGreaterThan(0);
  expect(left).toBeLessThan(100);
});
