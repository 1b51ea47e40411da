// The typed contract between the backend and every client (Electron IPC, WebSocket).
// Pure TypeScript: no node or electron imports, so the renderer, preload and main all share it.
export * from './result';
export * from './settings';
export * from './hosts';
export * from './notifications';
export * from './diagnostics';
export * from './inventory';
export * from './jobs';
export * from './commands';
export * from './areas/metrics';
export * from './areas/connect';
export * from './areas/tags';
export * from './events';
