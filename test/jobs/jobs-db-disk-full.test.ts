import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, expect, test } from 'vitest';
import type { JobLine, JobRecord } from '../../src/shared/contract';
import { isDiskFull } from '../../src/main/diagnostics/faults';
import { JobStore } from '../../src/main/jobs/store/job-store';
import { tempDir } from '../support/temp';

const temps: Array<{ cleanup(): void }> = [];
afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));

const record = (id: string, state: JobRecord['state']): JobRecord => ({
  id, type: 'vm.action', state, hostId: 'h1', hostName: 'hv01', vmId: null, vmName: 'web01', action: 'start', parameters: {},
  createdAt: new Date().toISOString(), startedAt: null, finishedAt: state === 'succeeded' ? new Date().toISOString() : null,
  result: null, error: null, lineCount: 0, parentId: null, warnings: [], bulk: null,
});

/** The store's own connection: PRAGMA max_page_count is per connection, and makes SQLite answer a real SQLITE_FULL. */
const connectionOf = (store: JobStore) => (store as unknown as { db: DatabaseSync }).db;
const pragma = (db: DatabaseSync, name: string) => Number(Object.values(db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown>)[0]);

test('jobs.db full: writes are held and retried, reported once, nothing saved before is lost, and all is saved once there is room', async () => {
  const t = tempDir('aetherv-jobsfull-');
  temps.push(t);
  const file = path.join(t.dir, 'jobs.db');
  const published: JobLine[] = [];
  const faults: unknown[] = [];
  const store = new JobStore(file, { records: () => undefined, lines: (l) => published.push(...l) }, undefined, { onDiskFull: (e) => faults.push(e) });
  store.put(record('job1', 'running'));
  for (let i = 0; i < 50; i++) store.appendLine('job1', { stream: 'stdout', level: 'info', text: `before ${i}`, step: null });
  store.flush();
  expect(published).toHaveLength(50);

  // The "disk" now has no room for one more page.
  const db = connectionOf(store);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.exec(`PRAGMA max_page_count = ${pragma(db, 'page_count')}`);
  const filler = 'y'.repeat(2_000);
  for (let i = 0; i < 200; i++) store.appendLine('job1', { stream: 'stdout', level: 'info', text: `during ${i} ${filler}`, step: null });
  expect(() => store.flush()).not.toThrow();
  expect(() => store.put({ ...store.get('job1')!, state: 'succeeded', finishedAt: new Date().toISOString() })).not.toThrow();
  store.flush();

  expect(faults).toHaveLength(1);
  expect(isDiskFull(faults[0])).toBe(true);
  // A client never saw a line the file does not have; the record's state is live in memory.
  expect(published).toHaveLength(50);
  expect(store.get('job1')!.state).toBe('succeeded');
  expect(store.lines('job1')).toHaveLength(50);

  // Room again: the next write (the retry) saves everything that was held.
  db.exec('PRAGMA max_page_count = 1073741823');
  store.flush();
  expect(published).toHaveLength(250);
  store.close();

  const check = new DatabaseSync(file);
  expect(Object.values(check.prepare('PRAGMA integrity_check').get() as Record<string, unknown>)[0]).toBe('ok');
  check.close();
  const reopened = new JobStore(file, { records: () => undefined, lines: () => undefined });
  const lines = reopened.lines('job1');
  expect(lines).toHaveLength(250);
  expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i));
  expect(lines[0]!.text).toBe('before 0');
  expect(reopened.get('job1')!.state).toBe('succeeded');
  reopened.close();
});
