import { beforeEach, describe, expect, test, vi } from 'vitest';
import { commandNames } from '../../src/shared/contract';
import { IPC_INVOKE_CHANNEL } from '../../src/shared/ipc';
import { ELECTRON_CSP } from '../../src/main/transport/csp';
import { createFakeElectron, type FakeElectron } from './fake-electron';

// One fake for the whole file: vitest keeps a mocked module for the file's lifetime.
const fake: FakeElectron = vi.hoisted(() => ({}) as FakeElectron);
vi.mock('electron', async () => {
  Object.assign(fake, createFakeElectron());
  return fake.module;
});
// electron-store would load the real electron package (no binary here); the shell never needs it in these tests.
vi.mock('electron-store', () => ({ default: class {} }));

beforeEach(async () => {
  await import('electron');
  fake.createdWindows.length = 0;
  fake.invokeCalls.length = 0;
  for (const key of Object.keys(fake.exposed)) delete fake.exposed[key];
  fake.module.app.lockGranted = true;
  fake.module.app.quitCalled = false;
});

describe('Electron shell against a fake electron module', () => {
  test('the window is isolated, sandboxed and has no Node', async () => {
    const { mainWindowOptions } = await import('../../src/main/electron/window');
    const prefs = mainWindowOptions('/app/preload/index.cjs').webPreferences!;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false, webSecurity: true, preload: '/app/preload/index.cjs' });
  });

  test('navigation away from the bundle and window.open are blocked', async () => {
    const { createMainWindow } = await import('../../src/main/electron/window');
    const app = 'file:///app/renderer/index.html';
    const win = createMainWindow('/p.cjs', app, (url) => url === app) as unknown as InstanceType<FakeElectron['FakeBrowserWindow']>;
    const navigate = (url: string) => {
      let prevented = false;
      win.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate(app)).toBe(false);
    expect(win.webContents.windowOpenHandler!()).toEqual({ action: 'deny' });
    expect(win.loaded).toBe(app);
  });

  test('every permission request is denied and the CSP header is enforced', async () => {
    const { hardenSession } = await import('../../src/main/electron/window');
    hardenSession();
    const answers: boolean[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal']) fake.permission()(undefined, permission, (ok) => answers.push(ok));
    expect(answers).toEqual([false, false, false, false]);
    let headers: Record<string, string[]> = {};
    fake.headers()({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (headers = r.responseHeaders));
    expect(headers['Content-Security-Policy']).toEqual([ELECTRON_CSP]);
    expect(ELECTRON_CSP).toContain("default-src 'none'");
    expect(ELECTRON_CSP).toContain("script-src 'self'");
    expect(ELECTRON_CSP).not.toContain('unsafe-eval');
  });

  test('IPC answers only our window’s main frame showing our bundle', async () => {
    const { registerIpc } = await import('../../src/main/electron/ipc');
    const { createMainWindow } = await import('../../src/main/electron/window');
    const appUrl = 'file:///app/renderer/index.html';
    const isAppUrl = (url: string) => url === appUrl;
    const win = createMainWindow('/p.cjs', appUrl, isAppUrl) as unknown as InstanceType<FakeElectron['FakeBrowserWindow']>;
    const calls: unknown[] = [];
    const backend = {
      invoke: async (command: string, request: unknown) => {
        calls.push([command, request]);
        return { ok: true, data: 'pong' };
      },
      subscribe: () => () => undefined,
      log: { warn: () => undefined },
    };
    registerIpc(fake.module.ipcMain as never, backend as never, () => win as never, isAppUrl);
    const handler = fake.handlers.get(IPC_INVOKE_CHANNEL)!;

    const ok = await handler({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, 'app.info', {});
    expect(ok).toEqual({ ok: true, data: 'pong' });
    expect(calls).toEqual([['app.info', {}]]);

    const subFrame = { url: appUrl };
    const other = new fake.FakeBrowserWindow({});
    const refusals = [
      await handler({ sender: win.webContents, senderFrame: subFrame }, 'app.info', {}),
      await handler({ sender: other.webContents, senderFrame: other.webContents.mainFrame }, 'app.info', {}),
      await handler({ sender: win.webContents, senderFrame: null }, 'app.info', {}),
    ];
    win.webContents.mainFrame.url = 'https://evil.example/';
    refusals.push(await handler({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, 'app.info', {}));
    for (const r of refusals) expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(calls).toHaveLength(1);
  });

  test('the preload exposes exactly the contract: one function per command and onEvent', async () => {
    await import('../../src/preload/index');
    const api = fake.exposed.aetherv as { commands: Record<string, (r: unknown) => Promise<unknown>>; onEvent: unknown };
    expect(Object.keys(fake.exposed)).toEqual(['aetherv']);
    expect(Object.keys(api).sort()).toEqual(['commands', 'onEvent']);
    expect(Object.keys(api.commands).sort()).toEqual([...commandNames].sort());
    expect(Object.isFrozen(api) && Object.isFrozen(api.commands)).toBe(true);
    await api.commands['hosts.list']!({});
    expect(fake.invokeCalls).toEqual([[IPC_INVOKE_CHANNEL, 'hosts.list', {}]]);
  });

  test('a second instance quits instead of opening another window', async () => {
    fake.module.app.lockGranted = false;
    const { startElectronApp } = await import('../../src/main/electron/app');
    await startElectronApp('/app/main');
    expect(fake.module.app.quitCalled).toBe(true);
    expect(fake.createdWindows).toHaveLength(0);
  });

  test('the tray reflects fleet health and lists unreachable hosts', async () => {
    const { fleetHealth, trayMenuTemplate } = await import('../../src/main/electron/tray');
    const host = (id: string, status: string, enabled = true) => ({ id, displayName: id, status, enabled }) as never;
    expect(fleetHealth([])).toBe('empty');
    expect(fleetHealth([host('a', 'connected'), host('b', 'unreachable')])).toBe('degraded');
    expect(fleetHealth([host('a', 'unreachable'), host('b', 'unreachable', false)])).toBe('down');
    const menu = trayMenuTemplate([host('hv01', 'connected'), host('hv02', 'unreachable')], { show: () => undefined, quit: () => undefined });
    const labels = menu.map((i) => i.label).filter(Boolean);
    expect(labels).toEqual(['1/2 hosts reachable', 'Unreachable hosts', '  hv02', 'Open Aether-V', 'Quit']);
  });

  test('native notifications are rate-limited', async () => {
    const { createRateLimiter } = await import('../../src/main/electron/app');
    let now = 0;
    const allow = createRateLimiter(2, 1000, () => now);
    expect([allow(), allow(), allow()]).toEqual([true, true, false]);
    now = 1001;
    expect(allow()).toBe(true);
  });
});
