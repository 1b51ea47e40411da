import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backoffDelayMs, slotOffsetMs } from '../../src/main/inventory';
import { namingHost, withoutHostName } from '../../src/main/inventory/host-refresh';
import { asSentence } from '../../src/shared/sentence';
import { startLab, type Lab } from '../lab';
import { inventoryCalls } from '../lab/agent/inventory';
import { tempDir } from '../support/temp';
import { configureHosts, installAgent, startHarness, waitFor, type Harness } from './support/harness';

describe('refresh timing rules', () => {
  test('backoff doubles per failure, is capped, and jitters within ±20 %', () => {
    const policy = { baseMs: 10_000, capMs: 300_000, jitter: 0.2 };
    expect([1, 2, 3, 4, 5, 6, 9].map((n) => backoffDelayMs(n, policy, () => 0.5))).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
    expect(backoffDelayMs(1, policy, () => 0)).toBe(8_000);
    expect(backoffDelayMs(1, policy, () => 1)).toBe(12_000);
    expect(backoffDelayMs(20, policy, () => 1)).toBe(300_000);
  });

  test('hosts are spaced evenly and deterministically across the interval', () => {
    expect([0, 1, 2, 3].map((i) => slotOffsetMs(i, 4, 300_000))).toEqual([0, 75_000, 150_000, 225_000]);
    expect(slotOffsetMs(0, 0, 1000)).toBe(0);
  });
});

describe('background loops follow interval changes live', () => {
  let lab: Lab;
  let temp: ReturnType<typeof tempDir>;
  let h: Harness;
  let quickMs = 3_600_000;

  beforeAll(async () => {
    temp = tempDir();
    lab = await startLab({ hosts: 3, vmsPerHost: 4, clusters: 0, seed: 3 });
    for (const info of lab.hosts) installAgent(lab, info.name);
    await configureHosts(temp.dir, lab.hosts);
    h = await startHarness(temp.dir, { quickIntervalMs: () => quickMs, fullIntervalMs: () => 60_000 });
    h.hub!.registerSource('health', () => ({ mode: 'normal', healthy: true, problems: [], services: [] }));
    await h.api.initialRefresh;
  }, 30_000);

  afterAll(async () => {
    await h?.close();
    await lab?.close();
    temp?.cleanup();
  });

  test('a shorter quick interval takes effect at once (settings change wakes the loop)', async () => {
    expect(h.api.cycles().map((c) => c.kind)).toEqual(['startup']);
    // With a one-hour interval only the first host's slot (offset 0) has come up.
    await waitFor(() => inventoryCalls(lab.host('hv01')).quick === 1, 5_000, 'first quick slot');
    expect(inventoryCalls(lab.host('hv03')).quick).toBe(0);
    quickMs = 300;
    h.hub!.publishSnapshot('health');
    await waitFor(() => h.api.cycles().filter((c) => c.kind === 'quick').length >= 3, 10_000, 'three quick cycles');
    for (const info of lab.hosts) expect(inventoryCalls(lab.host(info.name)).quick).toBeGreaterThanOrEqual(2);
    const quick = h.api.cycles().filter((c) => c.kind === 'quick');
    expect(quick.at(-1)).toMatchObject({ refreshed: 3, failed: 0 });
    expect((await h.service.handlers!['inventory.syncStats']!({})).lastQuickSyncAt).not.toBeNull();
  });
});

describe('a failed host is retried when its page says', () => {
  test('at its nextAttemptAt, not at its next quick slot an hour later', async () => {
    const temp = tempDir();
    const lab = await startLab({ hosts: 1, vmsPerHost: 2, clusters: 0, seed: 5 });
    installAgent(lab, 'hv01');
    await configureHosts(temp.dir, lab.hosts);
    // An hour between cycles: only the retry at the announced time can explain a second attempt.
    const h = await startHarness(temp.dir, { quickIntervalMs: () => 3_600_000, fullIntervalMs: () => 3_600_000, backoff: { baseMs: 1_500, capMs: 1_500, jitter: 0 }, random: () => 0.5 });
    try {
      await h.api.initialRefresh;
      const id = h.hostIds.get('hv01')!;
      const sync = () => h.api.snapshot().hosts.find((x) => x.hostId === id)!.sync;
      await waitFor(() => inventoryCalls(lab.host('hv01')).quick === 1, 5_000, 'first quick slot');
      await lab.host('hv01').setKnobs({ unreachable: true });
      expect(await h.api.refresh(id)).toEqual({ [id]: 'failed' });
      const announced = Date.parse(sync().nextAttemptAt!);
      expect(sync()).toMatchObject({ state: 'error', consecutiveFailures: 1 });
      await lab.host('hv01').setKnobs({ unreachable: false });
      await waitFor(() => sync().state === 'fresh', 6_000, 'the retry at the announced time');
      // Not before the time the page counted down to, and within the retry loop's look-ahead after it.
      const attempted = Date.parse(sync().lastAttemptAt!);
      expect(attempted).toBeGreaterThanOrEqual(announced - 5);
      expect(attempted - announced).toBeLessThan(1_500);
    } finally {
      await h.close();
      await lab.close();
      temp.cleanup();
    }
  }, 30_000);
});

describe('notification wording', () => {
  test('a reason that already names its host is not prefixed again; a sentence ends once', () => {
    expect(namingHost('hv02', 'host hv02: cannot reach 10.0.0.2:5985 (connection refused)')).toBe('host hv02: cannot reach 10.0.0.2:5985 (connection refused)');
    expect(namingHost('HV02', 'the agent is being installed')).toBe('host HV02: the agent is being installed');
    expect(withoutHostName('HV02', 'host hv02: agent newer than this app')).toBe('agent newer than this app');
    expect(withoutHostName('hv02', 'cannot reach hv02.lab.local:5985')).toBe('cannot reach hv02.lab.local:5985');
    expect(asSentence('is the WinRM service running?')).toBe('is the WinRM service running?');
    expect(asSentence('timed out')).toBe('timed out.');
    expect(asSentence('done. ')).toBe('done.');
  });
});
