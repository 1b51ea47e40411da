/**
 * Runs one command in an open shell: Command, optional stdin via Send (End on the last chunk),
 * the Receive loop until CommandState Done (TimedOut faults are normal and retried), then Signal
 * terminate. Cancellation sends ctrl_c, then terminate, and rejects with Cancelled.
 */
import { Cancelled, LimitExceeded, WinrmError, WinrmFault } from '../errors';
import { SIGNAL, WSMAN_CODE } from '../soap';
import { commandSpec, readCommandId, readReceive, receiveSpec, sendSpec, signalSpec, type CommandOptions } from './messages';
import type { WsmanRpc } from './rpc';
import { Utf8Stream } from './utf8-stream';

export interface CommandIo {
  stdin?: string | Uint8Array;
  signal?: AbortSignal;
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
  /**
   * When given, the closing Signal terminate is not awaited: its promise (which never rejects) is
   * handed here and the result returns after the last Receive. The output is complete by then, so
   * the caller saves a round trip per command; the client awaits these on close().
   */
  deferCleanup?: (cleanup: Promise<void>) => void;
  /** Cap on the command's stdout + stderr bytes (default MAX_COMMAND_OUTPUT_BYTES); tests lower it. */
  maxOutputBytes?: number;
  /** Told around each Receive, while only the host works: the caller may lend its slot meanwhile. */
  hostWait?: HostWait;
}

/**
 * Hooks around the waits on the host (each Receive long-polls until output or OperationTimeout).
 * The scheduler's LaneSlot fits: `park` gives the workstation-side slot away, `resume` waits for
 * one before the reply is used. Thousands of hosts running 2 s commands then overlap, while the
 * work done here stays bounded.
 */
