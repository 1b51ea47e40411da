/**
 * Stable error codes. The renderer and tests match on these; the message is for a person.
 * Add codes, never rename them.
 */
export const ErrorCode = {
  ValidationFailed: 'VALIDATION_FAILED',
  UnknownCommand: 'UNKNOWN_COMMAND',
  NotFound: 'NOT_FOUND',
  Conflict: 'CONFLICT',
  Forbidden: 'FORBIDDEN',
  DiagnosticMode: 'DIAGNOSTIC_MODE',
  Unavailable: 'UNAVAILABLE',
  HostUnreachable: 'HOST_UNREACHABLE',
  AuthFailed: 'AUTH_FAILED',
  TlsFailed: 'TLS_FAILED',
  Timeout: 'TIMEOUT',
  WsmanFault: 'WSMAN_FAULT',
  Cancelled: 'CANCELLED',
  Internal: 'INTERNAL',
  /** The disk holding the data directory is full; what was saved before is intact. */
  DiskFull: 'DISK_FULL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
