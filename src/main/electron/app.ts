import path from 'node:path';
import { app, BrowserWindow, ipcMain, protocol } from 'electron';
import { createBackend, type Backend } from '../backend';
import { FirstPaintGate } from '../backend-connection';
import { importDemoHosts } from '../demo-hosts';
import { withEarlyInventory } from '../transport/early-inventory';
import { takeStartSnapshot } from '../transport/start-snapshot';
import { APP_VERSION } from '../version';
import { ElectronStorePersistence } from './electron-store-persistence';
import { registerIpc } from './ipc';
import { APP_INDEX_URL, registerAppScheme, serveRendererBundle } from './renderer-protocol';
import { safeStorageCipher, type KeychainState } from './safe-storage-cipher';
import { FleetTray, NativeNotifier } from './tray';
import { createMainWindow, hardenSession } from './window';

/** `--data-dir DIR` or `--data-dir=DIR` on the Electron command line. */
export function dataDirFromArgv(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--data-dir') return argv[i + 1];
    if (argv[i]!.startsWith('--data-dir=')) return argv[i]!.slice('--data-dir='.length);
  }
  return undefined;
}

/**
 * The renderer's URL: electron-vite's dev server in development, otherwise the built bundle in
 * `rendererDir` served on app://bundle (never a file:// page; see renderer-protocol.ts).
 */
export function rendererLocation(mainDir: string, env = process.env): { url: string; isAppUrl(url: string): boolean; rendererDir?: string } {
  const dev = env.ELECTRON_RENDERER_URL;
  if (dev && !app.isPackaged) {
    const origin = new URL(dev).origin;
    return { url: dev, isAppUrl: (url) => url.startsWith(origin + '/') };
  }
  return { url: APP_INDEX_URL, isAppUrl: (url) => url.split(/[?#]/)[0] === APP_INDEX_URL, rendererDir: path.join(mainDir, '../renderer') };
}

/** Kept here for existing importers; the limiter lives with the notifier in tray.ts. */
export { createRateLimiter } from './tray';

/**
 * The thin Electron shell: single instance, one hardened window, IPC into the backend, the tray
 * and native notifications. Everything else lives in the plain-Node backend.
 */
export async function startElectronApp(mainDir: string): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  // Declared before it exists: `show` (second-instance) and the IPC sender check may run first.
  // eslint-disable-next-line prefer-const
  let window: BrowserWindow | undefined;
  let backend: Backend | undefined;
  let quitting = false;

  const show = () => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };
  app.on('second-instance', show);

  registerAppScheme(protocol);
  await app.whenReady();
  hardenSession();
  const dataDir = dataDirFromArgv(process.argv) ?? app.getPath('userData');
  let secretCipher;
  let keychain: KeychainState;
  try {
    ({ cipher: secretCipher, keychain } = safeStorageCipher(dataDir));
  } catch (error) {
    // The backend falls back to its own key-file cipher (or reports the secret store unavailable).
    secretCipher = undefined;
    keychain = { available: false, detail: (error as Error).message };
  }
  // The window opens while the backend opens its stores: the page loads its code meanwhile, and
  // its first commands (the cached inventory) wait for the backend instead of the other way round.
  // Hosts are contacted once the page has its cached inventory (FirstPaintGate).
  const gate = new FirstPaintGate();
  // The last session's inventory answers the window's first snapshot request while the backend
  // starts, marked cached until the backend confirms it (the same path as browser mode).
  const early = takeStartSnapshot(dataDir, APP_VERSION);
  const starting = createBackend({
    dataDir,
    runtime: 'electron',
    settingsPersistence: new ElectronStorePersistence(dataDir),
    secretCipher,
    keychain,
    hostContact: gate.hostContact,
    lastResortHandlers: true,
  });
  const log = { warn: (message: string, fields?: Record<string, unknown>) => void starting.then((b) => b.log.warn(message, fields), () => undefined) };
  const renderer = rendererLocation(mainDir);
  const connection = withEarlyInventory(gate.connect(starting), starting, early);
  // The page carries the last session's first screen while those rows are what the backend would answer.
  if (renderer.rendererDir) serveRendererBundle(protocol, renderer.rendererDir, connection.firstScreen);
  registerIpc(ipcMain, { ...connection, log }, () => window, renderer.isAppUrl);
  window = createMainWindow(path.join(mainDir, '../preload/index.cjs'), renderer.url, renderer.isAppUrl);
  window.on('close', (event) => {
    // Closing the window keeps watching hosts from the tray; Quit in the tray menu ends the app.
    if (!quitting) {
      event.preventDefault();
      window?.hide();
    }
  });
  backend = await starting;
  await importDemoHosts(backend, process.env);

  const quit = () => {
    quitting = true;
    app.quit();
  };
  const tray = new FleetTray({ show, quit });
  tray.update(backend.services.hosts.list());
  // The inventory reports sync failures on its own topic; both change what the tray shows.
  backend.subscribe((event) => {
    if (backend && (event.topic === 'hosts' || event.topic === 'inventory')) tray.update(backend.services.hosts.list());
  });
  const native = new NativeNotifier();
  backend.services.notifications.onNotify((n, isNew) => native.handle(n, isNew));

  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', (event) => {
    if (!backend) return;
    event.preventDefault();
    const closing = backend;
    backend = undefined;
    tray.destroy();
    void closing.close().finally(() => app.exit(0));
  });
}
