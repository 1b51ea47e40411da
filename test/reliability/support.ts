/**
 * The fault catalogue's fixture: a lab and a real backend (deployment, inventory, jobs) over
 * NTLM-sealed WinRM, every host deployed and refreshed, one finished job on record. A scenario
 * breaks one host, checks the error the admin sees, and checks that nothing already stored was
 * lost: every VM row kept (the broken host's marked stale), every job kept, settings unchanged.
 */
import dns from 'node:dns';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/shared/contract';
import type { AppNotification, HostView, InventorySnapshot, JobListResponse, JobRecord, Settings, StateEvent } from '../../src/shared/contract';
import type { InventoryApi } from '../../src/main/inventory';
import type { JobsApi } from '../../src/main/jobs';
import type { Backend } from '../../src/main/backend';
import type { RefreshOutcome } from '../../src/main/inventory/host-refresh';
import { labHostInput, startLab, type Lab, type LabHostInfo, type LabOptions } from '../lab';
import { clearAgentFaults } from '../lab/agent/faults';
import { setInventoryKnobs } from '../lab/agent/inventory';
import { DEFAULT_KNOBS } from '../lab/knobs';
import { startTestBackend } from '../support/backend';
import { waitFor } from '../inventory/support/harness';

export { waitFor };

type HostSync = InventorySnapshot['hosts'][number]['sync'];

/** What was stored before any fault: the catalogue checks it is all still there afterwards. */
export interface Baseline {
  vmKeys: Map<string, string[]>;
  jobs: JobRecord[];
  settings: Settings;
  hosts: Omit<HostView, 'status' | 'lastError' | 'lastSeenAt'>[];
}

export interface Fleet {
  lab: Lab;
  backend: Backend;
  dataDir: string;
  inventory: InventoryApi;
  jobs: JobsApi;
  events: StateEvent[];
  /** Every notification raised since the fleet started (new ones only). */
  notifications: AppNotification[];
  baseline: Baseline;
  idOf(name: string): string;
  info(name: string): LabHostInfo;
  sync(name: string): HostSync;
  hostView(name: string): HostView;
  ok<T = unknown>(command: string, request: unknown): Promise<T>;
  /** One full refresh of a host through the inventory service, as the loops or the Refresh button run it. */
  refresh(name: string): Promise<RefreshOutcome>;
  /** Notifications about this host raised after `since` (an index into `notifications`). */
  noticesFor(name: string, since: number): AppNotification[];
  /** Everything in the baseline is still stored; the VMs of `faulted` hosts are marked stale. */
  expectNothingLost(faulted: string[]): Promise<void>;
  /** Clears every lab fault on the host and refreshes until it is fresh again. */
  heal(name: string): Promise<void>;
  /**
   * Closes the backend, runs `meanwhile` (the app is not running: break files, stop hosts), then
   * starts a new backend on the same data folder (needs `dataDir`). Does not wait for any refresh.
   */
  restartBackend(meanwhile?: () => void | Promise<void>): Promise<void>;
  /** Closes the backend, keeping the lab (and the data folder when `dataDir` was given). */
  stopBackend(): Promise<void>;
  close(): Promise<void>;
}

export interface FleetOptions extends LabOptions {
  settings?: Record<string, unknown>;
  /** Keep the data in this folder (made ready for a backend if new); the caller removes it. */
  dataDir?: string;
  /** Add the hosts over HTTPS with their certificate pinned (needs `https: true`). */
  pinned?: boolean;
}

/** A lab host as a host entry over HTTPS, its certificate pinned by fingerprint. */
export function pinnedHostInput(info: LabHostInfo) {
  if (!info.httpsUrl || !info.certFingerprintSha256) throw new Error(`lab host ${info.name} has no HTTPS listener (start the lab with https: true)`);
  const url = new URL(info.httpsUrl);
  return { ...labHostInput(info, { withCluster: false }), port: Number(url.port), transport: 'https' as const, tlsFingerprintSha256: info.certFingerprintSha256 };
}

/** A data folder a backend can start in: settings with the artifact server on a free loopback port. */
export function prepareDataDir(dataDir: string): void {
  if (existsSync(path.join(dataDir, 'settings.json'))) return;
  const settings = { ...DEFAULT_SETTINGS, artifactServer: { bindAddress: '127.0.0.1', port: 0, advertisedBaseUrl: '' } };
  writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ schemaVersion: 1, settings, hosts: [] }));
}

