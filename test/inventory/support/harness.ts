/**
 * A real inventory service on real parts — settings and secrets files, the hub, notifications,
 * the scheduler, RemoteHosts with NTLM-sealed WinRM to lab hosts, a SQLite file — built the way
 * the composition root builds them, so tests can pass timing overrides to the module.
 */
import path from 'node:path';
import type { AppNotification, InventoryDelta, InventorySnapshot, StateEvent } from '../../../src/shared/contract';
import { decodeInventorySnapshot } from '../../../src/shared/inventory-wire';
import { MemoryTrimmer } from '../../../src/main/diagnostics/memory-trim';
import { EventHub } from '../../../src/main/events/event-hub';
import { HostRegistry } from '../../../src/main/hosts/host-registry';
import { RemoteHosts } from '../../../src/main/hosts/remote-hosts';
import { createInventoryModule, type InventoryApi, type InventoryModuleOptions } from '../../../src/main/inventory';
import { createLogger } from '../../../src/main/log';
import { NotificationCenter } from '../../../src/main/notifications/notification-center';
import { EncryptedFileSecretStore, keyFileCipher } from '../../../src/main/secrets/secret-store';
import type { ServiceContext, StartedService } from '../../../src/main/service-module';
import { JsonFilePersistence } from '../../../src/main/settings/persistence';
import { SettingsStore } from '../../../src/main/settings/settings-store';
import { RemoteTaskScheduler } from '../../../src/main/tasks';
import type { SchedulerOptions } from '../../../src/main/tasks/types';
import { labHostInput, type Lab, type LabHostInfo } from '../../lab';
import { startTestBackend } from '../../support/backend';

export const INSTALL_DIR = 'C:\\ProgramData\\Aether-V\\agent';

/** Until deployment runs, a lab host is "ready" when the agent entry script is in its files. */
export function installAgent(lab: Lab, name: string): void {
  lab.host(name).files.put(`${INSTALL_DIR}\\Invoke-AgentOperation.ps1`, Buffer.from('# agent'));
}

export interface Harness {
  hub?: EventHub;
  hosts: HostRegistry;
  notificationCenter: NotificationCenter;
  service: StartedService;
  api: InventoryApi;
  hostIds: Map<string, string>;
  events: StateEvent[];
  notifications: AppNotification[];
  /** The renderer's view: the snapshot with every delta applied in order. */
  mirror(): InventorySnapshot;
  close(): Promise<void>;
}

/** Adds lab hosts to a data directory's settings (real HostRegistry, encrypted password). */
export async function configureHosts(dataDir: string, hosts: LabHostInfo[]): Promise<Map<string, string>> {
  const parts = await baseParts(dataDir);
  // A backend started later on this directory must not fight other tests for the default port.
  await parts.settings.updateSettings({ artifactServer: { bindAddress: '127.0.0.1', port: 0, advertisedBaseUrl: '' } });
  const ids = new Map<string, string>();
  for (const h of hosts) ids.set(h.name, (await addLabHost(parts.hosts, h)).id);
  return ids;
}

export async function addLabHost(registry: HostRegistry, h: LabHostInfo) {
  return registry.add(labHostInput(h));
}

async function baseParts(dataDir: string) {
  const hub = new EventHub();
  const settings = new SettingsStore(new JsonFilePersistence(path.join(dataDir, 'settings.json')));
  await settings.load();
  const secrets = new EncryptedFileSecretStore(path.join(dataDir, 'secrets.json'), keyFileCipher(path.join(dataDir, 'secret.key')));
  const hosts = new HostRegistry(settings, secrets, hub);
  return { hub, settings, hosts };
}

