import { describe, expect, test, vi } from 'vitest';
import type { AppNotification, HostView } from '../../src/shared/contract';
import { createFakeElectron, type FakeElectron } from './fake-electron';

const fake: FakeElectron & { shown: { title: string; body: string }[] } = vi.hoisted(() => ({}) as never);
vi.mock('electron', async () => {
  const created = createFakeElectron();
  const shown: { title: string; body: string }[] = [];
  // A Notification that records what would pop up on the desktop.
  created.module.Notification = Object.assign(
    class {
      constructor(private readonly o: { title: string; body: string }) {}
      show() {
        shown.push(this.o);
      }
    },
    { isSupported: () => true },
  ) as never;
  Object.assign(fake, created, { shown });
  return fake.module;
});

const host = (id: string, status: HostView['status'], enabled = true) => ({ id, displayName: id.toUpperCase(), status, enabled }) as HostView;
const note = (over: Partial<AppNotification>): AppNotification => ({
  id: 'n1', level: 'warning', title: 'Host unreachable', message: 'HV01: connection refused', createdAt: 't', updatedAt: 't', read: false, key: 'host-health:hv01', hostId: 'hv01', ...over,
});

type FakeTray = { image: { url: string }; tooltip: string; menu: { template: { label?: string }[] } };

describe('tray and native notifications (fake electron)', () => {
  test('the icon colour and menu follow fleet health; unchanged health does not rebuild the menu', async () => {
    const { FleetTray } = await import('../../src/main/electron/tray');
    const tray = new FleetTray({ show: () => undefined, quit: () => undefined });
    const inner = (tray as unknown as { tray: FakeTray }).tray;
    const colour = () => Buffer.from(inner.image.url.split(',')[1]!, 'base64').toString().match(/fill="([^"]+)"/)![1];
    expect(colour()).toBe('#8a8f98'); // no hosts
    tray.update([host('hv01', 'connected'), host('hv02', 'connected')]);
    expect(colour()).toBe('#2fb36d');
    expect(inner.tooltip).toBe('Aether-V — all hosts reachable');
    tray.update([host('hv01', 'unreachable'), host('hv02', 'connected')]);
    expect(colour()).toBe('#e0a100');
    expect(inner.menu.template.map((i) => i.label).filter(Boolean)).toEqual(['1/2 hosts reachable', 'Unreachable hosts', '  HV01', 'Open Aether-V', 'Quit']);
    const menuBefore = inner.menu;
    tray.update([host('hv01', 'unreachable'), host('hv02', 'connected')]);
    expect(inner.menu).toBe(menuBefore);
    tray.update([host('hv01', 'unreachable'), host('hv02', 'unreachable')]);
    expect(colour()).toBe('#d64545');
  });

  test('a host going unreachable and recovering (one keyed notification updated in place) each pop up once', async () => {
    const { NativeNotifier } = await import('../../src/main/electron/tray');
    fake.shown.length = 0;
    const notifier = new NativeNotifier(() => true);
    expect(notifier.handle(note({}), true)).toBe(true);
    expect(notifier.handle(note({ message: 'HV01: still refusing' }), false)).toBe(false); // same level: no repeat
    expect(notifier.handle(note({ level: 'success', title: 'Host recovered', message: 'HV01 is reachable again' }), false)).toBe(true);
    expect(notifier.handle(note({ id: 'n2', level: 'info', hostId: undefined, title: 'Settings saved' }), true)).toBe(false);
    expect(fake.shown).toEqual([
      { title: 'Host unreachable', body: 'HV01: connection refused' },
      { title: 'Host recovered', body: 'HV01 is reachable again' },
    ]);
    // A message that starts with its title does not repeat it in the body.
    const progress = note({ id: 'n3', level: 'warning', hostId: undefined, title: 'Agent deployment', message: 'Agent deployment: 3/4 hosts ready, 1 failed' });
    expect(notifier.handle(progress, true)).toBe(true);
    expect(fake.shown.at(-1)).toEqual({ title: 'Agent deployment', body: '3/4 hosts ready, 1 failed' });
  });

  test('a burst is rate-limited and the next notification says how many were held back', async () => {
    const { NativeNotifier, createRateLimiter } = await import('../../src/main/electron/tray');
    let now = 0;
    const shown: string[] = [];
    const notifier = new NativeNotifier(createRateLimiter(3, 60_000, () => now), (title, body) => shown.push(`${title} — ${body}`));
    for (let i = 0; i < 50; i++) notifier.handle(note({ id: `h${i}`, hostId: `hv${i}`, message: `HV${i}: timed out` }), true);
    expect(shown).toHaveLength(3);
    now = 61_000;
    notifier.handle(note({ id: 'h0', hostId: 'hv0', level: 'success', title: 'Host recovered', message: 'HV0 is reachable again' }), false);
    expect(shown.at(-1)).toBe('Host recovered — HV0 is reachable again (and 47 more changes: see Aether-V)');
  });
});
