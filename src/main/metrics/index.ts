// Metrics: CPU and memory history per host and per VM, sampled from the inventory's quick and full
// syncs into metrics.db, pruned and downsampled by the retention setting, read by the charts.
import path from 'node:path';
import { ContractError, ErrorCode, validationError, type InventoryDelta, type InventorySnapshotWire } from '../../shared/contract';
import { decodeInventorySnapshot } from '../../shared/inventory-wire';
import type { ServiceContext, ServiceModule, StartedService } from '../service-module';
import { MetricsStore } from './metrics-store';
import { InventorySampler } from './sampler';

export { MetricsStore, RAW_WINDOW_MS, BUCKET_MS, type SampleBatch } from './metrics-store';
export { openMetricsDatabase } from './metrics-db';
export { InventorySampler } from './sampler';

export interface MetricsModuleOptions {
  /** How often old samples are pruned and downsampled (tests shorten it). */
  maintenanceIntervalMs?: number;
}

const MAINTENANCE_INTERVAL_MS = 5 * 60_000;

export function createMetricsModule(options: MetricsModuleOptions = {}): ServiceModule {
  return { name: 'metrics', start: (ctx) => startMetrics(ctx, options) };
}

export const metricsModule = createMetricsModule();

async function startMetrics(ctx: ServiceContext, options: MetricsModuleOptions): Promise<StartedService> {
  const store = MetricsStore.open(path.join(ctx.dataDir, 'metrics.db'));
  if (store.recovered) {
    ctx.log.warn('metrics database was damaged and moved aside', { ...store.recovered });
    ctx.notifications.notify({
      level: 'warning',
      title: 'Chart history restarted',
      message: `The CPU and memory history (metrics.db) could not be read (${store.recovered.reason}). It was kept as ${store.recovered.movedTo}; the charts start again from the next sync.`,
    });
  }
  const retentionHours = () => ctx.settings.getSettings().metrics.retentionHours;
  const sampler = new InventorySampler();
  let writeError: string | null = null;
  let lastMaintenance: { at: string; pruned: number; rolledUp: number; durationMs: number } | null = null;

  const record = (delta: InventoryDelta) => {
    for (const batch of sampler.apply(delta)) {
      try {
        store.write(batch);
        writeError = null;
      } catch (error) {
        // A chart sample that cannot be saved (disk full) must never disturb the sync that made it.
        if (writeError === null) ctx.log.warn('metrics sample not saved', { error: (error as Error).message });
        writeError = (error as Error).message;
      }
    }
  };
  // Only the inventory's events: this module starts before the inventory (so adding it changes
  // nothing in the inventory's start-up timing) and learns the cached inventory from its snapshot.
  let sampling = false;
  const unsubscribe = ctx.hub.subscribe((event) => {
    if (event.topic !== 'inventory') return;
    if (event.kind === 'delta') record(event.payload as InventoryDelta);
    else {
      sampler.reset(decodeInventorySnapshot(event.payload as InventorySnapshotWire));
      sampling = true;
    }
  }, ['inventory']);

  const maintain = () => {
    const started = performance.now();
    try {
      const result = store.maintain(Date.now(), retentionHours());
      lastMaintenance = { at: new Date().toISOString(), ...result, durationMs: Math.round(performance.now() - started) };
    } catch (error) {
      ctx.log.warn('metrics maintenance failed', { error: (error as Error).message });
    }
  };
  maintain();
  const timer = setInterval(maintain, options.maintenanceIntervalMs ?? MAINTENANCE_INTERVAL_MS);
  timer.unref();

  const requireHost = (hostId: string) => {
    if (!ctx.settings.getHost(hostId)) throw new ContractError(ErrorCode.NotFound, `No host with id ${hostId}; it may have been removed. Reload the hosts list.`);
  };
  const since = (sinceMs: number | undefined) => Math.max(sinceMs ?? 0, Date.now() - retentionHours() * 3_600_000);

  return {
    name: 'metrics',
    status: () => ({
      name: 'metrics',
      state: 'running',
      detail: `${sampling ? 'sampling every sync' : 'waiting for the inventory'}; keeps ${retentionHours()} h${writeError ? `; last sample not saved: ${writeError}` : ''}`,
    }),
    metrics: () => [{ name: 'metrics', rows: [{ samplesWritten: store.stats().samplesWritten, retentionHours: retentionHours(), lastMaintenanceAt: lastMaintenance?.at ?? null, lastMaintenanceMs: lastMaintenance?.durationMs ?? null, writeError }] }],
    handlers: {
      'metrics.history': ({ kind, hostId, vmId, sinceMs }) => {
        if (kind === 'vm' && !vmId) throw validationError([{ field: 'vmId', message: "is required for a VM's history (the VM's Hyper-V ID)" }]);
        if (kind === 'host' && vmId) throw validationError([{ field: 'vmId', message: "must be left out for a host's history" }]);
        requireHost(hostId);
        return store.history({ kind, hostId, vmId: vmId?.toLowerCase() ?? '' }, since(sinceMs), retentionHours());
      },
      'metrics.trends': ({ sinceMs }) => store.trends(since(sinceMs)),
    },
    async stop() {
      clearInterval(timer);
      unsubscribe();
      store.close();
    },
  };
}
