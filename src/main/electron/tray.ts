import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import type { HostView } from '../../shared/contract';

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
  constructor(private readonly actions: { show(): void; quit(): void }) {
    this.tray = new Tray(icon('empty'));
    this.tray.setToolTip('Aether-V');
    this.tray.on('click', actions.show);
    this.update([]);
  }

  update(hosts: HostView[]): void {
    const health = fleetHealth(hosts);
    this.tray.setImage(icon(health));
    this.tray.setToolTip(`Aether-V — ${health === 'ok' ? 'all hosts reachable' : health === 'empty' ? 'no hosts' : 'hosts unreachable'}`);
    this.tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(hosts, this.actions)));
  }

  destroy(): void {
    this.tray.destroy();
  }
}
