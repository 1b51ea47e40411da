// Inventory: the SQLite-backed read path for clusters, hosts and VMs, kept fresh from the hosts by
// a startup refresh, spaced full and quick loops, per-host backoff and honest staleness.
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ContractError, ErrorCode, type InventoryDelta, type InventorySnapshot, type StateEvent } from '../../shared/contract';
import type { DeploymentApi } from '../deployment/api';
import type { ServiceContext, ServiceModule, StartedService } from '../service-module';
import { encodeInventorySnapshot } from '../../shared/inventory-wire';
import { InventoryStore, isEmptyDelta, openInventoryDatabase, type PendingOperationInput, type PlaceholderInput } from '../store';
import type { GroupCommitOptions } from '../store/group-commit';
import { HostRefresher, type RefreshOutcome } from './host-refresh';
import { hostOptions } from './host-options';
import { RefreshLoops, type CycleSummary } from './loops';
import { inventoryMetrics, syncHealth, syncStats, type StatsInput } from './stats';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './timing';

export { asArray, parseFullInventory, parseQuickInventory, InventoryDataInvalid } from './parse';
export { backoffDelayMs, slotOffsetMs, DEFAULT_BACKOFF, type BackoffPolicy } from './timing';
export { vmRootOf } from './host-options';
export type { CycleSummary } from './loops';

/** What other services (jobs) and tests may use. */
export interface InventoryApi {
  /** Full refresh of one host or all enabled hosts; resolves when they finished. */
  refresh(hostId?: string): Promise<Record<string, RefreshOutcome>>;
  /** One quick (hot state) refresh of a host now; 'deferred' if the host is busy. */
  quickRefresh(hostId: string): Promise<RefreshOutcome>;
  /** Resolves when the startup refresh of every ready host has finished. */
  readonly initialRefresh: Promise<void>;
  snapshot(): InventorySnapshot;
  addPlaceholder(input: PlaceholderInput): { placeholderId: string; key: string };
  removePlaceholder(placeholderId: string): void;
  listPlaceholders(): ReturnType<InventoryStore['listPlaceholders']>;
  addPending(op: Omit<PendingOperationInput, 'opId'> & { opId?: string }): string;
  clearPending(opId: string): void;
  listPending(): PendingOperationInput[];
  cycles(): CycleSummary[];
  readonly store: InventoryStore;
}

export interface InventoryModuleOptions {
  /** Override the settings' intervals (tests); functions so they can change while running. */
  fullIntervalMs?: () => number;
  quickIntervalMs?: () => number;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** False: only the startup refresh and manual refreshes run (deterministic tests). */
  backgroundLoops?: boolean;
  /** How hosts' full results are grouped into one SQLite transaction (tests fix the batches; default group-commit.ts's). */
  groupCommit?: GroupCommitOptions;
}

const MAX_CYCLES = 50;

/** A 'hosts' delta that only updates hosts already known (status, last seen): membership unchanged. */
function onlyKnownHosts(event: StateEvent, known: ReadonlySet<string>): boolean {
  if (event.kind !== 'delta') return false;
  const delta = event.payload as { upsert?: Array<{ id?: string }>; remove?: string[] };
  return (delta.remove?.length ?? 0) === 0 && (delta.upsert ?? []).every((h) => typeof h.id === 'string' && known.has(h.id));
}

export function createInventoryModule(options: InventoryModuleOptions = {}): ServiceModule {
  return { name: 'inventory', start: (ctx) => startInventory(ctx, options) };
}

export const inventoryModule = createInventoryModule();

function deploymentApi(ctx: ServiceContext): DeploymentApi | undefined {
  const api = ctx.started.get('deployment')?.api as Partial<DeploymentApi> | undefined;
  return api && typeof api.readiness === 'function' && typeof api.onChange === 'function' ? (api as DeploymentApi) : undefined;
}

