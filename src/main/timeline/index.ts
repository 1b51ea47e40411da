import type { InventoryDelta, JobRecord } from '../../shared/contract';
import { isEmptyDelta } from '../store/delta';
import type { InventoryStore } from '../store';
import type { DeploymentApi, HostReadiness } from '../deployment/api';
import type { ServiceContext, ServiceModule, StartedService } from '../service-module';
import { isFinished, jobEntry } from './job-entries';
import type { TimelineInput } from './timeline-store';
import { redactSecrets } from './redact';

const DAY_MS = 86_400_000;

export interface TimelineModuleOptions {
  /** How often entries past the retention are pruned (default: daily). */
  pruneIntervalMs?: number;
}

/**
 * Tags and the timeline as a service: the commands, and the entries inventory cannot see itself
 * (jobs ending, host connection changes, agent deployments). Starts after inventory and jobs:
 * both live in the inventory store's file (inventory.db), which stays the single writer.
 */
export function createTimelineModule(options: TimelineModuleOptions = {}): ServiceModule {
  return { name: 'timeline', start: (ctx) => startTimeline(ctx, options) };
}

export const timelineModule = createTimelineModule();

function inventoryStore(ctx: ServiceContext): InventoryStore | undefined {
  const api = ctx.started.get('inventory')?.api as { store?: InventoryStore } | undefined;
  return api?.store;
}

async function startTimeline(ctx: ServiceContext, options: TimelineModuleOptions): Promise<StartedService> {
  const store = inventoryStore(ctx);
  if (!store) {
    return { name: 'timeline', status: () => ({ name: 'timeline', state: 'failed', detail: 'the inventory service is not running: tags and the timeline need its store' }), stop: async () => undefined };
  }
  const publish = (delta: InventoryDelta) => {
    if (!isEmptyDelta(delta)) ctx.hub.publishTopicDelta('inventory', delta);
  };
  const record = (entries: TimelineInput[]) => {
    if (!entries.length) return;
    try {
      store.timeline.addAll(entries);
    } catch (error) {
      // A full disk must not break the jobs or hosts listeners that feed the timeline.
      ctx.log.warn('timeline entry not written', { error: (error as Error).message });
    }
  };
  let lastPrune = { at: '', removed: 0 };
  const prune = () => {
    const days = ctx.settings.getSettings().timeline.retentionDays;
    const cutoff = new Date(Date.now() - days * DAY_MS).toISOString();
    try {
      lastPrune = { at: new Date().toISOString(), removed: store.timeline.prune(cutoff) };
    } catch (error) {
      ctx.log.warn('timeline pruning failed', { error: (error as Error).message });
    }
  };
  prune();
  const pruneTimer = setInterval(prune, options.pruneIntervalMs ?? DAY_MS);
  pruneTimer.unref?.();

  // Jobs: one entry when a job on a VM ends. Jobs already finished at start were recorded by the last run.
  const recorded = new Set<string>();
  try {
    for (const job of ctx.hub.snapshot('jobs').payload) if (isFinished(job)) recorded.add(job.id);
  } catch {
    // No jobs service: no job entries.
  }
  // Host connection: only changes between connected and unreachable (not the first status seen).
  const hostStatus = new Map<string, string>();
  for (const h of ctx.settings.getHosts()) hostStatus.set(h.id, 'unknown');
  const unsubscribe = ctx.hub.subscribe((event) => {
    if (event.topic === 'jobs' && event.kind === 'delta') {
      const entries: TimelineInput[] = [];
      for (const job of event.payload.upsert as JobRecord[]) {
        if (!isFinished(job) || recorded.has(job.id)) continue;
        recorded.add(job.id);
        const entry = jobEntry(job);
        if (entry) entries.push(entry);
      }
      record(entries);
    }
    if (event.topic === 'hosts') {
      const hosts = event.kind === 'snapshot' ? event.payload : event.payload.upsert;
      const entries: TimelineInput[] = [];
      for (const h of hosts) {
        const before = hostStatus.get(h.id);
        hostStatus.set(h.id, h.status);
        if (before === h.status || (h.status !== 'connected' && h.status !== 'unreachable')) continue;
        if (before !== 'connected' && before !== 'unreachable') continue;
        entries.push({ hostId: h.id, vmId: null, vmName: null, at: new Date().toISOString(), kind: 'host-status', field: 'status', from: before, to: h.status, sync: null, detail: h.status === 'unreachable' && h.lastError ? redactSecrets(h.lastError) : null });
      }
      record(entries);
    }
  }, ['jobs', 'hosts']);

  // Agent deployed or updated: a host's ready version that differs from the one known before.
  const deployment = ctx.started.get('deployment')?.api as Partial<DeploymentApi> | undefined;
  const agentVersions = store.timeline.lastAgentVersions();
  const offDeployment =
    typeof deployment?.onChange === 'function'
      ? deployment.onChange((hostId: string, readiness: HostReadiness) => {
          if (readiness.state !== 'ready') return;
          const before = agentVersions.get(hostId) ?? null;
          agentVersions.set(hostId, readiness.agentVersion);
          if (before === readiness.agentVersion) return;
          record([{ hostId, vmId: null, vmName: null, at: new Date().toISOString(), kind: 'agent', field: 'agentVersion', from: before, to: readiness.agentVersion, sync: null, detail: null }]);
        })
      : undefined;

  return {
    name: 'timeline',
    status: () => ({ name: 'timeline', state: 'running', detail: `entries kept ${ctx.settings.getSettings().timeline.retentionDays} days${lastPrune.at ? `; last pruned ${lastPrune.at} (${lastPrune.removed} removed)` : ''}` }),
    handlers: {
      'tags.update': ({ targets, add = [], remove = [] }) => {
        const { changed, unknown, delta } = store.updateTags(targets, add, remove);
        publish(delta);
        return { changed, unknown };
      },
      // No check that the host is still configured: history outlives a host's removal (until retention
      // prunes it), and a VM's timeline is read by its GUID wherever it lives now.
      'timeline.vm': ({ vmId, before, limit }) => store.timeline.vm(vmId, limit, before),
      'timeline.host': ({ hostId, before, limit }) => store.timeline.host(hostId, limit, before),
    },
    async stop() {
      clearInterval(pruneTimer);
      unsubscribe();
      offDeployment?.();
    },
  };
}
