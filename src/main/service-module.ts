import type { MetricGroup, ServiceStatus } from '../shared/contract';
import type { MemoryTrimmer } from './diagnostics/memory-trim';
import type { EventHub } from './events/event-hub';
import type { Handlers } from './handlers';
import type { HostRegistry } from './hosts/host-registry';
import type { RemoteHosts } from './hosts/remote-hosts';
import type { Logger } from './log';
import type { NotificationCenter } from './notifications/notification-center';
import type { SettingsStore } from './settings/settings-store';
import type { RemoteTaskScheduler } from './tasks';

/** What every service module gets from the composition root. */
export interface ServiceContext {
  dataDir: string;
  settings: SettingsStore;
  hosts: HostRegistry;
  notifications: NotificationCenter;
  hub: EventHub;
  scheduler: RemoteTaskScheduler;
  /** Every host call goes through here: scheduler lanes + one cached WinRM client per host. */
  remote: RemoteHosts;
  log: Logger;
  /** Ask for the memory of a finished burst of work (a full refresh) to be given back. */
  memory: MemoryTrimmer;
  /** Services started before this one, by name (deployment before inventory before jobs). */
  started: ReadonlyMap<string, StartedService>;
  /** Contact hosts (agent checks, the startup refresh) only once this settles (BackendOptions.hostContact); absent: at once. */
  hostContact?: Promise<void>;
}

/** A running service: its state for diagnostics, its contract handlers, its metrics, its shutdown. */
export interface StartedService {
  name: string;
  status(): ServiceStatus;
  handlers?: Partial<Handlers>;
  metrics?(): MetricGroup[];
  /** Anything else other services need (e.g. deployment's ensureHostReady). */
  api?: unknown;
  /** Problems that put the app in diagnostic mode (e.g. an invalid bundled schema). */
  problems?: string[];
  stop(): Promise<void>;
}

export interface ServiceModule {
  name: string;
  start(context: ServiceContext): Promise<StartedService>;
}

/** A service whose issue has not landed: says so in diagnostics, contributes nothing else. */
export function notBuiltModule(name: string, detail: string): ServiceModule {
  return {
    name,
    start: async () => ({ name, status: () => ({ name, state: 'not-built', detail }), stop: async () => undefined }),
  };
}
