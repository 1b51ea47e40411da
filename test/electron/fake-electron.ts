import { EventEmitter } from 'node:events';

/** A minimal stand-in for the parts of `electron` the shell uses, recording what it was asked. */
export function createFakeElectron() {
  const exposed: Record<string, unknown> = {};
  const invokeCalls: unknown[][] = [];
  const handlers = new Map<string, (...args: unknown[]) => unknown>();
  let permissionHandler: ((c: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined;
  let headersHandler: ((details: { responseHeaders: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void) | undefined;
  const createdWindows: FakeBrowserWindow[] = [];
  /** protocol.handle handlers by scheme, and the schemes registered as privileged (with when). */
  const protocolHandlers = new Map<string, (request: Request) => Promise<Response>>();
  const privilegedSchemes: Array<{ scheme: string; privileges: Record<string, boolean>; beforeReady: boolean }> = [];

  class FakeWebContents extends EventEmitter {
    mainFrame = { url: '' };
    sent: unknown[][] = [];
    windowOpenHandler: (() => { action: string }) | undefined;
    setWindowOpenHandler(handler: () => { action: string }) {
      this.windowOpenHandler = handler;
    }
    send(...args: unknown[]) {
      this.sent.push(args);
    }
  }
  class FakeBrowserWindow extends EventEmitter {
    webContents = new FakeWebContents();
    destroyed = false;
    loaded: string | undefined;
    constructor(readonly options: Record<string, unknown>) {
      super();
      createdWindows.push(this);
    }
    isDestroyed() {
      return this.destroyed;
    }
    async loadURL(url: string) {
      this.loaded = url;
      this.webContents.mainFrame.url = url;
    }
    show() {}
  }

  const app = Object.assign(new EventEmitter(), {
    isPackaged: true,
    lockGranted: true,
    quitCalled: false,
    requestSingleInstanceLock() {
      return this.lockGranted;
    },
    quit() {
      this.quitCalled = true;
    },
    ready: false,
    whenReady() {
      this.ready = true;
      return Promise.resolve();
    },
    getPath: () => '/tmp',
  });

  const module = {
    app,
    BrowserWindow: FakeBrowserWindow,
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
    ipcRenderer: {
      invoke: (...args: unknown[]) => {
        invokeCalls.push(args);
        return Promise.resolve({ ok: true, data: null });
      },
      on: () => undefined,
      removeListener: () => undefined,
    },
    ipcMain: {
      handle: (channel: string, fn: (...args: unknown[]) => unknown) => handlers.set(channel, fn),
      removeHandler: (channel: string) => handlers.delete(channel),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: typeof permissionHandler) => (permissionHandler = h),
        setPermissionCheckHandler: () => undefined,
        webRequest: { onHeadersReceived: (h: typeof headersHandler) => (headersHandler = h) },
      },
    },
    nativeImage: { createFromDataURL: (url: string) => ({ url }) },
    Menu: { buildFromTemplate: (t: unknown) => ({ template: t }) },
    Tray: class {
      image: unknown;
      menu: unknown;
      tooltip = '';
      constructor(image: unknown) {
        this.image = image;
      }
      setImage(i: unknown) {
        this.image = i;
      }
      setToolTip(t: string) {
        this.tooltip = t;
      }
      setContextMenu(m: unknown) {
        this.menu = m;
      }
      on() {}
      destroy() {}
    },
    Notification: Object.assign(class {}, { isSupported: () => true }),
    protocol: {
      registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges: Record<string, boolean> }>) {
        // Electron throws when this runs after 'ready'; record it so tests can assert the order.
        for (const s of schemes) privilegedSchemes.push({ ...s, beforeReady: !app.ready });
      },
      handle(scheme: string, handler: (request: Request) => Promise<Response>) {
        if (protocolHandlers.has(scheme)) throw new Error(`${scheme} is already handled`);
        protocolHandlers.set(scheme, handler);
      },
    },
    /** `storageBackend`: what getSelectedStorageBackend answers on Linux (basic_text, gnome_libsecret, kwallet5…). */
    safeStorage: {
      encryptionAvailable: false,
      storageBackend: 'unknown',
      isEncryptionAvailable() {
        return this.encryptionAvailable;
      },
      getSelectedStorageBackend() {
        return this.storageBackend;
      },
      // A reversible stand-in, marked so tests can tell which cipher sealed a value.
      encryptString: (plain: string) => Buffer.from(`v10${plain}`, 'utf8'),
      decryptString: (sealed: Buffer) => {
        const text = sealed.toString('utf8');
        if (!text.startsWith('v10')) throw new Error('not sealed by safeStorage');
        return text.slice(3);
      },
    },
  };
  return {
    module,
    exposed,
    invokeCalls,
    handlers,
    createdWindows,
    protocolHandlers,
    privilegedSchemes,
    permission: () => permissionHandler!,
    headers: () => headersHandler!,
    FakeBrowserWindow,
  };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