export interface HostWait {
  park(): void;
  resume(): Promise<void>;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * The most output (stdout + stderr bytes together) one command may send before we stop it. The
 * whole output is kept in memory for the caller, so a host that floods (a runaway loop, a
 * hostile host) must not grow it without bound. The largest legitimate output is an inventory
 * of a large host, a few MB; 32 MiB is ten times that and still small next to the app's memory.
 */
export const MAX_COMMAND_OUTPUT_BYTES = 32 * 1024 * 1024;

/** Raw stdin bytes per Send; base64 makes it 4/3 larger, staying well under MaxEnvelopeSize 150 KB. */
export const STDIN_CHUNK_BYTES = 96 * 1024;
/** Signals sent during cancellation must not wait a full operation timeout. */
const CLEANUP_TIMEOUT_MS = 15_000;

export async function startCommand(
  rpc: WsmanRpc,
  shellId: string,
  command: string,
  args: readonly string[],
  options: CommandOptions & { signal?: AbortSignal } = {},
): Promise<string> {
  const body = await rpc.call(commandSpec(shellId, command, args, options), options.signal ? { signal: options.signal } : {});
  return readCommandId(body);
}

export async function sendStdin(rpc: WsmanRpc, shellId: string, commandId: string, data: Uint8Array, signal?: AbortSignal): Promise<void> {
  let offset = 0;
  do {
    const chunk = data.subarray(offset, offset + STDIN_CHUNK_BYTES);
    offset += chunk.byteLength;
    await rpc.call(sendSpec(shellId, commandId, chunk, offset >= data.byteLength), signal ? { signal } : {});
  } while (offset < data.byteLength);
}

export async function signalCommand(rpc: WsmanRpc, shellId: string, commandId: string, code: string, timeoutMs?: number): Promise<void> {
  await rpc.call(signalSpec(shellId, commandId, code), timeoutMs !== undefined ? { timeoutMs } : {});
}

/** Drives a started command to completion. */
export async function driveCommand(rpc: WsmanRpc, shellId: string, commandId: string, io: CommandIo): Promise<CommandResult> {
  const stdoutDecoder = new Utf8Stream();
  const stderrDecoder = new Utf8Stream();
  const maxOutputBytes = io.maxOutputBytes ?? MAX_COMMAND_OUTPUT_BYTES;
  let outputBytes = 0;
  let stdout = '';
  let stderr = '';
  // Set when we end the command ourselves (output cap, a callback that threw): the remote
  // process must be stopped too, or it keeps running with nobody reading it.
  let stopRemote = false;
  const emit = (stream: 'stdout' | 'stderr', text: string): void => {
    if (text === '') return;
    try {
      if (stream === 'stdout') {
        stdout += text;
        io.onStdout?.(text);
      } else {
        stderr += text;
        io.onStderr?.(text);
      }
    } catch (error) {
      stopRemote = true;
      throw error;
    }
  };
  try {
    if (io.stdin !== undefined) {
      const bytes = typeof io.stdin === 'string' ? new TextEncoder().encode(io.stdin) : io.stdin;
      await sendStdin(rpc, shellId, commandId, bytes, io.signal);
    }
    let exitCode: number | undefined;
    for (;;) {
      let result;
      const wait = io.hostWait;
      // The slot is taken again as soon as the reply is in, before it is parsed (a burst of
      // replies is then parsed a lane's worth at a time), or after a failed call; once either way.
      let resumed: Promise<void> | undefined;
      const resume = (): Promise<void> => (resumed ??= wait ? wait.resume() : Promise.resolve());
      wait?.park();
      try {
        result = await rpc.call(receiveSpec(shellId, commandId), { ...(io.signal ? { signal: io.signal } : {}), ...(wait ? { beforeParse: resume } : {}) });
      } catch (error) {
        if (error instanceof WinrmFault && error.wsmanCode === WSMAN_CODE.operationTimedOut) continue;
        throw error;
      } finally {
        await resume();
      }
      const receive = readReceive(result, commandId);
      for (const chunk of receive.chunks) outputBytes += chunk.bytes.byteLength;
      if (outputBytes > maxOutputBytes) {
        stopRemote = true;
        throw new LimitExceeded(
          rpc.host,
          'the output of one command (stdout + stderr)',
          maxOutputBytes,
          'bytes',
          'the command was stopped on the host. A command that legitimately writes this much should write to a file on the host instead',
        );
      }
      // One callback per stream per Receive: Windows splits output into many small Stream elements.
      let outText = '';
      let errText = '';
      for (const chunk of receive.chunks) {
        if (chunk.stream === 'stdout') outText += stdoutDecoder.push(chunk.bytes);
        else errText += stderrDecoder.push(chunk.bytes);
      }
      emit('stdout', outText);
      emit('stderr', errText);
      if (receive.done) {
        // OMI omits ExitCode; treat that like pywinrm does (unknown) but keep a number for callers.
        exitCode = receive.exitCode ?? -1;
        break;
      }
      if (io.signal?.aborted) throw new Cancelled(rpc.host);
    }
    emit('stdout', stdoutDecoder.end());
    emit('stderr', stderrDecoder.end());
    // Releases the command's server-side resources; a fault here changes nothing for the caller.
    const terminate = signalCommand(rpc, shellId, commandId, SIGNAL.terminate);
    if (io.deferCleanup) io.deferCleanup(terminate.catch(() => undefined));
    else await terminate.catch(ignoreFault);
    return { stdout, stderr, exitCode };
  } catch (error) {
    if (io.signal?.aborted || (error instanceof WinrmError && error.code === 'CANCELLED')) {
      await cancelCommand(rpc, shellId, commandId);
      throw error instanceof Cancelled ? error : new Cancelled(rpc.host);
    }
    if (stopRemote) await cancelCommand(rpc, shellId, commandId);
    throw error;
  }
}

/** ctrl_c lets the remote process stop cleanly; terminate makes sure it is gone. Both best-effort. */
export async function cancelCommand(rpc: WsmanRpc, shellId: string, commandId: string): Promise<void> {
  await signalCommand(rpc, shellId, commandId, SIGNAL.ctrlC, CLEANUP_TIMEOUT_MS).catch(() => undefined);
  await signalCommand(rpc, shellId, commandId, SIGNAL.terminate, CLEANUP_TIMEOUT_MS).catch(() => undefined);
}

function ignoreFault(error: unknown): void {
  if (error instanceof WinrmFault) return;
  throw error;
}
