import { Menu, nativeImage, Notification, Tray, type MenuItemConstructorOptions } from 'electron';
import type { AppNotification, HostView } from '../../shared/contract';
import { counted } from '../../shared/counted';
import { messageBesideTitle } from '../../shared/notification-text';

export type FleetHealth = 'ok' | 'degraded' | 'down' | 'empty';

export function fleetHealth(hosts: HostView[]): FleetHealth {
  const enabled = hosts.filter((h) => h.enabled);
  if (enabled.length === 0) return 'empty';
  const unreachable = enabled.filter((h) => h.status === 'unreachable').length;
  if (unreachable === 0) return 'ok';
  return unreachable === enabled.length ? 'down' : 'degraded';
}

const COLORS: Record<FleetHealth, string> = { ok: '#2fb36d', degraded: '#e0a100', down: '#d64545', empty: '#8a8f98' };

/** A 16×16 dot in the health colour; drawn as SVG so no icon files are needed per state. */
function icon(health: FleetHealth) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><circle cx="8" cy="8" r="6" fill="${COLORS[health]}"/></svg>`;
  return nativeImage.createFromDataURL(`data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`);
}

export function trayMenuTemplate(hosts: HostView[], actions: { show(): void; quit(): void }): MenuItemConstructorOptions[] {
  const enabled = hosts.filter((h) => h.enabled);
  const unreachable = enabled.filter((h) => h.status === 'unreachable');
  const items: MenuItemConstructorOptions[] = [
    { label: `${enabled.length - unreachable.length}/${enabled.length} hosts reachable`, enabled: false },
  ];
  if (unreachable.length) {
    items.push({ type: 'separator' }, { label: 'Unreachable hosts', enabled: false });
    for (const host of unreachable.slice(0, 15)) items.push({ label: `  ${host.displayName}`, click: actions.show });
    if (unreachable.length > 15) items.push({ label: `  …and ${unreachable.length - 15} more`, click: actions.show });
  }
  items.push({ type: 'separator' }, { label: 'Open Aether-V', click: actions.show }, { label: 'Quit', click: actions.quit });
  return items;
}

/** The tray icon reflects fleet health; its menu lists unreachable hosts. */
export class FleetTray {
  private readonly tray: Tray;
  private shown = '';
  constructor(private readonly actions: { show(): void; quit(): void }) {
    this.tray = new Tray(icon('empty'));
    this.tray.setToolTip('Aether-V');
    this.tray.on('click', actions.show);
    this.update([]);
  }

  /** Cheap to call on every event: the menu is rebuilt only when health or the host list changed. */
  update(hosts: HostView[]): void {
    const health = fleetHealth(hosts);
    const signature = `${health}|${hosts.map((h) => `${h.id}:${h.enabled}:${h.status}:${h.displayName}`).join(',')}`;
    if (signature === this.shown) return;
    this.shown = signature;
    this.tray.setImage(icon(health));
    this.tray.setToolTip(`Aether-V — ${health === 'ok' ? 'all hosts reachable' : health === 'empty' ? 'no hosts' : 'hosts unreachable'}`);
    this.tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(hosts, this.actions)));
  }

  destroy(): void {
    this.tray.destroy();
  }
}

/** Allows `limit` events per sliding `windowMs`. */
export function createRateLimiter(limit: number, windowMs: number, now = () => Date.now()) {
  const times: number[] = [];
  return () => {
    const t = now();
    while (times.length && t - times[0]! > windowMs) times.shift();
    if (times.length >= limit) return false;
    times.push(t);
    return true;
  };
}

/**
 * Native notifications for what an admin must not miss: new warnings and errors, and a host
 * becoming unreachable or recovering — which the inventory often reports by updating one keyed
 * notification in place, so a change of level on a host's notification counts too. Rate-limited
 * (a switch failing takes 50 hosts down at once); what was held back is summed up in the next one.
 */
export class NativeNotifier {
  private readonly levels = new Map<string, AppNotification['level']>();
  private held = 0;

  constructor(
    private readonly allow: () => boolean = createRateLimiter(5, 60_000),
    private readonly show: (title: string, body: string) => void = (title, body) => {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    },
  ) {}

  handle(n: AppNotification, isNew: boolean): boolean {
    const before = this.levels.get(n.id);
    this.levels.set(n.id, n.level);
    if (this.levels.size > 1000) this.levels.delete(this.levels.keys().next().value!);
    const important = isNew
      ? n.level === 'error' || n.level === 'warning' || (!!n.hostId && n.level === 'success')
      : !!n.hostId && before !== undefined && before !== n.level;
    if (!important) return false;
    if (!this.allow()) {
      this.held++;
      return false;
    }
    const extra = this.held ? ` (and ${counted(this.held, 'more change')}: see Aether-V)` : '';
    this.held = 0;
    this.show(n.title, messageBesideTitle(n) + extra);
    return true;
  }
}
