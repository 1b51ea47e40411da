import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { ErrorCode, type Result } from '../../shared/contract';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../shared/ipc';
import type { Backend } from '../backend';

/**
 * A request is trusted only if it comes from the main frame of our own window showing our own
 * bundle; anything else (another window, a sub-frame, a navigated page) is refused.
 */
export function isTrustedSender(event: IpcMainInvokeEvent, window: BrowserWindow | undefined, isAppUrl: (url: string) => boolean): boolean {
  if (!window || window.isDestroyed()) return false;
  const frame = event.senderFrame;
  return Boolean(frame) && event.sender === window.webContents && frame === window.webContents.mainFrame && isAppUrl(frame!.url);
}

export function registerIpc(
  ipcMain: IpcMain,
  backend: Backend,
  getWindow: () => BrowserWindow | undefined,
  isAppUrl: (url: string) => boolean,
): () => void {
  ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, command: unknown, request: unknown): Promise<Result<unknown>> => {
    if (!isTrustedSender(event, getWindow(), isAppUrl)) {
      backend.log.warn('refused IPC from an untrusted sender', { url: event.senderFrame?.url ?? 'unknown' });
      return { ok: false, error: { code: ErrorCode.Forbidden, message: 'This request did not come from the Aether-V window and was refused.' } };
    }
    // The backend validates the command name and the request against the contract schemas.
    return backend.invoke(typeof command === 'string' ? command : '', request);
  });
  const unsubscribe = backend.subscribe((stateEvent) => {
    const window = getWindow();
    if (window && !window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, stateEvent);
  });
  return () => {
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
    unsubscribe();
  };
}
