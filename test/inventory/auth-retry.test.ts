import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLab, type Lab } from '../lab';
import { startBackendHarness, waitFor, type Harness } from './support/harness';

// Every automatic retry of a host whose password is rejected is a logon attempt, and enough of
// them lock the account out. Like deployment's re-checks (src/main/deployment/recheck.ts), the
// inventory retries such a host only at its backoff's cap; a host that is merely down is retried
// on the normal backoff from 10 s.
describe('inventory retry of a host whose password was rejected', () => {
  let lab: Lab;
  let h: Harness;
  const idOf = (name: string) => h.hostIds.get(name)!;
  const syncOf = (name: string) => h.api.snapshot().hosts.find((x) => x.hostId === idOf(name))!.sync;
  /** Seconds from the failed attempt to the next automatic one. */
  const retryInS = (name: string) => (Date.parse(syncOf(name).nextAttemptAt!) - Date.parse(syncOf(name).lastAttemptAt!)) / 1000;

  beforeAll(async () => {
    lab = await startLab({ hosts: 2, vmsPerHost: 2, clusters: 0, seed: 17 });
    h = await startBackendHarness(lab, { inventory: { quickSyncIntervalS: 3600 } });
    await waitFor(() => h.api.snapshot().hosts.every((x) => x.sync.state === 'fresh'), 30_000, 'both hosts refreshed');
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await lab?.close();
  });

  test('is retried at the backoff cap (5 min), from the first failure on', async () => {
    await lab.host('hv01').setKnobs({ authFailure: true });
    expect(await h.api.refresh(idOf('hv01'))).toEqual({ [idOf('hv01')]: 'failed' });
    expect(syncOf('hv01')).toMatchObject({ state: 'error', consecutiveFailures: 1 });
    expect(syncOf('hv01').lastError).toMatch(/access denied/);
    // The default backoff: 10 s base, 300 s cap, ±20 % jitter.
    expect(retryInS('hv01')).toBeGreaterThanOrEqual(240);
    expect(retryInS('hv01')).toBeLessThanOrEqual(301); // measured from the attempt's start
  });

  test('a host that is down is still retried from 10 s', async () => {
    await lab.host('hv02').setKnobs({ unreachable: true });
    expect(await h.api.refresh(idOf('hv02'))).toEqual({ [idOf('hv02')]: 'failed' });
    expect(retryInS('hv02')).toBeGreaterThanOrEqual(8);
    expect(retryInS('hv02')).toBeLessThanOrEqual(13);
  });

  test('once the password is accepted again, a refresh brings the host back at once', async () => {
    await lab.host('hv01').setKnobs({ authFailure: false });
    await lab.host('hv02').setKnobs({ unreachable: false });
    expect(await h.api.refresh(idOf('hv01'))).toEqual({ [idOf('hv01')]: 'refreshed' });
    expect(syncOf('hv01')).toMatchObject({ state: 'fresh', consecutiveFailures: 0, nextAttemptAt: null });
  });
});
