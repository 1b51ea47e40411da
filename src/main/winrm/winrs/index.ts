// WinRS (Windows Remote Shell over WS-Man): cmd shells kept open and reused, commands with streamed
// UTF-8 stdout/stderr, stdin, exit codes, cancellation and recovery from expired shells.
export { WsmanRpc, shortAction, type CallOptions } from './rpc';
export {
  commandSpec,
  createShellSpec,
  deleteShellSpec,
  readCommandId,
  readReceive,
  readShellId,
  receiveSpec,
  sendSpec,
  signalSpec,
  type CommandOptions,
  type ReceiveChunk,
  type ReceiveResult,
  type ShellCreateOptions,
} from './messages';
export {
  cancelCommand,
  driveCommand,
  sendStdin,
  signalCommand,
  startCommand,
  STDIN_CHUNK_BYTES,
  MAX_COMMAND_OUTPUT_BYTES,
  type CommandIo,
  type CommandResult,
  type HostWait,
} from './command';
export { ShellPool, WinrmClientClosed, isShellGone, isShellQuota, type ShellLease, type ShellPoolOptions } from './shell-pool';
export { executeCommand, type ExecuteRequest } from './execute';
export { Utf8Stream } from './utf8-stream';
