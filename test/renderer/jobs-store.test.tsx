// @vitest-environment jsdom
import { beforeEach, describe, expect, test } from 'vitest';
import type { Backend } from '../../src/renderer/backend/backend';
import type { CommandName, JobLine, JobRecord, RequestOf, StateEvent } from '../../src/shared/contract';
import { JobOutputFeed, jobsSyncs, useJobs } from '../../src/renderer/stores/jobs-store';

const line = (jobId: string, seq: number, text = `line ${seq}`): JobLine => ({ jobId, seq, stream: 'log', level: 'info', text, step: null, at: new Date(0).toISOString() });

function record(id: string, over: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    type: 'vm.action',
    state: 'running',
    hostId: 'h1',
    hostName: 'hv01',
    vmId: 'v1',
    vmName: 'web01',
    action: 'shutdown',
    parameters: {},
    createdAt: new Date(0).toISOString(),
    startedAt: null,
    finishedAt: null,
    result: null,
    error: null,
    lineCount: 0,
    parentId: null,
    warnings: [],
    bulk: null,
    ...over,
  };
}

/** The server's lines for a job; jobs.get answers from them like the backend does (from fromLine on). */
function fakeServer(lines: Record<string, JobLine[]>) {
  const calls: { id: string; fromLine: number }[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const fetch = async (id: string, fromLine: number) => {
    calls.push({ id, fromLine });
    if (hold) await new Promise<void>((r) => (release = r));
    return { ok: true as const, lines: (lines[id] ?? []).filter((l) => l.seq >= fromLine) };
  };
  return { calls, fetch, holdNext: () => (hold = true), release: () => ((hold = false), release?.()) };
}

const settle = () => new Promise((r) => setTimeout(r, 0));
const texts = (id: string) => useJobs.getState().output[id]?.lines.map((l) => l.seq);

beforeEach(() => useJobs.setState({ jobs: {}, output: {}, loaded: false }));

describe('JobOutputFeed', () => {
  test('watching a job fetches its lines from 0; deltas then append in seq order and duplicates are ignored', async () => {
    const server = fakeServer({ a: [line('a', 0), line('a', 1)] });
    const feed = new JobOutputFeed(server.fetch);
    feed.watch('a');
    await settle();
    expect(server.calls).toEqual([{ id: 'a', fromLine: 0 }]);
    expect(texts('a')).toEqual([0, 1]);
    feed.lines({ lines: [line('a', 1), line('a', 2), line('b', 0), line('a', 3)] });
    expect(texts('a')).toEqual([0, 1, 2, 3]);
    expect(useJobs.getState().output.b).toBeUndefined(); // unwatched jobs keep no lines
    expect(server.calls).toHaveLength(1);
  });

  test('lines inside one batch out of order are put back in order', async () => {
    const feed = new JobOutputFeed(fakeServer({}).fetch);
    feed.watch('a');
    await settle();
    feed.lines({ lines: [line('a', 1), line('a', 0), line('a', 2)] });
    expect(texts('a')).toEqual([0, 1, 2]);
  });

  test('a gap (seq beyond the next expected) fetches jobs.get {fromLine: next}; held lines follow the fetched ones', async () => {
    const all = [0, 1, 2, 3, 4, 5].map((s) => line('a', s));
    const server = fakeServer({ a: all.slice(0, 2) });
    const feed = new JobOutputFeed(server.fetch);
    feed.watch('a');
    await settle();
    expect(texts('a')).toEqual([0, 1]);
    // Lines 2 and 3 were lost in transit; 4 and 5 arrive.
    server.calls.length = 0;
    const fetched = fakeServer({ a: all.slice(0, 4) });
    (feed as unknown as { fetch: typeof fetched.fetch }).fetch = fetched.fetch;
    feed.lines({ lines: [all[4]!, all[5]!] });
    expect(texts('a')).toEqual([0, 1]); // nothing appended across the hole
    await settle();
    expect(fetched.calls).toEqual([{ id: 'a', fromLine: 2 }]);
    expect(texts('a')).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('deltas arriving while the first fetch is out are not lost and not doubled', async () => {
    const all = [0, 1, 2, 3].map((s) => line('a', s));
    const server = fakeServer({ a: all.slice(0, 3) });
    server.holdNext();
    const feed = new JobOutputFeed(server.fetch);
    feed.watch('a');
    feed.lines({ lines: [all[2]!, all[3]!] }); // the server has 0..2 stored and publishes 2, 3
    server.release();
    await settle();
    await settle();
    expect(texts('a')).toEqual([0, 1, 2, 3]);
  });

  test('a fetch that brings nothing new does not loop; the next delta tries again', async () => {
    const server = fakeServer({ a: [] });
    const feed = new JobOutputFeed(server.fetch);
    feed.watch('a');
    await settle();
    feed.lines({ lines: [line('a', 3)] });
    await settle();
    await settle();
    expect(server.calls.length).toBe(2);
    expect(texts('a')).toEqual([]);
  });

  test('unwatching drops the lines; two watchers share one job', async () => {
    const feed = new JobOutputFeed(fakeServer({ a: [line('a', 0)] }).fetch);
    const off1 = feed.watch('a');
    const off2 = feed.watch('a');
    await settle();
    off1();
    expect(texts('a')).toEqual([0]);
    off2();
    expect(useJobs.getState().output.a).toBeUndefined();
    expect(feed.isWatched('a')).toBe(false);
  });
});

describe('jobsSyncs (topics wired like connectStore does)', () => {
  test('records: snapshot then deltas; a jobOutput revision gap makes watched jobs catch up with jobs.get', async () => {
    const calls: { command: string; request: unknown }[] = [];
    const serverLines = [0, 1, 2, 3].map((s) => line('j1', s));
    let outputRevision = 7;
    const backend: Backend = {
      kind: 'browser',
      invoke: (async (command: CommandName, request: RequestOf<CommandName>) => {
        calls.push({ command, request });
        if (command === 'events.snapshot') {
          const topic = (request as { topic: string }).topic;
          if (topic === 'jobs') return { ok: true, data: { topic, revision: 3, payload: [record('j1')] } };
          return { ok: true, data: { topic, revision: outputRevision, payload: { note: 'fetch lines' } } };
        }
        if (command === 'jobs.get') {
          const from = (request as { fromLine?: number }).fromLine ?? 0;
          const lines = serverLines.filter((l) => l.seq >= from);
          return { ok: true, data: { job: record('j1', { lineCount: 4 }), lines, nextLine: 4 } };
        }
        return { ok: false, error: { code: 'NOT_FOUND', message: 'no' } };
      }) as Backend['invoke'],
      onEvent: () => () => undefined,
      onConnection: () => () => undefined,
    };
    const { syncs, feed } = jobsSyncs(backend);
    const handle = (e: StateEvent) => syncs.forEach((s) => s.handle(e));
    await Promise.all(syncs.map((s) => s.resync()));
    expect(useJobs.getState().jobs.j1?.state).toBe('running');
    handle({ topic: 'jobs', revision: 4, kind: 'delta', payload: { upsert: [record('j1', { state: 'succeeded' }), record('j2')], remove: [] } });
    expect(useJobs.getState().jobs.j1?.state).toBe('succeeded');
    expect(Object.keys(useJobs.getState().jobs).sort()).toEqual(['j1', 'j2']);

    serverLines.length = 2;
    feed.watch('j1');
    await settle();
    expect(texts('j1')).toEqual([0, 1]);
    handle({ topic: 'jobOutput', revision: 8, kind: 'delta', payload: { lines: [line('j1', 2)] } });
    expect(texts('j1')).toEqual([0, 1, 2]);
    // Revision 9 is lost; 10 arrives → snapshot (no lines) → watched jobs refetch from their next seq.
    serverLines.push(line('j1', 2), line('j1', 3));
    outputRevision = 10;
    calls.length = 0;
    handle({ topic: 'jobOutput', revision: 10, kind: 'delta', payload: { lines: [line('j1', 4)] } });
    await settle();
    await settle();
    expect(calls.map((c) => c.command)).toContain('jobs.get');
    expect(calls.find((c) => c.command === 'jobs.get')?.request).toEqual({ id: 'j1', fromLine: 3 });
    expect(texts('j1')).toEqual([0, 1, 2, 3]);
  });
});
