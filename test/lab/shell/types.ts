/**
 * What a simulated program may know about the host it runs on, and the contract for agent script
 * handlers (TypeScript stand-ins for the .ps1 files the app deploys).
 */
import type { VirtualFileSystem } from '../files';
import type { SimHost } from '../host';

export interface ScriptHandlerContext {
  host: SimHost;
  /** Text piped into the script (`$input | & '…ps1'`, `[Console]::In.ReadToEnd() | & …`), else ''. */
  stdin: string;
  /** Reads the process's own stdin to EOF (what `[Console]::In.ReadToEnd()` in the script does). */
  readStdin(): Promise<string>;
  /** Arguments after the script path, quotes removed (e.g. ['-ComputerName', 'hv01']). */
  args: string[];
  /** Fires when the client signals ctrl_c/terminate; long handlers should stop. */
  signal: AbortSignal;
  stdout(text: string): void;
  /** Raw bytes to stderr (no CLIXML). */
  stderr(text: string): void;
  /** A PowerShell error record (CLIXML on stderr), as Write-Error in the script would produce. */
  writeError(message: string): void;
  /** Sleeps `ms` × the host's slowFactor; rejects when the command is cancelled. */
  sleep(ms: number): Promise<void>;
}

/**
 * Returns the script's `exit N` (it sets $LASTEXITCODE); undefined = the script ended without
 * `exit` ($LASTEXITCODE unchanged, as in PowerShell). Throwing = a terminating error: the rest of
 * the command does not run and powershell.exe exits 1.
 */
export type ScriptHandler = (context: ScriptHandlerContext) => number | void | Promise<number | void>;

export interface ShellEnvironment {
  host: SimHost;
  computerName: string;
  userName: string;
  files: VirtualFileSystem;
  findScriptHandler(fileName: string): ScriptHandler | undefined;
  /** Multiplier applied to every simulated delay (Start-Sleep, handler sleeps). */
  slowFactor(): number;
}
