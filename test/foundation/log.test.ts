/**
 * The app log: rotation by size (a setting), masking of values before they are serialised, and
 * writes that never throw when the disk is full (real ENOSPC: /dev/full, and a full tmpfs in a
 * user + mount namespace of its own).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createLogger } from '../../src/main/log';
import { SecretSet } from '../../src/main/secrets/masking';
import type { Failure, Settings } from '../../src/shared/contract';
import { startTestBackend } from '../support/backend';
import { tempDir } from '../support/temp';

const temps: { cleanup(): void }[] = [];
const newDir = () => {
  const t = tempDir('aetherv-log-');
  temps.push(t);
  return t.dir;
};
afterEach(() => {
  vi.restoreAllMocks();
  for (const t of temps.splice(0)) t.cleanup();
});

const logFiles = (dir: string) => readdirSync(path.join(dir, 'logs')).sort();
const records = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('app.log rotates by size', () => {
  test('files stay under the limit, only N rotated files are kept, and the kept lines are the newest, in order, none missing', () => {
    const dir = newDir();
    const log = createLogger(dir, { limits: { maxBytes: 4096, keepFiles: 2 } });
    for (let seq = 0; seq < 300; seq++) log.info('line', { seq, pad: 'p'.repeat(seq % 90) });

    expect(logFiles(dir)).toEqual(['app.log', 'app.log.1', 'app.log.2']);
    for (const name of logFiles(dir)) expect(statSync(path.join(dir, 'logs', name)).size).toBeLessThanOrEqual(4096);
    for (const name of logFiles(dir)) expect(statSync(path.join(dir, 'logs', name)).mode & 0o777).toBe(0o600);
    // Oldest file first: the sequence numbers are one unbroken run that ends with the last line written.
    const seqs = ['app.log.2', 'app.log.1', 'app.log'].flatMap((name) => records(path.join(dir, 'logs', name)).map((r) => r.seq as number));
    expect(seqs[seqs.length - 1]).toBe(299);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
    expect(seqs.length).toBeGreaterThan(40);
    const row = log.metrics().rows[0]!;
    expect(row.rotations).toBeGreaterThan(2);
    expect(row.linesWritten).toBe(300);
    expect(row.linesDropped).toBe(0);
  });

  test('lowering the number of kept files deletes the extra ones at the next rotation; an existing log is continued, not truncated', () => {
    const dir = newDir();
    const first = createLogger(dir, { limits: { maxBytes: 2048, keepFiles: 4 } });
    for (let seq = 0; seq < 200; seq++) first.info('line', { seq });
    expect(logFiles(dir)).toEqual(['app.log', 'app.log.1', 'app.log.2', 'app.log.3', 'app.log.4']);

    const before = records(path.join(dir, 'logs', 'app.log')).length;
    const second = createLogger(dir, { limits: { maxBytes: 2048, keepFiles: 4 } });
    second.info('after restart', { seq: 200 });
    expect(records(path.join(dir, 'logs', 'app.log')).length).toBe(before + 1);

    second.configure({ maxBytes: 2048, keepFiles: 1 });
    for (let seq = 201; seq < 260; seq++) second.info('line', { seq });
    expect(logFiles(dir)).toEqual(['app.log', 'app.log.1']);
  });

  test('the setting: settings.update changes the limits at once; out-of-range values are refused naming the field', async () => {
    const t = await startTestBackend();
    try {
      const row = () => t.backend.log.metrics().rows[0]!;
      expect(row()).toMatchObject({ maxBytes: 10 * 1024 * 1024, keepFiles: 3 });
      const updated = await t.backend.invoke('settings.update', { log: { maxFileMB: 2, keepFiles: 5 } });
      expect(updated.ok).toBe(true);
      expect((updated as { data: Settings }).data.log).toEqual({ maxFileMB: 2, keepFiles: 5 });
      expect(row()).toMatchObject({ maxBytes: 2 * 1024 * 1024, keepFiles: 5 });
      const refused = (await t.backend.invoke('settings.update', { log: { maxFileMB: 0 } })) as Failure;
      expect(refused.error.code).toBe('VALIDATION_FAILED');
      expect(refused.error.details?.fields?.[0]?.field).toBe('log.maxFileMB');
      const tooMany = (await t.backend.invoke('settings.update', { log: { keepFiles: 21 } })) as Failure;
      expect(tooMany.error.details?.fields?.[0]?.field).toBe('log.keepFiles');
      // Stored, so the next start uses it.
      const stored = JSON.parse(readFileSync(path.join(t.dataDir, 'settings.json'), 'utf8'));
      expect(stored.settings.log).toEqual({ maxFileMB: 2, keepFiles: 5 });
    } finally {
      await t.close();
    }
  });
});

describe('masking happens on values, before serialising', () => {
  // A password with a quote and a backslash: in JSON it appears as Pa\"ss\\... — the escaped form.
  const SECRET = 'Pa"ss\\w0rd-Qx7';

  test('nested fields, arrays, Maps, Error objects with causes, keys and JSON-escaped forms are masked; every line stays valid JSON', () => {
    const dir = newDir();
    const log = createLogger(dir);
    log.addSecret(SECRET, 'host:h1');
    const cause = Object.assign(new Error(`inner ${SECRET}`), { code: 'E_INNER' });
    log.error(`failed with ${SECRET}`, {
      nested: { deeper: { list: ['ok', `x${SECRET}y`, { again: SECRET }] } },
      json: JSON.stringify({ user: 'admin', pw: SECRET }),
      jsonTwice: JSON.stringify(JSON.stringify({ pw: SECRET })),
      error: new Error(`outer ${SECRET}`, { cause }),
      map: new Map([[SECRET, 'value-under-a-secret-key']]),
      headers: { Authorization: 'Negotiate abc', password: 'anything', token: 'x' },
    });
    const text = readFileSync(path.join(dir, 'logs', 'app.log'), 'utf8');
    for (const form of [SECRET, JSON.stringify(SECRET).slice(1, -1), JSON.stringify(JSON.stringify(SECRET)).slice(1, -2)]) expect(text).not.toContain(form);
    expect(text).not.toContain('Pa"ss');
    expect(text).not.toContain('Pa\\"ss');
    const [record] = records(path.join(dir, 'logs', 'app.log'));
    expect(record!.message).toBe('failed with ********');
    expect(record!.nested).toEqual({ deeper: { list: ['ok', 'x********y', { again: '********' }] } });
    expect(JSON.parse(record!.json as string)).toEqual({ user: 'admin', pw: '********' });
    // An Error keeps what a person needs (message, code, stack, cause) instead of serialising as {}.
    expect(record!.error).toMatchObject({ name: 'Error', message: 'outer ********', cause: { message: 'inner ********', code: 'E_INNER' } });
    expect(String((record!.error as { stack: string }).stack)).toContain('outer ********');
    expect(record!.map).toEqual({ '********': 'value-under-a-secret-key' });
    expect(record!.headers).toEqual({ Authorization: '********', password: '********', token: '********' });
  });

  test('a field cannot overwrite the line’s own time, level or message; a cycle and a huge string do not break the line', () => {
    const dir = newDir();
    const log = createLogger(dir);
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    log.warn('the real message', { message: 'a field called message', level: 'debug', cyclic, big: 'b'.repeat(100_000) });
    const [record] = records(path.join(dir, 'logs', 'app.log'));
    expect(record).toMatchObject({ level: 'warn', message: 'the real message', 'field.message': 'a field called message', 'field.level': 'debug' });
    expect(record!.cyclic).toEqual({ name: 'a', self: '[circular]' });
    expect((record!.big as string).length).toBeLessThan(20_000);
  });

  test('the one-pass masker: repeated, adjacent and prefix-sharing secrets, at the start and the end, among 500 others', () => {
    const set = new SecretSet('#');
    for (let i = 0; i < 500; i++) set.add(`host:${i}`, [`Other-Pw-${i}`]);
    set.add('a', ['abc', 'abcdef']);
    expect(set.mask('abcdef')).toBe('#');
    expect(set.mask('abcabc')).toBe('##');
    expect(set.mask('xabcdefabcx')).toBe('x##x');
    expect(set.mask('Other-Pw-499 and Other-Pw-7!')).toBe('# and #!');
    expect(set.mask('ab')).toBe('ab');
    expect(set.mask('nothing here')).toBe('nothing here');
    set.forget('a');
    expect(set.mask('abcdef')).toBe('abcdef');
  });

  test('log.mask (for error bodies sent to clients) masks secrets but keeps every field and character', () => {
    const log = createLogger(newDir());
    log.addSecret(SECRET, 'host:h1');
    const fields = Array.from({ length: 300 }, (_, i) => ({ field: `f${i}`, message: i === 299 ? `has ${SECRET}` : 'ok' }));
    const body = { code: 'VALIDATION_FAILED', message: `${'m'.repeat(20_000)} ${SECRET}`, details: { fields } };
    const masked = log.mask(body);
    expect(masked.details.fields).toHaveLength(300);
    expect(masked.details.fields[299]).toEqual({ field: 'f299', message: 'has ********' });
    expect(masked.message).toBe(`${'m'.repeat(20_000)} ********`);
    expect(body.message).toContain(SECRET); // a copy: the original is left alone
  });

  test('a scope’s secrets are masked until the scope is forgotten (a job that ended), and other scopes keep the same value masked', () => {
    const dir = newDir();
    const log = createLogger(dir);
    log.addSecret('Shared-Secret-1', 'job:a');
    log.addSecret('Shared-Secret-1', 'host:h');
    log.addSecret('Job-Only-Secret', 'job:a');
    expect(log.metrics().rows[0]!.maskedSecrets).toBe(2);
    log.forgetSecrets('job:a');
    expect(log.metrics().rows[0]!.maskedSecrets).toBe(1);
    log.info('after the job', { a: 'Shared-Secret-1' });
    expect(readFileSync(path.join(dir, 'logs', 'app.log'), 'utf8')).not.toContain('Shared-Secret-1');
  });
});

describe('a full disk never throws into the app and is reported once', () => {
  test('/dev/full: every write fails with ENOSPC; lines are counted as dropped, one notice; writes resume and say what was lost', () => {
    const dir = newDir();
    mkdirSync(path.join(dir, 'logs'));
    const file = path.join(dir, 'logs', 'app.log');
    symlinkSync('/dev/full', file);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const log = createLogger(dir);
    const notices: string[] = [];
    log.onWriteFailure((problem) => notices.push(problem));

    for (let i = 0; i < 50; i++) expect(() => log.error('cannot be written', { i })).not.toThrow();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/app\.log cannot be written \(ENOSPC: the disk is full\)/);
    expect(stderr.mock.calls.filter(([chunk]) => String(chunk).includes('cannot be written'))).toHaveLength(1);
    expect(log.metrics().rows[0]).toMatchObject({ linesDropped: 50, writeFailures: 50, failing: true, lastError: 'ENOSPC: the disk is full' });

    // Space is back (the link now leads to a real file): the first line says how many were lost.
    rmSync(file);
    log.info('back');
    const lines = records(file);
    expect(lines.map((l) => l.message)).toEqual(['app log writes resumed', 'back']);
    expect(lines[0]).toMatchObject({ level: 'warn', droppedLines: 50, error: 'ENOSPC: the disk is full' });
    expect(log.metrics().rows[0]).toMatchObject({ failing: false, linesWritten: 2 });
    // A new failure soon after is counted, not announced again (no notice storm from a flapping disk).
    rmSync(file);
    symlinkSync('/dev/full', file);
    log.info('fails again');
    expect(notices).toHaveLength(1);
    expect(log.metrics().rows[0]!.linesDropped).toBe(51);
  });

  test('a real full tmpfs (unshare -rm): no throw, one notice, no torn line, and logging resumes once space is freed', () => {
    const mountPoint = newDir();
    const child = path.join(__dirname, 'support', 'log-disk-full.child.ts');
    const script = `mount -t tmpfs -o size=64k,mode=0700 aetherv-log-test "$1" && exec "$2" --import tsx "$3" "$1"`;
    const run = spawnSync('unshare', ['-rm', 'sh', '-c', script, 'sh', mountPoint, process.execPath, child], {
      cwd: path.join(__dirname, '..', '..'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr.replace(/^aether-v: .*\n/gm, '')).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as {
      attempted: number;
      threw: number;
      notices: string[];
      during: Record<string, unknown>;
      after: Record<string, unknown>;
      unparsable: number;
      trailing: string;
      seqs: (number | null)[];
      resumed: Record<string, unknown> | null;
      last: string | null;
    };
    expect(result.threw).toBe(0);
    expect(result.notices).toHaveLength(1);
    expect(result.notices[0]).toContain('ENOSPC');
    const dropped = result.during.linesDropped as number;
    const written = result.during.linesWritten as number;
    expect(written).toBeGreaterThan(5);
    expect(dropped).toBeGreaterThan(100);
    expect(written + dropped).toBe(result.attempted);
    // Whole lines only: a write the disk could take only in part was cut back.
    expect(result.unparsable).toBe(0);
    expect(result.trailing).toBe('');
    // The lines that fit are the first ones, in order; then the resume notice with the exact count.
    expect(result.seqs.slice(0, written)).toEqual(Array.from({ length: written }, (_, i) => i));
    expect(result.resumed).toMatchObject({ droppedLines: dropped, error: 'ENOSPC: the disk is full' });
    expect(result.last).toBe('after space was freed');
    expect(result.after).toMatchObject({ failing: false, linesWritten: written + 2 });
  });

  test('the backend turns a failing log into one notification, and keeps serving commands', async () => {
    const t = await startTestBackend();
    try {
      const file = t.backend.log.file;
      rmSync(file, { force: true });
      symlinkSync('/dev/full', file);
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      for (let i = 0; i < 20; i++) t.backend.log.warn('noise', { i });
      const health = await t.backend.invoke('app.health', {});
      expect(health.ok).toBe(true);
      const list = (await t.backend.invoke('notifications.list', {})) as { ok: true; data: { title: string; message: string }[] };
      const about = list.data.filter((n) => n.title === 'App log not written');
      expect(about).toHaveLength(1);
      expect(about[0]!.message).toContain('ENOSPC');
      expect(existsSync(file)).toBe(true);
      rmSync(file);
      writeFileSync(file, '');
    } finally {
      await t.close();
    }
  });
});
