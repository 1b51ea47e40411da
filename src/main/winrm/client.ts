/**
 * The WinRM client the rest of the app uses: one per host. It keeps cmd shells open between
 * commands (a warm command costs Command + Receive + Signal), runs command lines and PowerShell
 * scripts, and closes everything on close().
 */
import { Cancelled, ProtocolError } from './errors';
import { HttpWsmanTransport, type HttpWsmanTransportOptions } from './http/transport';
import { PowerShellStderrDecoder, buildPowerShellInvocation } from './powershell';
import { identifyEnvelope, readIdentify, readResponse, type IdentifyResult } from './soap';
import type { WsmanTransport } from './transport';
import { ShellPool, WinrmClientClosed, WsmanRpc, executeCommand, type CommandResult, type HostWait } from './winrs';

/** The wire options (endpoint, auth, TLS, timeouts, pool size) plus the WS-Man operation timeout. */
export interface WinrmHostOptions extends HttpWsmanTransportOptions {
  /** WS-Man OperationTimeout in seconds (1–60, default 20): how long one Receive may wait for output. */
  operationTimeoutS?: number;
}

export interface ExecOptions {
  stdin?: string | Uint8Array;
  signal?: AbortSignal;
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
  /** Cap on stdout + stderr bytes (default MAX_COMMAND_OUTPUT_BYTES): past it the command is stopped. */
  maxOutputBytes?: number;
  /** Told around each wait on the host (see HostWait). */
  hostWait?: HostWait;
}

export interface PowerShellOptions {
  stdin?: string;
  signal?: AbortSignal;
  onStdout?: (text: string) => void;
  /** Called once per PowerShell error record as it arrives. */
  onError?: (message: string) => void;
  /** Readable stderr as it arrives: plain text and decoded CLIXML records (progress dropped). */
  onStderr?: (text: string) => void;
  /** Cap on stdout + stderr bytes (default MAX_COMMAND_OUTPUT_BYTES): past it the command is stopped. */
  maxOutputBytes?: number;
  /** Told around each wait on the host (see HostWait). */
  hostWait?: HostWait;
}

export interface PowerShellResult {
  stdout: string;
  /** One message per error record written by the script. */
  errors: string[];
  /** Readable stderr: plain text plus decoded CLIXML records (progress dropped). */
  stderr: string;
  exitCode: number;
}

export interface WithTransportOptions {
  operationTimeoutS?: number;
  /** Idle shells kept open for reuse (default 2). */
  maxIdleShells?: number;
}

export class WinrmClient {
  private readonly transport: WsmanTransport;
  private readonly rpc: WsmanRpc;
  private readonly pool: ShellPool;
  private closing: Promise<void> | undefined;
  /** Signal-terminate requests still in flight after their command returned (see CommandIo.deferCleanup). */
  private readonly cleanups = new Set<Promise<void>>();
  private readonly deferCleanup = (cleanup: Promise<void>): void => {
    this.cleanups.add(cleanup);
    void cleanup.finally(() => this.cleanups.delete(cleanup));
  };

  constructor(options: WinrmHostOptions);
  constructor(options: WinrmHostOptions | { transport: WsmanTransport; operationTimeoutS?: number; maxIdleShells?: number });
  constructor(options: WinrmHostOptions | { transport: WsmanTransport; operationTimeoutS?: number; maxIdleShells?: number }) {
    if ('transport' in options) {
      this.transport = options.transport;
    } else {
      const { operationTimeoutS: _op, ...httpOptions } = options;
      this.transport = new HttpWsmanTransport(httpOptions);
    }
    this.rpc = new WsmanRpc(this.transport, options.operationTimeoutS);
    this.pool = new ShellPool(this.rpc, 'maxIdleShells' in options && options.maxIdleShells !== undefined ? { maxIdle: options.maxIdleShells } : {});
  }

  /** Builds a client over any transport (tests replay captures through this). */
  static withTransport(transport: WsmanTransport, opts: WithTransportOptions = {}): WinrmClient {
    return new WinrmClient({ transport, ...opts });
  }

  get requestCount(): number {
    return this.transport.requestCount;
  }

  get endpoint(): string {
    return this.transport.endpoint;
  }

  async identify(options: { signal?: AbortSignal } = {}): Promise<IdentifyResult> {
    this.assertOpen();
    if (options.signal?.aborted) throw new Cancelled(this.rpc.host);
    const response = await this.transport.post(identifyEnvelope(), {
      ...(options.signal ? { signal: options.signal } : {}),
      timeoutMs: 30_000,
    });
    const result = readIdentify(readResponse(response, { action: 'Identify', host: this.rpc.host }));
    if (!result.productVendor && !result.protocolVersion) {
      throw new ProtocolError(`${this.rpc.host}: the Identify reply names no product or protocol`);
    }
    return result;
  }

  /** Runs a command line (through cmd.exe /c, like winrs.exe) and collects its output. */
  async exec(command: string, args: string[] = [], options: ExecOptions = {}): Promise<CommandResult> {
    this.assertOpen();
    return executeCommand(this.rpc, this.pool, { command, args, ...options, deferCleanup: this.deferCleanup });
  }

  /**
   * Runs a PowerShell script with powershell.exe. CLIXML on stderr is decoded: error records go to
   * `errors` (and onError as they arrive), progress records are dropped.
   */
  async powershell(script: string, options: PowerShellOptions = {}): Promise<PowerShellResult> {
    this.assertOpen();
    const invocation = buildPowerShellInvocation(script, options.stdin);
    const decoder = new PowerShellStderrDecoder({
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.onStderr ? { onText: options.onStderr } : {}),
    });
    const result = await executeCommand(this.rpc, this.pool, {
      command: invocation.command,
      args: invocation.args,
      ...(invocation.stdin !== undefined ? { stdin: invocation.stdin } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onStdout ? { onStdout: options.onStdout } : {}),
      onStderr: (text) => decoder.push(text),
      ...(options.maxOutputBytes !== undefined ? { maxOutputBytes: options.maxOutputBytes } : {}),
      ...(options.hostWait ? { hostWait: options.hostWait } : {}),
      deferCleanup: this.deferCleanup,
    });
    decoder.end();
    return { stdout: result.stdout, errors: [...decoder.errors], stderr: decoder.text, exitCode: result.exitCode };
  }

  /** Resolves when the clean-up requests of finished commands have been answered. */
  async idle(): Promise<void> {
    while (this.cleanups.size) await Promise.all([...this.cleanups]);
  }

  /** Deletes every open shell and closes the transport's connections. Safe to call twice. */
  async close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.idle();
        await this.pool.close();
      } finally {
        await this.transport.close();
      }
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new WinrmClientClosed();
  }
}