export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const { settings: extraSettings, dataDir, pinned, ...labOptions } = options;
  const lab = await startLab({ hosts: 4, vmsPerHost: 3, clusters: 0, seed: 12, ...labOptions });
  if (dataDir) prepareDataDir(dataDir);
  let app = await startTestBackend(dataDir ? { dataDir } : {});
  let backend = app.backend;
  const events: StateEvent[] = [];
  const notifications: AppNotification[] = [];
  const listen = (b: Backend) => {
    b.subscribe((e) => events.push(e));
    b.services.notifications.onNotify((n, isNew) => {
      if (isNew) notifications.push(n);
    });
  };
  listen(backend);
  const ok = async <T>(command: string, request: unknown): Promise<T> => {
    const result = await backend.invoke(command, request);
    if (!result.ok) throw new Error(`${command}: ${result.error.code}: ${result.error.message}`);
    return result.data as T;
  };
  // Loops would refresh behind a scenario's back: every refresh here is one the scenario asked for.
  await ok('settings.update', { agent: { downloadRetryIntervalS: 1 }, inventory: { quickSyncIntervalS: 3600, fullSyncIntervalS: 3600 }, ...extraSettings });
  const ids = new Map<string, string>();
  for (const info of lab.hosts) ids.set(info.name, (await ok<HostView>('hosts.add', pinned ? pinnedHostInput(info) : labHostInput(info, { withCluster: false }))).id);
  let inventory = backend.modules.get('inventory')!.api as InventoryApi;
  let jobs = backend.modules.get('jobs')!.api as JobsApi;
  const idOf = (name: string) => {
    const id = ids.get(name);
    if (!id) throw new Error(`fleet has no host ${name}`);
    return id;
  };
  const sync = (name: string) => inventory.snapshot().hosts.find((x) => x.hostId === idOf(name))!.sync;
  await waitFor(
    () => lab.hosts.every((h) => sync(h.name).state === 'fresh') && backend.services.hosts.list().every((h) => h.status === 'connected'),
    60_000,
    'every host deployed, connected and refreshed',
  );

  // One finished job on record, so every scenario can check that jobs survive it.
  const first = lab.hosts[0]!;
  const off = lab.host(first.name).model.vms.find((v) => v.state === 'Off') ?? lab.host(first.name).model.vms[0]!;
  off.state = 'Off';
  await inventory.refresh(idOf(first.name));
  const job = await ok<JobRecord>('vm.action', { hostId: idOf(first.name), vmId: off.id, action: 'start' });
  await waitFor(() => ['succeeded', 'failed'].includes(jobs.core.store.get(job.id)?.state ?? ''), 30_000, 'the baseline job to finish');
  await waitFor(() => inventory.snapshot().vms.find((v) => v.vmId === off.id)?.state === 'Running', 10_000, 'the baseline job confirmed');

  const snapshotKeys = () => {
    const keys = new Map<string, string[]>();
    for (const info of lab.hosts) keys.set(info.name, inventory.snapshot().vms.filter((v) => v.hostId === idOf(info.name) && !v.placeholder).map((v) => v.key).sort());
    return keys;
  };
  const configOf = (views: HostView[]) => views.map(({ status: _s, lastError: _e, lastSeenAt: _l, ...rest }) => rest);
  const baseline: Baseline = {
    vmKeys: snapshotKeys(),
    jobs: (await ok<JobListResponse>('jobs.list', {})).jobs,
    settings: await ok<Settings>('settings.get', {}),
    hosts: configOf(await ok<HostView[]>('hosts.list', {})),
  };
  expect(baseline.jobs.map((j) => j.state)).toEqual(['succeeded']);
  for (const keys of baseline.vmKeys.values()) expect(keys.length).toBeGreaterThan(0);

  let backendStopped = false;
  const fleet: Fleet = {
    lab,
    backend,
    dataDir: app.dataDir,
    inventory,
    jobs,
    events,
    notifications,
    baseline,
    idOf,
    info: (name) => lab.hosts.find((h) => h.name === name)!,
    sync,
    hostView: (name) => backend.services.hosts.list().find((h) => h.id === idOf(name))!,
    ok,
    refresh: async (name) => (await inventory.refresh(idOf(name)))[idOf(name)]!,
    noticesFor: (name, since) => notifications.slice(since).filter((n) => n.hostId === idOf(name)),
    async expectNothingLost(faulted) {
      const now = snapshotKeys();
      for (const [name, keys] of baseline.vmKeys) expect(now.get(name), `VM rows of ${name}`).toEqual(keys);
      for (const name of faulted) {
        const rows = inventory.snapshot().vms.filter((v) => v.hostId === idOf(name) && !v.placeholder);
        expect(rows.every((v) => v.stale && v.staleSince !== null), `VMs of ${name} are marked stale`).toBe(true);
      }
      const jobsNow = (await ok<JobListResponse>('jobs.list', {})).jobs;
      for (const before of baseline.jobs) expect(jobsNow.find((j) => j.id === before.id), `job ${before.id}`).toMatchObject({ state: before.state, lineCount: before.lineCount });
      expect(await ok<Settings>('settings.get', {})).toEqual(baseline.settings);
      expect(configOf(await ok<HostView[]>('hosts.list', {}))).toEqual(baseline.hosts);
    },
    async heal(name) {
      const host = lab.host(name);
      await host.setKnobs({ ...DEFAULT_KNOBS });
      host.replyFaults.clear();
      clearAgentFaults(host);
      setInventoryKnobs(host, { downForCycles: 0, delayMs: 0, clockOffsetMs: 0 });
      const deadline = Date.now() + 30_000;
      while ((await fleet.refresh(name)) !== 'refreshed') {
        if (Date.now() > deadline) throw new Error(`host ${name} did not recover: ${JSON.stringify(sync(name))}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(sync(name)).toMatchObject({ state: 'fresh', lastError: null });
      expect(inventory.snapshot().vms.filter((v) => v.hostId === idOf(name)).every((v) => !v.stale)).toBe(true);
    },
    async restartBackend(meanwhile) {
      if (!dataDir) throw new Error('restartBackend needs a fleet started with dataDir');
      await fleet.stopBackend();
      await meanwhile?.();
      app = await startTestBackend({ dataDir });
      backendStopped = false;
      backend = app.backend;
      listen(backend);
      inventory = backend.modules.get('inventory')!.api as InventoryApi;
      jobs = backend.modules.get('jobs')!.api as JobsApi;
      Object.assign(fleet, { backend, inventory, jobs });
    },
    async stopBackend() {
      if (!backendStopped) await app.close();
      backendStopped = true;
    },
    async close() {
      await fleet.stopBackend();
      await lab.close();
    },
  };
  return fleet;
}

/** The text names the host: its display name, or the address:port the admin configured for it. */
export function expectNamesHost(text: string | null | undefined, info: LabHostInfo, url = info.httpUrl): void {
  const address = new URL(url).host;
  expect(text ?? '', `"${text}" should name ${info.name} or ${address}`).toSatisfy((t: string) => t.toLowerCase().includes(info.name.toLowerCase()) || t.includes(address));
}

export { crashBackendMidJob } from '../jobs/kill-child-run';

/**
 * Stands in for the system resolver while a DNS-failure scenario runs: names under `.invalid`
 * answer ENOTFOUND at once, as RFC 6761 says every resolver must, so no DNS query leaves the
 * machine; any other name fails the test loudly. IP addresses never reach dns.lookup.
 */
export function useInvalidOnlyResolver(): { asked: string[]; restore(): void } {
  const realLookup = dns.lookup;
  const asked: string[] = [];
  (dns as { lookup: unknown }).lookup = (hostname: string, options: unknown, callback?: unknown) => {
    const done = (typeof options === 'function' ? options : callback) as (error: NodeJS.ErrnoException | null) => void;
    asked.push(hostname);
    const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
    error.code = hostname.endsWith('.invalid') ? 'ENOTFOUND' : 'ETESTNOTALLOWED';
    process.nextTick(() => done(error));
  };
  return {
    asked,
    restore: () => {
      (dns as { lookup: unknown }).lookup = realLookup;
    },
  };
}
