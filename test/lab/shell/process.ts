/**
 * One running WinRS command: buffered stdout/stderr bytes waiting for Receive, stdin fed by Send,
 * an exit code once done, and an AbortSignal that Signal(ctrl_c/terminate) fires. Programs (cmd,
 * powershell, agent handlers) write text; the shell's code page turns it into bytes here.
 */
import { encodeForCodepage } from './codepage';

export type StreamName = 'stdout' | 'stderr';

export interface OutputChunk {
  stream: StreamName;
  data: Buffer;
}

/** Exit code Windows reports for a process stopped by Ctrl+C (STATUS_CONTROL_C_EXIT). */
export const CTRL_C_EXIT_CODE = -1073741510;

export class SimProcess {
  readonly abortController = new AbortController();
  private readonly chunks: OutputChunk[] = [];
  private readonly listeners = new Set<() => void>();
  private stdinBuffer = Buffer.alloc(0);
  private stdinEnded = false;
  private code: number | undefined;
  private resolveFinished: (code: number) => void = () => undefined;
  /** Resolves with the exit code when the command ends (normally or killed). */
  readonly finished = new Promise<number>((resolve) => {
    this.resolveFinished = resolve;
  });

  constructor(
    readonly commandId: string,
    readonly codepage: number,
  ) {}

  get signal(): AbortSignal {
    return this.abortController.signal;
  }

  get exitCode(): number | undefined {
    return this.code;
  }

  get done(): boolean {
    return this.code !== undefined;
  }

  write(stream: StreamName, text: string): void {
    this.writeBytes(stream, encodeForCodepage(text, this.codepage));
  }

  /** Bytes a real program wrote, passed through unchanged (they are already in the shell's code page). */
  writeBytes(stream: StreamName, data: Buffer): void {
    if (this.done || data.length === 0) return;
    this.chunks.push({ stream, data });
    this.notify();
  }

  finish(exitCode: number): void {
    if (this.done) return;
    this.code = exitCode;
    this.resolveFinished(exitCode);
    this.notify();
  }

  /** Stops the program: its sleeps and stdin reads reject, and it ends with `exitCode`. */
  kill(exitCode: number): void {
    this.abortController.abort(new Error('command was signalled'));
    this.finish(exitCode);
  }

  hasPendingOutput(): boolean {
    return this.chunks.length > 0;
  }

  /**
   * Takes up to `maxBytes` of buffered output, splitting a chunk when needed (a multi-byte UTF-8
   * character may straddle two Receive responses, as on Windows; clients must decode per stream).
   */
  takeOutput(maxBytes: number): OutputChunk[] {
    const taken: OutputChunk[] = [];
    let budget = maxBytes;
    while (this.chunks.length > 0 && budget > 0) {
      const head = this.chunks[0];
      if (head.data.length <= budget) {
        taken.push(head);
        budget -= head.data.length;
        this.chunks.shift();
      } else {
        taken.push({ stream: head.stream, data: head.data.subarray(0, budget) });
        head.data = head.data.subarray(budget);
        budget = 0;
      }
    }
    return taken;
  }

  /** Resolves when output arrives or the command ends, or after `timeoutMs` (false then). */
  waitForActivity(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.hasPendingOutput() || this.done) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (result: boolean): void => {
        clearTimeout(timer);
        this.listeners.delete(onActivity);
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const onActivity = (): void => finish(true);
      const onAbort = (): void => finish(false);
      const timer = setTimeout(() => finish(false), Math.max(0, timeoutMs));
      this.listeners.add(onActivity);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Waits until the command ends or `ms` pass. */
  async waitForDoneOrTimeout(ms: number): Promise<void> {
    if (this.done) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  feedStdin(data: Buffer, end: boolean): void {
    if (data.length > 0) this.stdinBuffer = Buffer.concat([this.stdinBuffer, data]);
    if (end) this.stdinEnded = true;
    this.notify();
  }

  /** Reads stdin to EOF (the client must Send with End="true"). Rejects when the command is killed. */
  async readStdinToEnd(): Promise<string> {
    while (!this.stdinEnded) await this.waitForStdin();
    const text = this.stdinBuffer.toString('utf8');
    this.stdinBuffer = Buffer.alloc(0);
    return text.replace(/^\uFEFF/, '');
  }

  /**
   * Whatever stdin has arrived (waiting until something does), or null once the client ended it
   * and all was taken (or the command ended): how a real process's stdin pipe is fed. Rejects when the command is killed.
   */
  async takeStdin(): Promise<Buffer | null> {
    while (this.stdinBuffer.length === 0 && !this.stdinEnded && !this.done) await this.waitForStdin();
    if (this.stdinBuffer.length === 0) return null;
    const data = this.stdinBuffer;
    this.stdinBuffer = Buffer.alloc(0);
    return data;
  }

  /** Next complete line of stdin (without its newline), the unterminated rest at EOF, or null after EOF. */
  async readStdinLine(): Promise<string | null> {
    for (;;) {
      const newline = this.stdinBuffer.indexOf(0x0a);
      if (newline >= 0) {
        const line = this.stdinBuffer.subarray(0, newline).toString('utf8');
        this.stdinBuffer = this.stdinBuffer.subarray(newline + 1);
        return line.replace(/\r$/, '');
      }
      if (this.stdinEnded) {
        if (this.stdinBuffer.length === 0) return null;
        const rest = this.stdinBuffer.toString('utf8');
        this.stdinBuffer = Buffer.alloc(0);
        return rest;
      }
      await this.waitForStdin();
    }
  }

  private waitForStdin(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.signal.aborted) return reject(this.signal.reason);
      const cleanup = (): void => {
        this.listeners.delete(onData);
        this.signal.removeEventListener('abort', onAbort);
      };
      const onData = (): void => {
        cleanup();
        resolve();
      };
      const onAbort = (): void => {
        cleanup();
        reject(this.signal.reason);
      };
      this.listeners.add(onData);
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Sleeps unless the signal fires first (then rejects, like a killed process). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