async function startInventory(ctx: ServiceContext, options: InventoryModuleOptions): Promise<StartedService> {
  const now = () => new Date();
  // The cached inventory is served at once; nothing in it is confirmed until its host answers.
  // Between checking the file and reading its rows the event loop runs once: in browser mode the
  // same thread serves the page, which loads meanwhile.
  const opened = openInventoryDatabase(path.join(ctx.dataDir, 'inventory.db'), now);
  await yieldToEventLoop();
  const store = InventoryStore.load(opened, now, { staleUntilConfirmed: true, ...(options.groupCommit ? { groupCommit: options.groupCommit } : {}) });
  if (store.recovered) {
    ctx.log.warn('inventory database was damaged and moved aside', { ...store.recovered });
    ctx.notifications.notify({
      level: 'warning',
      title: 'Inventory database rebuilt',
      message: `The local inventory database could not be read (${store.recovered.reason}). It was kept as ${store.recovered.movedTo} and a new one is being filled from the hosts.`,
    });
  }
  const deployment = deploymentApi(ctx);
  const fullIntervalMs = options.fullIntervalMs ?? (() => ctx.settings.getSettings().inventory.fullSyncIntervalS * 1000);
  const quickIntervalMs = options.quickIntervalMs ?? (() => ctx.settings.getSettings().inventory.quickSyncIntervalS * 1000);
  const configured = () => ctx.settings.getHosts();
  const enabledHostIds = () =>
    configured()
      .filter((h) => h.enabled)
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id))
      .map((h) => h.id);
  const label = (id: string) => ctx.settings.getHost(id)?.displayName ?? id;
  const publish = (delta: InventoryDelta) => {
    if (!isEmptyDelta(delta)) ctx.hub.publishTopicDelta('inventory', delta);
  };

  store.syncConfiguredHosts(configured().map((h) => ({ id: h.id })));
  ctx.hub.registerSource('inventory', () => encodeInventorySnapshot(store.snapshot()));
  ctx.hub.publishSnapshot('inventory');

  const cycles: CycleSummary[] = [];
  const refresher = new HostRefresher(ctx, store, publish, { fullIntervalMs, quickIntervalMs, backoff: options.backoff ?? DEFAULT_BACKOFF }, deployment, now, options.random ?? Math.random, (hostId) => {
    const cluster = store.host(hostId)?.cluster;
    return cluster ? enabledHostIds().filter((id) => store.host(id)?.cluster === cluster) : [];
  });
  const loops = new RefreshLoops(refresher, store, enabledHostIds, (kind) => (kind === 'full' ? fullIntervalMs() : quickIntervalMs()), () => Date.now(), (summary) => {
    cycles.push(summary);
    cycles.splice(0, Math.max(0, cycles.length - MAX_CYCLES));
    ctx.log.info('inventory cycle', { ...summary });
    // A full enumeration of the fleet allocates far more than it keeps: give the rest back.
    if (summary.kind !== 'quick' && summary.refreshed > 0) ctx.memory.request(`inventory ${summary.kind} refresh`);
  });
  let loopsRunning = false;
  // Hosts are contacted once the backend's owner allows (ctx.hostContact), or at once when it stops.
  let stopWaiting = () => undefined as void;
  const mayContact = new Promise<void>((resolve) => {
    stopWaiting = resolve;
    void (ctx.hostContact ?? Promise.resolve()).then(resolve);
  });
  const initialRefresh = mayContact.then(() => loops.start(options.backgroundLoops ?? true)).then(() => {
    // Loops switched off on purpose (tests) are not a health problem.
    loopsRunning = true;
  });

  // Hosts added or removed in Settings: mirror them, refresh new ones at once.
  let knownIds = new Set(configured().map((h) => h.id));
  const reconcile = () => {
    const ids = new Set(configured().map((h) => h.id));
    if (ids.size === knownIds.size && [...ids].every((id) => knownIds.has(id))) return;
    const added = [...ids].filter((id) => !knownIds.has(id));
    knownIds = ids;
    publish(store.syncConfiguredHosts(configured().map((h) => ({ id: h.id }))));
    for (const id of added) if (enabledHostIds().includes(id)) void refresher.full(id).promise;
    loops.wake();
  };
  const unsubscribe = ctx.hub.subscribe((event) => {
    // Each refresh publishes its host's status on 'hosts': with 2,000 hosts, reconciling the whole
    // list for each of them was quadratic. Only a snapshot, a removal or a new id can change it.
    if (event.topic === 'hosts' && !onlyKnownHosts(event, knownIds)) queueMicrotask(reconcile);
    if (event.topic === 'health' && event.kind === 'snapshot') loops.wake();
  }, ['hosts', 'health']);
  const offDeployment = deployment?.onChange((hostId, readiness) => {
    const state = store.host(hostId)?.sync.state;
    if (!enabledHostIds().includes(hostId)) return;
    if (readiness.state === 'ready' && state !== 'fresh') void refresher.full(hostId).promise;
    // Deployment gave up on the host (its agent is newer, or it failed): "Preparing host, will
    // retry" would no longer be true. The refresher marks it with deployment's reason at once,
    // without calling the host, instead of at its next scheduled refresh minutes later.
    else if ((readiness.state === 'newer' || readiness.state === 'error') && state === 'preparing') void refresher.full(hostId).promise;
  });

  const statsInput = (): StatsInput => ({ store, hostIds: enabledHostIds(), label, cycles, fullIntervalMs: fullIntervalMs(), loopsRunning, now: Date.now() });

  const refreshNow = async (hostId?: string): Promise<Record<string, RefreshOutcome>> => {
    const ids = hostId ? [hostId] : enabledHostIds();
    const outcomes = await Promise.all(ids.map((id) => refresher.full(id).promise.catch((): RefreshOutcome => 'failed')));
    await Promise.all(ids.map((id) => refresher.settled(id)));
    if (!hostId && ids.length > 0) ctx.memory.request('inventory refresh of every host');
    return Object.fromEntries(ids.map((id, i) => [id, outcomes[i]!]));
  };

  const api: InventoryApi = {
    refresh: refreshNow,
    quickRefresh: (hostId) => refresher.quick(hostId),
    initialRefresh,
    store,
    snapshot: () => store.snapshot(),
    addPlaceholder: (input) => {
      const { placeholderId, key, delta } = store.addPlaceholder(input);
      publish(delta);
      return { placeholderId, key };
    },
    removePlaceholder: (id) => publish(store.removePlaceholder(id)),
    listPlaceholders: () => store.listPlaceholders(),
    addPending: (op) => {
      const { opId, delta } = store.addPending(op);
      publish(delta);
      return opId;
    },
    clearPending: (opId) => publish(store.clearPending(opId)),
    listPending: () => store.listPending(),
    cycles: () => cycles.map((c) => ({ ...c })),
  };

  return {
    name: 'inventory',
    api,
    status: () => {
      const s = syncStats(statsInput());
      const readiness = deployment ? '' : '; deployment service not running: every enabled host is treated as ready';
      return { name: 'inventory', state: 'running', detail: `${s.totals.hosts} hosts (${s.hosts.fresh} fresh, ${s.hosts.error} not refreshed), ${s.totals.vms} VMs${readiness}` };
    },
    metrics: () => inventoryMetrics(statsInput()),
    handlers: {
      'inventory.refresh': async ({ hostId }) => {
        const ids = hostId ? [hostId] : enabledHostIds();
        if (hostId && !ctx.settings.getHost(hostId)) {
          throw new ContractError(ErrorCode.NotFound, `No host with id ${hostId}; it may have been removed. Reload the hosts list.`);
        }
        const coalesced: string[] = [];
        for (const id of ids) {
          // A host deployment could not check is contacted now, not at its next automatic re-check;
          // once ready, the readiness change below refreshes it.
          if (deployment?.readiness(id).state === 'error') void deployment.recheck(id).catch(() => undefined);
          if (refresher.full(id).coalesced) coalesced.push(id);
        }
        return { hostIds: ids, coalesced };
      },
      'inventory.syncStats': async () => syncStats(statsInput()),
      'inventory.health': async () => syncHealth(statsInput()),
      'inventory.vm': async ({ hostId, vmId }) => {
        const detail = store.vmDetail(hostId, vmId);
        if (!detail) {
          throw new ContractError(ErrorCode.NotFound, `No VM ${vmId} on host ${label(hostId)} in the inventory; it may have been deleted or moved. Go back to the list.`);
        }
        return detail;
      },
      'inventory.hostOptions': async ({ hostId }) => {
        if (!ctx.settings.getHost(hostId)) throw new ContractError(ErrorCode.NotFound, `No host with id ${hostId}; it may have been removed. Reload the hosts list.`);
        return hostOptions(store, hostId);
      },
    },
    async stop() {
      unsubscribe();
      offDeployment?.();
      const loopsStopped = loops.stop();
      stopWaiting();
      await loopsStopped;
      await refresher.stop();
      await initialRefresh.catch(() => undefined);
      store.close();
    },
  };
}
