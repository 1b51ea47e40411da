/**
 * Fault catalogue (docs/reliability.md): hosts that answer slowly, never finish a command, or
 * answer every Receive with w:TimedOut. These scenarios need short task timeouts, so they run the
 * real inventory service on real parts (settings and secrets files, scheduler, NTLM-sealed WinRM,
 * SQLite) with the inventory lane's timeout lowered, instead of the whole backend.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureHosts, installAgent, startHarness, waitFor, type Harness } from '../inventory/support/harness';
import { startLab, type Lab } from '../lab';
import { setInventoryKnobs } from '../lab/agent/inventory';
import { tempDir } from '../support/temp';

const TASK_TIMEOUT_MS = 2500;
const FULL_INTERVAL_MS = 1500;

describe('fault catalogue: slow, hung and TimedOut hosts', () => {
  let lab: Lab;
  let temp: ReturnType<typeof tempDir>;
  let ids: Map<string, string>;
  let h: Harness;
  let vmKeys: Map<string, string[]>;
  let storedHosts: string;

  const sync = (name: string) => h.api.snapshot().hosts.find((x) => x.hostId === ids.get(name))!.sync;
  const keysOf = (name: string) => h.api.snapshot().vms.filter((v) => v.hostId === ids.get(name) && !v.placeholder).map((v) => v.key).sort();
  const refresh = async (name: string) => (await h.api.refresh(ids.get(name)!))[ids.get(name)!];
  const hostsInSettingsFile = () => JSON.stringify((JSON.parse(readFileSync(path.join(temp.dir, 'settings.json'), 'utf8')) as { hosts: unknown }).hosts);

  /** Every VM row kept (the faulted hosts' marked stale) and the stored host entries unchanged. */
  function expectNothingLost(faulted: string[]): void {
    for (const [name, keys] of vmKeys) expect(keysOf(name), `VM rows of ${name}`).toEqual(keys);
    for (const name of faulted) expect(h.api.snapshot().vms.filter((v) => v.hostId === ids.get(name)).every((v) => v.stale)).toBe(true);
    expect(hostsInSettingsFile()).toBe(storedHosts);
  }

  beforeAll(async () => {
    temp = tempDir();
    lab = await startLab({ hosts: 3, vmsPerHost: 4, clusters: 0, seed: 51 });
    for (const info of lab.hosts) installAgent(lab, info.name);
    ids = await configureHosts(temp.dir, lab.hosts);
    h = await startHarness(temp.dir, { backgroundLoops: false, fullIntervalMs: () => FULL_INTERVAL_MS }, { lanes: { INVENTORY: { timeoutMs: TASK_TIMEOUT_MS } } });
    await h.api.initialRefresh;
    vmKeys = new Map(lab.hosts.map((info) => [info.name, keysOf(info.name)]));
    for (const keys of vmKeys.values()) expect(keys).toHaveLength(4);
    storedHosts = hostsInSettingsFile();
  });
  afterAll(async () => {
    await h?.close();
    await lab?.close();
    temp?.cleanup();
  });

  it('scenario 05: TimedOut storms', async () => {
    const host = lab.host('hv01');
    // A storm the client rides out: 200 Receives in a row answer w:TimedOut, then the output comes.
    host.replyFaults.set({ kind: 'timed-out', on: 'receive', count: 200 });
    expect(await refresh('hv01')).toBe('refreshed');
    expect(host.replyFaults.hits).toBe(200);
    expect(sync('hv01')).toMatchObject({ state: 'fresh', lastError: null });
    expect(h.api.snapshot().vms.filter((v) => v.hostId === ids.get('hv01')).map((v) => v.name).sort()).toEqual(host.model.vms.map((v) => v.name).sort());
    // (It may take long enough to count as slow; it is never an error.)
    expect(h.notifications.filter((n) => n.hostId === ids.get('hv01') && n.level === 'error')).toEqual([]);

    // A storm that never ends: the task's time limit stops it and says what to do.
    const since = h.notifications.length;
    host.replyFaults.set({ kind: 'timed-out', on: 'receive', count: 1_000_000 });
    expect(await refresh('hv01')).toBe('failed');
    expect(sync('hv01').lastError).toMatch(/^INVENTORY task "inventory hv01" on host \S+ timed out after 2500 ms and was stopped; the host may be overloaded or unreachable — check it, or raise lanes\.INVENTORY\.timeoutMs/);
    expect(h.notifications.slice(since).filter((n) => n.level === 'error').map((n) => n.title)).toEqual(['Host hv01 unreachable']);
    expectNothingLost(['hv01']);
    // The storm stopped with the task: once the command is cancelled on the host, no Receive loop goes on.
    await waitFor(() => host.stats.concurrentCommands === 0, 10_000, 'the command cancelled on the host');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const hits = host.replyFaults.hits;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(host.replyFaults.hits).toBe(hits);

    host.replyFaults.clear();
    expect(await refresh('hv01')).toBe('refreshed');
    expect(h.notifications.slice(since).filter((n) => n.level !== 'warning').map((n) => n.title)).toEqual(['Host hv01 unreachable', 'Host hv01 recovered']);
  });

  it('scenario 12: slow host', async () => {
    const host = lab.host('hv02');
    // The host takes 1.8 s to enumerate its VMs, and the network adds 50 ms per answer: a refresh
    // outlasts the 1.5 s interval (and stays within the 2.5 s task limit: slow, not hung).
    setInventoryKnobs(host, { delayMs: 1800 });
    await host.setKnobs({ latencyMs: 50 });
    expect(await refresh('hv02')).toBe('refreshed');
    expect(sync('hv02')).toMatchObject({ state: 'fresh', slow: true, lastError: null });
    const slow = h.notifications.filter((n) => n.hostId === ids.get('hv02'));
    expect(slow.map((n) => [n.level, n.title])).toEqual([['warning', 'Host hv02 is slow to refresh']]);
    expect(slow[0]!.message).toMatch(/^One inventory refresh of hv02 took \d+\.\d s, longer than the 2 s full-sync interval\. Check the host's load or raise the interval in Settings\.$/);
    // Slow is not broken: the data is fresh, nothing is stale, nothing lost.
    expectNothingLost([]);
    expect(h.api.snapshot().vms.filter((v) => v.hostId === ids.get('hv02')).every((v) => !v.stale)).toBe(true);

    setInventoryKnobs(host, { delayMs: 0 });
    await host.setKnobs({ latencyMs: 0 });
    expect(await refresh('hv02')).toBe('refreshed');
    expect(sync('hv02').slow).toBe(false);
    // The warning goes away by itself once the host is fast again.
    expect(h.notificationCenter.list().filter((n) => n.title === 'Host hv02 is slow to refresh')).toEqual([]);
  });

  it('scenario 13: hung command', async () => {
    const host = lab.host('hv03');
    const since = h.notifications.length;
    await host.setKnobs({ hang: true });
    expect(await refresh('hv03')).toBe('failed');
    expect(sync('hv03').lastError).toMatch(/^INVENTORY task "inventory hv03" on host \S+ timed out after 2500 ms and was stopped; the host may be overloaded or unreachable — check it, or raise lanes\.INVENTORY\.timeoutMs if this operation is expected to take longer$/);
    const notices = h.notifications.slice(since);
    expect(notices.map((n) => n.title)).toEqual(['Host hv03 unreachable']);
    expect(notices[0]!.message).toMatch(/Its 4 VMs keep their last known values, marked stale; retrying automatically/);
    expectNothingLost(['hv03']);
    // The app stopped the hung command on the host instead of leaving it running there.
    await waitFor(() => host.stats.concurrentCommands === 0, 10_000, 'the hung command to be stopped on the host');

    await host.setKnobs({ hang: false });
    expect(await refresh('hv03')).toBe('refreshed');
    expect(sync('hv03')).toMatchObject({ state: 'fresh', lastError: null });
  });
});
