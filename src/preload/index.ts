// The only bridge between the sandboxed renderer and the main process: one function per contract
// command and an event subscription. No generic ipcRenderer is ever exposed.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { commandNames } from '../shared/contract/commands';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type PreloadApi } from '../shared/ipc';

const commands = Object.fromEntries(
  commandNames.map((name) => [name, (request: unknown) => ipcRenderer.invoke(IPC_INVOKE_CHANNEL, name, request)]),
);

const api: PreloadApi = {
  commands: Object.freeze(commands) as PreloadApi['commands'],
  onEvent(listener) {
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload as Parameters<typeof listener>[0]);
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, wrapped);
  },
};

contextBridge.exposeInMainWorld('aetherv', Object.freeze(api));
