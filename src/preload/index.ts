// The only bridge between the sandboxed renderer and the main process: one function per contract
// command and an event subscription. No generic ipcRenderer is ever exposed.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { StateEvent } from '../shared/contract';
import { COMMAND_NAMES } from '../shared/contract/command-names';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type PreloadApi } from '../shared/ipc';

const commands = Object.fromEntries(
  COMMAND_NAMES.map((name) => [name, (request: unknown) => ipcRenderer.invoke(IPC_INVOKE_CHANNEL, name, request)]),
);

const api: PreloadApi = {
  commands: Object.freeze(commands) as PreloadApi['commands'],
  onEvent(listener) {
    // The main process sends events in batches (one IPC message per frame under load); listeners
    // still get them one at a time, in order.
    const wrapped = (_event: IpcRendererEvent, batch: unknown) => {
      for (const stateEvent of batch as StateEvent[]) listener(stateEvent);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, wrapped);
  },
};

contextBridge.exposeInMainWorld('aetherv', Object.freeze(api));
