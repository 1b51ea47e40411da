import type { PreloadApi } from '../../shared/ipc';
import type { Backend } from './backend';

export function electronBackend(api: PreloadApi): Backend {
  return {
    kind: 'electron',
    invoke: (command, request) => api.commands[command](request),
    onEvent: (listener) => api.onEvent(listener),
    onConnection: (listener) => {
      listener('open');
      return () => undefined;
    },
  };
}
