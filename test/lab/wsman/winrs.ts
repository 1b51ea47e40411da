/**
 * The WinRS (cmd shell) resource of one simulated host: Create/Command/Receive/Send/Signal/Delete
 * with Windows' semantics — Receive long-polls until output or OperationTimeout (then w:TimedOut),
 * output is split across responses, faults for unknown ids, shell quotas and long command lines.
 */
import { launch } from '../shell/launch';
import { CTRL_C_EXIT_CODE, type SimProcess } from '../shell/process';
import type { ShellEnvironment } from '../shell/types';
import { FAULTS, faultEnvelope, type FaultSpec } from './faults';
import { ACTION, attrOf, childElements, CMD_RESOURCE_URI, firstChild, NS, responseEnvelope, textContent, textOf, type WsmanRequest } from './soap';

const STATE_DONE = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done';
const STATE_RUNNING = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running';
const SIGNAL_PREFIX = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/';

export interface WsmanReply {
  status: number;
  body: string;
}

export interface RequestContext {
  userName: string;
  clientIp: string;
  /** The listener URL, echoed in CreateResponse's a:Address. */
  endpoint: string;
  /** Fires when the client goes away (a pending Receive stops waiting). */
  signal: AbortSignal;
}

export interface WinrsHooks {
  maxShells(): number;
  hang(): boolean;
  /** Upper bound on output bytes per Receive response (splits long output across responses). */
  receiveChunkBytes(): number;
  commandStarted(): void;
  commandFinished(): void;
}

interface Shell {
  id: string;
  owner: string;
  codepage: number;
  commands: Map<string, SimProcess>;
}

export class WinrsService {
  private readonly shells = new Map<string, Shell>();

  constructor(
    private readonly machine: string,
    private readonly env: ShellEnvironment,
    private readonly hooks: WinrsHooks,
  ) {}

  get openShells(): number {
    return this.shells.size;
  }

  /** Kills every command and forgets every shell (host shutdown). */
  closeAll(): void {
    for (const shell of this.shells.values()) for (const proc of shell.commands.values()) proc.kill(CTRL_C_EXIT_CODE);
    this.shells.clear();
  }

  async handle(request: WsmanRequest, context: RequestContext): Promise<WsmanReply> {
    if (request.resourceUri.toLowerCase() !== CMD_RESOURCE_URI) return this.fault(FAULTS.actionNotSupported(request.action), request);
    switch (request.action) {
      case ACTION.create:
        return this.create(request, context);
      case ACTION.command:
        return this.withShell(request, (shell) => this.command(shell, request));
      case ACTION.receive:
        return this.withShell(request, (shell) => this.receive(shell, request, context));
      case ACTION.send:
        return this.withShell(request, (shell) => this.send(shell, request));
      case ACTION.signal:
        return this.withShell(request, (shell) => this.signal(shell, request));
      case ACTION.delete:
        return this.withShell(request, (shell) => this.delete(shell, request));
      default:
        return this.fault(FAULTS.actionNotSupported(request.action), request);
    }
  }

  fault(spec: FaultSpec, request: Pick<WsmanRequest, 'messageId'>): WsmanReply {
    return { status: 500, body: faultEnvelope(spec, request.messageId, this.machine) };
  }

  private ok(request: WsmanRequest, action: string, body: string): WsmanReply {
    return { status: 200, body: responseEnvelope(action, request.messageId, body) };
  }

  private async withShell(request: WsmanRequest, run: (shell: Shell) => WsmanReply | Promise<WsmanReply>): Promise<WsmanReply> {
    const shell = this.shells.get((request.selectors.get('ShellId') ?? '').toUpperCase());
    if (!shell) return this.fault(FAULTS.unknownShell(), request);
    return run(shell);
  }

  private create(request: WsmanRequest, context: RequestContext): WsmanReply {
    const owned = [...this.shells.values()].filter((s) => s.owner.toLowerCase() === context.userName.toLowerCase()).length;
    if (owned >= this.hooks.maxShells()) return this.fault(FAULTS.quotaShells(this.hooks.maxShells()), request);
    const shellElement = firstChild(request.body, NS.shell, 'Shell');
    const codepage = Number(request.options.get('WINRS_CODEPAGE') ?? '437');
    const id = crypto.randomUUID().toUpperCase();
    this.shells.set(id, { id, owner: context.userName, codepage: Number.isFinite(codepage) ? codepage : 437, commands: new Map() });
    const inputStreams = textOf(firstChild(shellElement, NS.shell, 'InputStreams')) || 'stdin';
    const outputStreams = textOf(firstChild(shellElement, NS.shell, 'OutputStreams')) || 'stdout stderr';
    const body =
      `<x:ResourceCreated><a:Address>${context.endpoint}</a:Address><a:ReferenceParameters><w:ResourceURI>${CMD_RESOURCE_URI}</w:ResourceURI>` +
      `<w:SelectorSet><w:Selector Name="ShellId">${id}</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>` +
      `<rsp:Shell xmlns:rsp="${NS.shell}"><rsp:ShellId>${id}</rsp:ShellId><rsp:ResourceUri>${CMD_RESOURCE_URI}</rsp:ResourceUri>` +
      `<rsp:Owner>${context.userName}</rsp:Owner><rsp:ClientIP>${context.clientIp}</rsp:ClientIP><rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut>` +
      `<rsp:InputStreams>${inputStreams}</rsp:InputStreams><rsp:OutputStreams>${outputStreams}</rsp:OutputStreams>` +
      `<rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime><rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity></rsp:Shell>`;
    return this.ok(request, 'http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse', body);
  }

