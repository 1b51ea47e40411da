import type { AppHealth, AppInfo, Metrics, Settings } from '../shared/contract';
import type { EventHub } from './events/event-hub';
import type { HostRegistry } from './hosts/host-registry';
import type { RemoteHosts } from './hosts/remote-hosts';
import type { NotificationCenter } from './notifications/notification-center';
import type { SettingsStore } from './settings/settings-store';

/** What the command handlers can reach; built by the composition root in backend.ts. */
export interface Services {
  hub: EventHub;
  settings: SettingsStore;
  hosts: HostRegistry;
  remote: RemoteHosts;
  notifications: NotificationCenter;
  info(): AppInfo;
  health(): AppHealth;
  metrics(): Metrics;
  onSettingsChanged(settings: Settings): void;
}
