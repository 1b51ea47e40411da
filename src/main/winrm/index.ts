// Public surface of the WinRM client: WinrmClient (exec, powershell, identify) over a WsmanTransport,
// plus the typed errors callers switch on and the helpers for structured PowerShell output.
export { WinrmClient } from './client';
export type { ExecOptions, PowerShellOptions, PowerShellResult, WinrmHostOptions, WithTransportOptions } from './client';
export type { CommandResult } from './winrs';
export { WinrmClientClosed } from './winrs';
export type { WsmanResponse, WsmanTransport } from './transport';
export { parseLastJsonLine, decodeClixmlDocument, PowerShellStderrDecoder, unescapeClixml } from './powershell';
export type { ClixmlRecord, ClixmlStream } from './powershell';
export type { IdentifyResult } from './soap';
export {
  AuthFailed,
  Cancelled,
  HostUnreachable,
  InsecureConfig,
  ProtocolError,
  TlsFailed,
  WinrmError,
  WinrmFault,
  WinrmTimeout,
  isWinrmError,
  type WinrmErrorCode,
} from './errors';
