import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { ErrorCode, type Result, type StateEvent } from '../../shared/contract';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../shared/ipc';
import type { BackendConnection } from '../backend-connection';
import type { Logger } from '../log';
import { EventBatcher } from '../events/event-batcher';
import { PreSerialized } from '../transport/early-inventory';

/**
 * A request is trusted only if it comes from the main frame of our own window showing our own
 * bundle; anything else (another window, a sub-frame, a navigated page) is refused.
 */
export function isTrustedSender(event: IpcMainInvokeEvent, window: BrowserWindow | undefined, isAppUrl: (url: string) => boolean): boolean {
  if (!window || window.isDestroyed()) return false;
  const frame = event.senderFrame;
  return Boolean(frame) && event.sender === window.webContents && frame === window.webContents.mainFrame && isAppUrl(frame!.url);
}

/**
 * `backend` may still be starting (whenStarted): the window loads meanwhile and its first commands
 * wait for it. `log` is where refusals and dropped batches are written.
 */
export function registerIpc(
  ipcMain: IpcMain,
  backend: BackendConnection & { log: Pick<Logger, 'warn'> },
  getWindow: () => BrowserWindow | undefined,
  isAppUrl: (url: string) => boolean,
): () => void {
  // State events cross to the page as arrays, one IPC message per batch (see EventBatcher); the
  // preload hands them to its listeners one by one. A failed send drops that batch only: the page
  // sees the revision gap and fetches a snapshot.
  const events = new EventBatcher<StateEvent>(
    (batch) => {
      const window = getWindow();
      if (window && !window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, batch);
    },
    { onError: (error) => backend.log.warn('could not forward state events to the window', { error: String(error) }) },
  );
  ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, command: unknown, request: unknown): Promise<Result<unknown>> => {
    if (!isTrustedSender(event, getWindow(), isAppUrl)) {
      backend.log.warn('refused IPC from an untrusted sender', { url: event.senderFrame?.url ?? 'unknown' });
      return { ok: false, error: { code: ErrorCode.Forbidden, message: 'This request did not come from the Aether-V window and was refused.' } };
    }
    // The backend validates the command name and the request against the contract schemas.
    const result = await backend.invoke(typeof command === 'string' ? command : '', request);
    events.flush(); // events the command caused reach the page before its result
    // The early inventory snapshot is JSON text (spliced as is over the WebSocket); IPC clones objects.
    if (result.ok && result.data instanceof PreSerialized) {
      const data = JSON.parse(result.data.json) as unknown;
      result.data.onSent?.(); // IPC copies the answer as it returns: nothing left to write out
      return { ok: true, data };
    }
    return result;
  });
  const unsubscribe = backend.subscribe((stateEvent) => events.push(stateEvent));
  return () => {
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
    unsubscribe();
    events.close();
  };
}
