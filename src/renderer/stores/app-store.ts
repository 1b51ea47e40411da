import { create } from 'zustand';
import type { AppHealth, AppInfo, AppNotification, HostView, Settings } from '../../shared/contract';
import type { Backend, ConnectionState } from '../backend/backend';
import { inventorySync } from './inventory-store';
import { notificationToast } from './host-toasts';
import { jobsSyncs } from './jobs-store'; // jobs: 'jobs' and 'jobOutput' topics
import { reachabilitySync } from '../features/connect/reach-store'; // connect: the 'reachability' topic
import { applyCollectionDelta, indexById, TopicSync } from './topic-sync';

export type View =
  | { name: 'overview' }
  | { name: 'settings' }
  | { name: 'diagnostics' }
  | { name: 'sync-health' } // health: per-host sync health, Refresh all (features/health)
  | { name: 'host'; id: string }
  | { name: 'cluster'; label: string }
  | { name: 'vm'; key: string }
  | { name: 'disconnected' }
  | { name: 'create-vm' } // jobs: the create-VM form (features/jobs)
  | { name: 'jobs' } // jobs: the jobs list (features/jobs)
  | { name: 'job'; id: string } // jobs: one job's page (features/jobs)
  | { name: 'hygiene' }; // hygiene: findings (features/hygiene)

export interface Toast {
  id: number;
  level: AppNotification['level'];
  text: string;
}

export interface AppState {
  backend?: Backend;
  connection: ConnectionState;
  info?: AppInfo;
  health?: AppHealth;
  settings?: Settings;
  hosts: Record<string, HostView>;
  notifications: Record<string, AppNotification>;
  view: View;
  toasts: Toast[];
  navigate(view: View): void;
  toast(level: Toast['level'], text: string): void;
  dismissToast(id: number): void;
  setSettings(settings: Settings): void;
}

let toastId = 0;

export const useApp = create<AppState>((set) => ({
  connection: 'connecting',
  hosts: {},
  notifications: {},
  view: { name: 'overview' },
  toasts: [],
  navigate: (view) => set({ view }),
  toast: (level, text) => {
    const id = ++toastId;
    set((s) => ({ toasts: [...s.toasts.slice(-3), { id, level, text }] }));
    setTimeout(() => useApp.getState().dismissToast(id), 6_000);
  },
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  setSettings: (settings) => set({ settings }),
}));

/**
 * Wires a backend into the store: topic syncs, connection state, first loads. `firstLoad` settles
 * when the first connection's snapshots, info and settings have all been applied.
 */
export function connectStore(backend: Backend): { firstLoad: Promise<void>; disconnect(): void } {
  useApp.setState({ backend });
  const syncs = [
    new TopicSync(backend, 'hosts', {
      snapshot: (p) => useApp.setState({ hosts: indexById(p as HostView[]) }),
      delta: (p) => useApp.setState((s) => ({ hosts: applyCollectionDelta(s.hosts, p as { upsert: HostView[]; remove: string[] }) })),
    }),
    new TopicSync(backend, 'notifications', {
      snapshot: (p) => useApp.setState({ notifications: indexById(p as AppNotification[]) }),
      delta: (p) => {
        const delta = p as { upsert: AppNotification[]; remove: string[] };
        const before = useApp.getState().notifications;
        // Browser mode has no native notifications: new warnings and errors, and host
        // unreachable/recovered transitions (often one keyed notification updated in place), become
        // toasts. Electron toasts only a failed job (host-toasts.ts); the tray shows the rest.
        for (const n of delta.upsert) {
          const toast = notificationToast(before[n.id], n, backend.kind !== 'browser');
          if (toast) useApp.getState().toast(toast.level, toast.text);
        }
        useApp.setState((s) => ({ notifications: applyCollectionDelta(s.notifications, delta) }));
      },
    }),
    new TopicSync(backend, 'health', {
      snapshot: (p) => useApp.setState({ health: p as AppHealth }),
      delta: (p) => useApp.setState({ health: p as AppHealth }),
    }),
    inventorySync(backend).sync,
    ...jobsSyncs(backend).syncs, // jobs: records and live output lines
    reachabilitySync(backend), // connect: RDP/SSH reachability per VM
  ];
  const offEvents = backend.onEvent((event) => syncs.forEach((s) => s.handle(event)));
  let loaded: () => void = () => undefined;
  const firstLoad = new Promise<void>((resolve) => (loaded = resolve));
  const loadAll = async () => {
    await Promise.all(syncs.map((s) => s.resync()));
    performance.mark?.('aetherv:snapshots-in');
    const [info, settings] = await Promise.all([backend.invoke('app.info', {}), backend.invoke('settings.get', {})]);
    if (info.ok) useApp.setState({ info: info.data });
    if (settings.ok) useApp.setState({ settings: settings.data });
    loaded();
  };
  const offConnection = backend.onConnection((connection) => {
    useApp.setState({ connection });
    if (connection === 'open') void loadAll();
  });
  return {
    firstLoad,
    disconnect: () => {
      offEvents();
      offConnection();
    },
  };
}

