/**
 * Builds the powershell.exe invocation for a script. Short scripts travel as -EncodedCommand
 * (base64 UTF-16LE, no quoting problems); scripts that would push the command line past cmd.exe's
 * 8,191-character limit travel on stdin behind a small encoded bootstrap, so length never fails.
 */
export const POWERSHELL_EXE = 'powershell.exe';
export const BASE_ARGS = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass'] as const;
/** cmd.exe's limit on one command line; WinRS runs ours as "cmd.exe /c <line>". */
export const CMD_LINE_LIMIT = 8191;
const CMD_PREFIX = 'cmd.exe /c ';
export const SCRIPT_PREAMBLE = "$ProgressPreference='SilentlyContinue'\n";

/**
 * Reads one base64 line from stdin, decodes it as the UTF-8 script and runs it; whatever stdin
 * follows that line stays readable by the script through [Console]::In.
 */
const STDIN_BOOTSTRAP =
  "$ProgressPreference='SilentlyContinue';" +
  '$aetherScript=[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String([Console]::In.ReadLine()));' +
  '. ([scriptblock]::Create($aetherScript))';

export interface PowerShellInvocation {
  command: string;
  args: string[];
  /** Bytes to send on stdin (undefined = none). */
  stdin?: Uint8Array;
  via: 'encoded-command' | 'stdin';
}

export function encodePowerShell(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}

export function commandLineLength(command: string, args: readonly string[]): number {
  return CMD_PREFIX.length + [command, ...args].join(' ').length;
}

export function buildPowerShellInvocation(script: string, stdin?: string | Uint8Array): PowerShellInvocation {
  const full = SCRIPT_PREAMBLE + script;
  const args = [...BASE_ARGS, '-EncodedCommand', encodePowerShell(full)];
  const userStdin = stdin === undefined ? undefined : typeof stdin === 'string' ? new TextEncoder().encode(stdin) : stdin;
  if (commandLineLength(POWERSHELL_EXE, args) <= CMD_LINE_LIMIT) {
    const invocation: PowerShellInvocation = { command: POWERSHELL_EXE, args, via: 'encoded-command' };
    if (userStdin !== undefined) invocation.stdin = userStdin;
    return invocation;
  }
  const header = new TextEncoder().encode(Buffer.from(full, 'utf8').toString('base64') + '\n');
  const body = userStdin ?? new Uint8Array(0);
  const payload = new Uint8Array(header.byteLength + body.byteLength);
  payload.set(header, 0);
  payload.set(body, header.byteLength);
  return {
    command: POWERSHELL_EXE,
    args: [...BASE_ARGS, '-EncodedCommand', encodePowerShell(STDIN_BOOTSTRAP)],
    stdin: payload,
    via: 'stdin',
  };
}
