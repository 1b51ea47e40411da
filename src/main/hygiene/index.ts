// Hygiene: findings about the inventory (old checkpoints, silent guests, long-saved VMs, old
// configuration versions, duplicate addresses…) computed on request from the store, with snoozes.
import { ContractError, ErrorCode } from '../../shared/contract';
import type { InventoryApi } from '../inventory';
import type { ServiceContext, ServiceModule, StartedService } from '../service-module';
import { HygieneFacts } from './facts';
import { parseOrphanDisks } from './orphan-disks';
import { hygieneReport, type OrphanScan } from './report';
import { SnoozeStore } from './snoozes';

export { HygieneFacts } from './facts';
export { SnoozeStore } from './snoozes';
export { hygieneReport, type OrphanScan } from './report';
export { parseOrphanDisks } from './orphan-disks';

const DAY = 86_400_000;

export function createHygieneModule(options: { now?: () => Date } = {}): ServiceModule {
  return { name: 'hygiene', start: (ctx) => startHygiene(ctx, options.now ?? (() => new Date())) };
}

export const hygieneModule = createHygieneModule();

function inventoryOf(ctx: ServiceContext): InventoryApi {
  const api = ctx.started.get('inventory')?.api as Partial<InventoryApi> | undefined;
  if (!api?.store) throw new Error('the hygiene service needs the inventory service, which did not start');
  return api as InventoryApi;
}

async function startHygiene(ctx: ServiceContext, now: () => Date): Promise<StartedService> {
  const store = inventoryOf(ctx).store;
  const facts = new HygieneFacts(store);
  const snoozes = new SnoozeStore(store.db);
  // The last scan of each host (kept in memory: a scan is on demand and cheap to repeat).
  const orphanScans = new Map<string, OrphanScan>();
  const hostName = (hostId: string, computerName: string | null) => ctx.settings.getHost(hostId)?.displayName ?? computerName ?? hostId;
  const report = () => hygieneReport({ facts, snoozes, thresholds: ctx.settings.getSettings().hygiene, orphanScans, hostName, now: now() });

  return {
    name: 'hygiene',
    status: () => ({ name: 'hygiene', state: 'running', detail: `${orphanScans.size} hosts scanned for unattached disks` }),
    handlers: {
      'hygiene.findings': () => report(),
      'hygiene.snooze': ({ findingId, for: span }) => {
        if (span === 'off') {
          snoozes.wake(findingId);
          return { ok: true };
        }
        const finding = report().findings.find((f) => f.id === findingId);
        if (!finding) throw new ContractError(ErrorCode.NotFound, `No current hygiene finding ${findingId}; it may have been resolved. Reload the Hygiene page.`);
        const at = now();
        const until = span === 'change' ? null : new Date(at.getTime() + (span === '7d' ? 7 : 30) * DAY).toISOString();
        snoozes.snooze({ findingId, until, fingerprint: finding.fingerprint }, at);
        return { ok: true };
      },
      'hygiene.scanOrphanDisks': async ({ hostId }) => {
        const entry = ctx.settings.getHost(hostId);
        if (!entry) throw new ContractError(ErrorCode.NotFound, `No host with id ${hostId}; it may have been removed. Reload the hosts list.`);
        const data = await ctx.remote.agent(hostId, { lane: 'CONTROL', label: `scan for unattached disks on ${entry.displayName}`, operation: 'host.orphanDisks', fields: {} });
        const scan: OrphanScan = { scannedAt: now().toISOString(), files: parseOrphanDisks(data, entry.displayName) };
        orphanScans.set(hostId, scan);
        return { hostId, ...scan };
      },
    },
    stop: async () => undefined,
  };
}