/** `recordEvents: false` (benchmarks) keeps no event history, so `events`/`mirror()` stay empty. */
export async function startHarness(
  dataDir: string,
  options: InventoryModuleOptions = {},
  schedulerOptions: SchedulerOptions = {},
  { recordEvents = true }: { recordEvents?: boolean } = {},
): Promise<Harness> {
  const { hub, settings, hosts } = await baseParts(dataDir);
  const events: StateEvent[] = [];
  if (recordEvents) hub.subscribe((e) => events.push(e));
  const notificationCenter = new NotificationCenter(path.join(dataDir, 'notifications.json'), hub);
  const notifications: AppNotification[] = [];
  notificationCenter.onNotify((n, isNew) => {
    if (isNew) notifications.push(n);
  });
  const log = createLogger(dataDir);
  const scheduler = new RemoteTaskScheduler(schedulerOptions);
  const remote = new RemoteHosts(hosts, scheduler, settings, log);
  const memory = new MemoryTrimmer(log);
  const ctx: ServiceContext = { dataDir, settings, hosts, notifications: notificationCenter, hub, scheduler, remote, log, memory, started: new Map() };
  const service = await createInventoryModule(options).start(ctx);
  const api = service.api as InventoryApi;
  const hostIds = new Map(settings.getHosts().map((h) => [h.displayName, h.id]));
  return {
    hub,
    hosts,
    notificationCenter,
    service,
    api,
    hostIds,
    events,
    notifications,
    mirror: () => mirrorOf(events),
    async close() {
      await service.stop();
      await scheduler.close();
      await remote.close();
      await notificationCenter.flush();
      memory.stop();
    },
  };
}

/** Replays inventory events like the renderer's store: last snapshot, then deltas in revision order. */
export function mirrorOf(events: StateEvent[]): InventorySnapshot {
  const hosts = new Map<string, InventorySnapshot['hosts'][number]>();
  const vms = new Map<string, InventorySnapshot['vms'][number]>();
  let revision = 0;
  for (const e of events) {
    if (e.topic !== 'inventory') continue;
    if (e.kind === 'snapshot') {
      hosts.clear();
      vms.clear();
      const snap = decodeInventorySnapshot(e.payload);
      snap.hosts.forEach((h) => hosts.set(h.hostId, h));
      snap.vms.forEach((v) => vms.set(v.key, v));
    } else {
      if (revision && e.revision !== revision + 1) throw new Error(`inventory revision gap: ${revision} → ${e.revision}`);
      const d = e.payload as InventoryDelta;
      d.hosts.remove.forEach((id) => hosts.delete(id));
      d.hosts.upsert.forEach((h) => hosts.set(h.hostId, h));
      d.vms.remove.forEach((k) => vms.delete(k));
      d.vms.upsert.forEach((v) => vms.set(v.key, v));
    }
    revision = e.revision;
  }
  return { hosts: [...hosts.values()], vms: [...vms.values()] };
}

/**
 * The real backend (createBackend): real deployment deploys the agent to the lab hosts over NTLM,
 * then the real inventory module refreshes them. Hosts are added through the contract.
 */
export async function startBackendHarness(lab: Lab, settings: Record<string, unknown> = {}): Promise<Harness> {
  const app = await startTestBackend();
  const events: StateEvent[] = [];
  app.backend.subscribe((e) => events.push(e));
  const notifications: AppNotification[] = [];
  app.backend.services.notifications.onNotify((n, isNew) => {
    if (isNew) notifications.push(n);
  });
  const ok = async (command: string, request: unknown) => {
    const result = await app.backend.invoke(command, request);
    if (!result.ok) throw new Error(`${command}: ${result.error.code}: ${result.error.message}`);
    return result.data;
  };
  await ok('settings.update', { agent: { downloadRetryIntervalS: 1 }, ...settings });
  const hostIds = new Map<string, string>();
  for (const info of lab.hosts) {
    const view = (await ok('hosts.add', labHostInput(info))) as { id: string };
    hostIds.set(info.name, view.id);
  }
  const service = app.backend.modules.get('inventory')!;
  return {
    hosts: app.backend.services.hosts,
    notificationCenter: app.backend.services.notifications,
    service,
    api: service.api as InventoryApi,
    hostIds,
    events,
    notifications,
    mirror: () => mirrorOf(events),
    close: () => app.close(),
  };
}

/** Polls until `done()` holds (deployment and refresh run in the background). */
export async function waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
