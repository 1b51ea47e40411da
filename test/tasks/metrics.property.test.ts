// Property: whatever mix of outcomes, the counters add up at every moment and end exactly right.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LANES,
  RemoteTaskScheduler,
  type Lane,
  type SchedulerMetrics,
  type TaskCounts,
} from '../../src/main/tasks';
import { FixedProbe, hang, sleep, sumOfStates } from './helpers';

// hang: ignores its signal forever; late: settles after its timeout already fired (must not count
// twice); cancelRunning: honours its signal the way the WinRM runner does.
type Behaviour = 'resolve' | 'reject' | 'throw' | 'hang' | 'late' | 'cancelEarly' | 'cancelRunning';

interface Spec {
  lane: Lane;
  host: number;
  behaviour: Behaviour;
  delayMs: number;
  priority: number;
}

const specArb: fc.Arbitrary<Spec> = fc.record({
  lane: fc.constantFrom(...LANES),
  host: fc.integer({ min: 0, max: 3 }),
  behaviour: fc.constantFrom<Behaviour>(
    'resolve',
    'reject',
    'throw',
    'hang',
    'late',
    'cancelEarly',
    'cancelRunning',
  ),
  delayMs: fc.integer({ min: 0, max: 3 }),
  priority: fc.integer({ min: 0, max: 2 }),
});

const expectedOutcome: Record<Behaviour, keyof TaskCounts> = {
  resolve: 'done',
  reject: 'failed',
  throw: 'failed',
  hang: 'timedOut',
  late: 'timedOut',
  cancelEarly: 'cancelled',
  cancelRunning: 'cancelled',
};

function checkBooks(m: SchedulerMetrics): void {
  const all = [m.totals, ...LANES.map((l) => m.lanes[l]), ...m.hosts];
  for (const c of all) {
    expect(sumOfStates(c)).toBe(c.submitted);
    for (const value of Object.values(c))
      if (typeof value === 'number') expect(value).toBeGreaterThanOrEqual(0);
  }
  const keys: (keyof TaskCounts)[] = [
    'submitted',
    'queued',
    'running',
    'done',
    'failed',
    'timedOut',
    'cancelled',
  ];
  for (const key of keys) {
    expect(LANES.reduce((n, l) => n + m.lanes[l][key], 0)).toBe(m.totals[key]);
    expect(m.hosts.reduce((n, h) => n + h[key], 0)).toBe(m.totals[key]);
  }
  for (const h of m.hosts) expect(h.running).toBeLessThanOrEqual(m.hostConcurrency);
}

function submit(s: RemoteTaskScheduler, spec: Spec): Promise<unknown> {
  const controller = new AbortController();
  const options = {
    lane: spec.lane,
    hostId: `hv0${spec.host}`,
    label: spec.behaviour,
    priority: spec.priority,
    signal: controller.signal,
    timeoutMs: spec.behaviour === 'hang' || spec.behaviour === 'late' ? 4 : 10_000,
  };
  const promise = s.run(options, async (signal) => {
    switch (spec.behaviour) {
      case 'resolve':
        await sleep(spec.delayMs);
        return 'ok';
      case 'reject':
        await sleep(spec.delayMs);
        throw new Error('remote failure');
      case 'throw':
        throw new Error('sync failure');
      case 'hang':
        return hang();
      case 'late':
        // Settle only once the timeout has fired, so the race is decided by construction.
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        await sleep(spec.delayMs);
        return 'too late';
      case 'cancelRunning':
        setTimeout(() => controller.abort(), spec.delayMs);
        return new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      case 'cancelEarly':
        return hang();
    }
  });
  // Whether it was still queued or already started, an abort right away must end as cancelled.
  if (spec.behaviour === 'cancelEarly') controller.abort();
  return promise;
}

describe('scheduler metrics', () => {
  it('add up at every event and end with exactly the expected outcomes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(specArb, { minLength: 1, maxLength: 40 }), async (specs) => {
        const s = new RemoteTaskScheduler({
          loopDelayProbe: new FixedProbe(),
          adaptive: { enabled: false },
          hostConcurrency: 2,
          lanes: {
            INVENTORY: { concurrency: 2 },
            DEPLOYMENT: { concurrency: 1 },
            JOB: { concurrency: 2 },
            CONTROL: { concurrency: 3 },
          },
        });
        const violations: unknown[] = [];
        s.on('task', () => {
          try {
            checkBooks(s.metrics());
          } catch (error) {
            violations.push(error);
          }
        });
        await Promise.allSettled(specs.map((spec) => submit(s, spec)));
        await sleep(12); // let 'late' tasks settle after their timeout
        const m = s.metrics();
        await s.close();
        expect(violations).toEqual([]);
        checkBooks(m);
        const expected = {
          submitted: specs.length,
          queued: 0,
          running: 0,
          done: 0,
          failed: 0,
          timedOut: 0,
          cancelled: 0,
        };
        for (const spec of specs) expected[expectedOutcome[spec.behaviour]]++;
        expect(m.totals).toEqual(expected);
        for (const lane of LANES) {
          expect(m.lanes[lane].submitted).toBe(specs.filter((x) => x.lane === lane).length);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('add up when the scheduler closes in the middle of a random mix', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(specArb, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 4 }),
        async (specs, closeAfterMs) => {
          const s = new RemoteTaskScheduler({
            loopDelayProbe: new FixedProbe(),
            adaptive: { enabled: false },
            hostConcurrency: 2,
          });
          const settled = Promise.allSettled(specs.map((spec) => submit(s, spec)));
          await sleep(closeAfterMs);
          await s.close();
          const results = await settled;
          const m = s.metrics();
          checkBooks(m);
          expect(m.totals).toMatchObject({ submitted: specs.length, queued: 0, running: 0 });
          // Every promise settled, and the rejected ones are exactly the non-done ones.
          expect(results.filter((r) => r.status === 'fulfilled').length).toBe(m.totals.done);
        },
      ),
      { numRuns: 25 },
    );
  });
});
