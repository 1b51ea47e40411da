/**
 * A fleet's inventory runs overlap: while a host runs its agent inventory, the refresh gives its
 * INVENTORY lane slot to other hosts (LaneSlot), so a lane of 1 still refreshes 4 slow hosts in
 * about one agent run, not four. Each host still runs at most one inventory at a time.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLab, type Lab } from '../lab';
import { setInventoryKnobs } from '../lab/agent/inventory';
import { tempDir } from '../support/temp';
import { configureHosts, installAgent, startHarness, type Harness } from './support/harness';

const AGENT_RUN_MS = 1500;

describe('inventory refresh overlaps the hosts it waits on', () => {
  let lab: Lab;
  let temp: ReturnType<typeof tempDir>;
  let h: Harness;

  beforeAll(async () => {
    temp = tempDir();
    lab = await startLab({ hosts: 4, vmsPerHost: 3, seed: 5 });
    for (const info of lab.hosts) installAgent(lab, info.name);
    await configureHosts(temp.dir, lab.hosts);
    h = await startHarness(temp.dir, { backgroundLoops: false }, { adaptive: { enabled: false }, lanes: { INVENTORY: { concurrency: 1, minConcurrency: 1, maxConcurrency: 1 } } });
    await h.api.initialRefresh; // warm clients: connections and shells are open
  }, 30_000);

  afterAll(async () => {
    await h?.close();
    await lab?.close();
    temp?.cleanup();
  });

  test('a lane of one refreshes four hosts with 1.5 s agent runs in well under four runs', async () => {
    for (const info of lab.hosts) setInventoryKnobs(lab.host(info.name), { delayMs: AGENT_RUN_MS });
    const started = performance.now();
    const outcomes = await h.api.refresh();
    const elapsed = performance.now() - started;
    expect(Object.values(outcomes)).toEqual(['refreshed', 'refreshed', 'refreshed', 'refreshed']);
    expect(elapsed).toBeGreaterThanOrEqual(AGENT_RUN_MS);
    // One after another would take ≥ 6 s.
    expect(elapsed).toBeLessThan(2.5 * AGENT_RUN_MS);
    for (const info of lab.hosts) expect(lab.host(info.name).stats.maxConcurrentCommands).toBeLessThanOrEqual(1);
  }, 30_000);
});