  private command(shell: Shell, request: WsmanRequest): WsmanReply {
    const commandLine = firstChild(request.body, NS.shell, 'CommandLine');
    if (!commandLine) return this.fault(FAULTS.invalidParameter(), request);
    const command = textContent(firstChild(commandLine, NS.shell, 'Command'));
    const args = childElements(commandLine, NS.shell, 'Arguments').map((a) => textContent(a));
    const commandId = (attrOf(commandLine, 'CommandId') || crypto.randomUUID()).toUpperCase();
    const skipCmdShell = (request.options.get('WINRS_SKIP_CMD_SHELL') ?? 'FALSE').toUpperCase() === 'TRUE';
    const result = launch({ commandId, codepage: shell.codepage, command: command.trim(), args, skipCmdShell, hang: this.hooks.hang() }, this.env);
    if (!result.ok) return this.fault(result.failure === 'file-not-found' ? FAULTS.fileNotFound() : FAULTS.commandLineTooLong(), request);
    shell.commands.set(commandId, result.process);
    this.hooks.commandStarted();
    void result.process.finished.then(() => this.hooks.commandFinished());
    return this.ok(request, 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandResponse', `<rsp:CommandResponse><rsp:CommandId>${commandId}</rsp:CommandId></rsp:CommandResponse>`);
  }

  private async receive(shell: Shell, request: WsmanRequest, context: RequestContext): Promise<WsmanReply> {
    const desired = firstChild(firstChild(request.body, NS.shell, 'Receive'), NS.shell, 'DesiredStream');
    const commandId = (attrOf(desired, 'CommandId') ?? '').toUpperCase();
    if (!commandId) return this.fault(FAULTS.invalidParameter(), request);
    const proc = shell.commands.get(commandId);
    if (!proc) return this.fault(FAULTS.unknownCommand(), request);
    const deadline = Date.now() + request.operationTimeoutMs;
    if (!(await proc.waitForActivity(request.operationTimeoutMs, context.signal))) return this.fault(FAULTS.timedOut(), request);
    // Give a command that is about to end a moment, so short commands complete in one Receive.
    if (!proc.done) await proc.waitForDoneOrTimeout(Math.min(25, Math.max(0, deadline - Date.now())));
    const budget = Math.max(1, Math.min(this.hooks.receiveChunkBytes(), Math.floor(((request.maxEnvelopeSize - 4096) * 3) / 4)));
    const chunks = proc.takeOutput(budget);
    const drained = !proc.hasPendingOutput();
    let streams = chunks.map((c) => `<rsp:Stream Name="${c.stream}" CommandId="${commandId}">${c.data.toString('base64')}</rsp:Stream>`).join('');
    let state: string;
    if (proc.done && drained) {
      streams += `<rsp:Stream Name="stdout" CommandId="${commandId}" End="true"></rsp:Stream><rsp:Stream Name="stderr" CommandId="${commandId}" End="true"></rsp:Stream>`;
      state = `<rsp:CommandState CommandId="${commandId}" State="${STATE_DONE}"><rsp:ExitCode>${proc.exitCode}</rsp:ExitCode></rsp:CommandState>`;
    } else state = `<rsp:CommandState CommandId="${commandId}" State="${STATE_RUNNING}"></rsp:CommandState>`;
    return this.ok(request, 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse', `<rsp:ReceiveResponse>${streams}${state}</rsp:ReceiveResponse>`);
  }

  private send(shell: Shell, request: WsmanRequest): WsmanReply {
    const streams = childElements(firstChild(request.body, NS.shell, 'Send'), NS.shell, 'Stream');
    if (streams.length === 0) return this.fault(FAULTS.invalidParameter(), request);
    for (const stream of streams) {
      const proc = shell.commands.get((attrOf(stream, 'CommandId') ?? '').toUpperCase());
      if (!proc) return this.fault(FAULTS.unknownCommand(), request);
      const end = (attrOf(stream, 'End') ?? '').toLowerCase() === 'true';
      proc.feedStdin(Buffer.from(textOf(stream), 'base64'), end);
    }
    return this.ok(request, 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SendResponse', '<rsp:SendResponse/>');
  }

  private signal(shell: Shell, request: WsmanRequest): WsmanReply {
    const signal = firstChild(request.body, NS.shell, 'Signal');
    const commandId = (attrOf(signal, 'CommandId') ?? '').toUpperCase();
    const code = textOf(firstChild(signal, NS.shell, 'Code'));
    const proc = shell.commands.get(commandId);
    if (proc) {
      if (code === `${SIGNAL_PREFIX}ctrl_c` || code === `${SIGNAL_PREFIX}ctrl_break`) proc.kill(CTRL_C_EXIT_CODE);
      else {
        proc.kill(CTRL_C_EXIT_CODE);
        shell.commands.delete(commandId);
      }
    }
    return this.ok(request, 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SignalResponse', '<rsp:SignalResponse/>');
  }

  private delete(shell: Shell, request: WsmanRequest): WsmanReply {
    for (const proc of shell.commands.values()) proc.kill(CTRL_C_EXIT_CODE);
    this.shells.delete(shell.id);
    return this.ok(request, 'http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse', '');
  }
}
