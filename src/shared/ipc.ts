import type { CommandName, RequestOf, ResponseOf, Result, StateEvent } from './contract';

/** Electron IPC channel names; the preload and the main-side handler share them. */
export const IPC_INVOKE_CHANNEL = 'aetherv:invoke';
export const IPC_EVENT_CHANNEL = 'aetherv:event';

/** What the preload exposes as `window.aetherv`: exactly the contract, nothing generic. */
export interface PreloadApi {
  commands: { [C in CommandName]: (request: RequestOf<C>) => Promise<Result<ResponseOf<C>>> };
  onEvent(listener: (event: StateEvent) => void): () => void;
}
