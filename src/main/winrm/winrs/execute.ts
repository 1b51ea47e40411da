/**
 * One command end to end on a pooled shell. A reused shell may have expired on the server (idle
 * timeout, profile unloaded); the first request then faults, so the shell is replaced once and the
 * command retried. Faults after the command started are never retried: it may have run.
 */
import { driveCommand, startCommand, type CommandIo, type CommandResult } from './command';
import type { CommandOptions } from './messages';
import type { WsmanRpc } from './rpc';
import { isShellGone, type ShellPool } from './shell-pool';

export interface ExecuteRequest extends CommandIo, CommandOptions {
  command: string;
  args?: readonly string[];
}

export async function executeCommand(rpc: WsmanRpc, pool: ShellPool, request: ExecuteRequest): Promise<CommandResult> {
  const args = request.args ?? [];
  const startOptions: CommandOptions & { signal?: AbortSignal } = {};
  if (request.skipCmdShell !== undefined) startOptions.skipCmdShell = request.skipCmdShell;
  if (request.consoleModeStdin !== undefined) startOptions.consoleModeStdin = request.consoleModeStdin;
  if (request.signal) startOptions.signal = request.signal;

  let lease = await pool.acquire(request.signal);
  try {
    let commandId: string;
    try {
      commandId = await startCommand(rpc, lease.shellId, request.command, args, startOptions);
    } catch (error) {
      if (!lease.reused || !isShellGone(error)) throw error;
      lease = await pool.replace(lease, request.signal);
      commandId = await startCommand(rpc, lease.shellId, request.command, args, startOptions);
    }
    return await driveCommand(rpc, lease.shellId, commandId, request);
  } finally {
    await pool.release(lease);
  }
}
