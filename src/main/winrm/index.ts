// Public surface of the WinRM client: WinrmClient (exec, powershell, identify) over a WsmanTransport,
// plus the typed errors callers switch on and the helpers for structured PowerShell output.
export { WinrmClient } from './client';
export type { ExecOptions, PowerShellOptions, PowerShellResult, WinrmHostOptions, WithTransportOptions } from './client';
export type { CommandResult, HostWait } from './winrs';
export { WinrmClientClosed } from './winrs';
export type { WsmanResponse, WsmanTransport } from './transport';
export { parseLastJsonLine, decodeClixmlDocument, PowerShellStderrDecoder, unescapeClixml, OutputLines, MAX_OUTPUT_LINE_BYTES } from './powershell';
export type { OutputLinesOptions } from './powershell';
export { MAX_COMMAND_OUTPUT_BYTES } from './winrs';
export { MAX_BODY_BYTES as MAX_RESPONSE_BODY_BYTES } from './http/http1';
export type { ClixmlRecord, ClixmlStream } from './powershell';
export type { IdentifyResult } from './soap';
export { identifyAnonymously, type AnonymousIdentifyOptions } from './http/anonymous-identify';
export {
  AuthFailed,
  Cancelled,
  HostUnreachable,
  NtlmDowngradeRefused,
  InsecureConfig,
  LimitExceeded,
  ProtocolError,
  TlsFailed,
  WinrmError,
  WinrmFault,
  WinrmTimeout,
  isWinrmError,
  type WinrmErrorCode,
} from './errors';
