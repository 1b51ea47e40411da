import type { CommandName, RequestOf, ResponseOf, Result, StateEvent } from '../../shared/contract';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The renderer's only way to the backend; Electron IPC or a WebSocket behind it. */
export interface Backend {
  readonly kind: 'electron' | 'browser';
  invoke<C extends CommandName>(command: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  onEvent(listener: (event: StateEvent) => void): () => void;
  /** Fires on every connection change; Electron is always 'open'. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
}
