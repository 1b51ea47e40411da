/**
 * A real backend (createBackend) on a lab over NTLM: deployment deploys the agent, inventory
 * refreshes, the jobs service runs jobs. Commands go through backend.invoke (ajv-validated).
 */
import type { ErrorBody, InventorySnapshot, JobLine, JobRecord, StateEvent } from '../../src/shared/contract';
import type { JobsApi } from '../../src/main/jobs';
import type { InventoryApi } from '../../src/main/inventory';
import { labHostInput, type Lab, type LabHostInfo } from '../lab';
import { startTestBackend } from '../support/backend';
import { waitFor } from '../inventory/support/harness';
import type { ServiceModule } from '../../src/main/service-module';

export { waitFor };

export interface JobsHarness {
  dataDir: string;
  hostIds: Map<string, string>;
  events: StateEvent[];
  ok<T = unknown>(command: string, request: unknown): Promise<T>;
  fail(command: string, request: unknown): Promise<ErrorBody>;
  inventory: InventoryApi;
  jobs: JobsApi;
  snapshot(): InventorySnapshot;
  lines(jobId: string): JobLine[];
  job(id: string): JobRecord | undefined;
  addHost(info: LabHostInfo): Promise<string>;
  /** The notification centre's entries, newest first. */
  notices(): Array<{ level: string; title: string; message: string; jobId?: string | null }>;
  close(): Promise<void>;
}

export async function startJobsHarness(
  lab: Lab,
  hosts: LabHostInfo[] = lab.hosts,
  settings: Record<string, unknown> = {},
  options: { modules?: ServiceModule[] } = {},
): Promise<JobsHarness> {
  const app = await startTestBackend(options.modules ? { modules: options.modules } : {});
  const events: StateEvent[] = [];
  app.backend.subscribe((e) => events.push(e));
  const ok = async <T>(command: string, request: unknown): Promise<T> => {
    const result = await app.backend.invoke(command, request);
    if (!result.ok) throw new Error(`${command}: ${result.error.code}: ${result.error.message}`);
    return result.data as T;
  };
  const fail = async (command: string, request: unknown): Promise<ErrorBody> => {
    const result = await app.backend.invoke(command, request);
    if (result.ok) throw new Error(`${command} was expected to be refused but succeeded`);
    return result.error;
  };
  await ok('settings.update', { agent: { downloadRetryIntervalS: 1 }, inventory: { quickSyncIntervalS: 3600, fullSyncIntervalS: 3600 }, ...settings });
  const hostIds = new Map<string, string>();
  const addHost = async (info: LabHostInfo) => {
    const view = await ok<{ id: string }>('hosts.add', labHostInput(info, { withCluster: false }));
    hostIds.set(info.name, view.id);
    return view.id;
  };
  for (const info of hosts) await addHost(info);
  const inventory = app.backend.modules.get('inventory')!.api as InventoryApi;
  const jobs = app.backend.modules.get('jobs')!.api as JobsApi;
  await waitFor(
    () => inventory.snapshot().hosts.filter((h) => h.sync.state === 'fresh').length === hosts.length && app.backend.services.hosts.list().every((h) => h.status === 'connected'),
    60_000,
    'every host deployed, connected and refreshed',
  );
  return {
    dataDir: app.dataDir,
    hostIds,
    events,
    ok,
    fail,
    inventory,
    jobs,
    snapshot: () => inventory.snapshot(),
    lines: (jobId) => jobs.core.store.lines(jobId),
    job: (id) => jobs.core.store.get(id),
    addHost,
    notices: () => app.backend.services.notifications.list(),
    close: () => app.close(),
  };
}

/** Lines of one job as the renderer received them (jobOutput deltas). */
export function streamedLines(events: StateEvent[], jobId: string): JobLine[] {
  return events.flatMap((e) => (e.topic === 'jobOutput' && e.kind === 'delta' ? (e.payload as { lines: JobLine[] }).lines.filter((l) => l.jobId === jobId) : []));
}

export const WINDOWS_SECRETS = { adminPassword: 'Adm1n-S3cret-Zq9!', domainJoinPassword: 'J0in-S3cret-Xw7#' };

/** A Windows VM with static IPv4 and domain join (every guest parameter set used). */
export function windowsVmFields(vmName: string): Record<string, unknown> {
  return {
    vmName,
    imagePath: 'D:\\Images\\WS2022.vhdx',
    cpuCount: 2,
    memoryGB: 4,
    generation: 2,
    vmRootPath: 'D:\\VMs',
    adminUser: 'labadmin',
    adminPassword: WINDOWS_SECRETS.adminPassword,
    ipv4Address: '10.20.30.40',
    ipv4PrefixLength: 24,
    ipv4Gateway: '10.20.30.1',
    ipv4Dns1: '10.20.30.2',
    domainName: 'corp.example.com',
    domainJoinUser: 'CORP\\joiner',
    domainJoinPassword: WINDOWS_SECRETS.domainJoinPassword,
  };
}
