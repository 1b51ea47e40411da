import { BrowserWindow, session, type BrowserWindowConstructorOptions, type WebContents } from 'electron';
import { ELECTRON_CSP } from '../transport/csp';

/** The only window's settings: isolated, sandboxed, no Node in the page. */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Aether-V',
    backgroundColor: '#1b1e24',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/** The page may never navigate away from our bundle nor open windows. */
export function lockNavigation(contents: WebContents, isAppUrl: (url: string) => boolean): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Deny every permission (camera, notifications from the page, …) and enforce the CSP header. */
export function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [ELECTRON_CSP] } });
  });
}

export function createMainWindow(preloadPath: string, rendererUrl: string, isAppUrl: (url: string) => boolean): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(preloadPath));
  lockNavigation(window.webContents, isAppUrl);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(rendererUrl);
  return window;
}
