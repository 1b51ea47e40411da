/**
 * A scriptable WinRS endpoint on 127.0.0.1 for behaviours the captures cannot show: warm shells,
 * output split mid-character, hanging commands and cancellation, expired shells, shell quotas.
 * It answers with the same XML shapes the real captures have.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { summarise, type RequestSummary } from './replay-server';

export type ReceiveStep =
  | { stdout?: string | Uint8Array; stderr?: string | Uint8Array; done?: boolean; exitCode?: number }
  | 'timeout'
  /** Holds the Receive open until the client gives up on it or the command is signalled. */
  | 'hang';

export type CommandScript = (commandLine: string, stdin: () => Buffer) => ReceiveStep[];

const ENV_OPEN =
  '<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell">';

function envelope(action: string, relatesTo: string, body: string): string {
  return `${ENV_OPEN}<s:Header><a:Action>${action}</a:Action><a:MessageID>uuid:${randomUUID()}</a:MessageID><a:RelatesTo>${relatesTo}</a:RelatesTo></s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

export function faultXml(relatesTo: string, code: number, subcode: string, message: string): string {
  return envelope(
    'http://schemas.dmtf.org/wbem/wsman/1/wsman/fault',
    relatesTo,
    `<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:${subcode}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">${message}</s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="${code}" Machine="127.0.0.1"><f:Message>${message}</f:Message></f:WSManFault></s:Detail></s:Fault>`,
  );
}

interface Running {
  steps: ReceiveStep[];
  stdin: Buffer[];
  script: CommandScript;
  commandLine: string;
  release?: () => void;
}

export class FakeWinrs {
  readonly received: RequestSummary[] = [];
  readonly shells = new Set<string>();
  readonly signals: Array<{ commandId: string; code: string }> = [];
  /** Create answers the next N requests with the per-user shell quota fault. */
  quotaFaults = 0;
  /** Maximum open shells before Create faults with QuotaLimit. */
  maxShells = Infinity;
  private readonly commands = new Map<string, Running>();
  private readonly server = createServer((req, res) => this.onRequest(req, res));
  url = '';

  constructor(private readonly script: CommandScript) {}

  async start(): Promise<this> {
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/wsman`;
    return this;
  }

  /** Forgets every shell, as the server does after its idle timeout. */
  expireShells(): void {
    this.shells.clear();
  }

  actions(from = 0): string[] {
    return this.received.slice(from).map((r) => r.action);
  }

  close(): Promise<void> {
    for (const c of this.commands.values()) c.release?.();
    return new Promise((ok) => {
      this.server.closeAllConnections();
      this.server.close(() => ok());
    });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const summary = summarise(Buffer.concat(chunks).toString('utf8'));
      this.received.push(summary);
      void this.answer(summary, res);
    });
  }

  private send(res: ServerResponse, status: number, body: string): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'Content-Type': 'application/soap+xml;charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  private async answer(r: RequestSummary, res: ServerResponse): Promise<void> {
    const id = r.messageId;
    if (r.action === 'Create') {
      if (this.quotaFaults > 0 || this.shells.size >= this.maxShells) {
        this.quotaFaults = Math.max(0, this.quotaFaults - 1);
        return this.send(res, 500, faultXml(id, 2150859173, 'QuotaLimit', 'The maximum number of concurrent shells for this user has been exceeded.'));
      }
      const shellId = randomUUID().toUpperCase();
      this.shells.add(shellId);
      return this.send(
        res,
        200,
        envelope(
          'http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse',
          id,
          `<x:ResourceCreated><a:ReferenceParameters><w:SelectorSet><w:Selector Name="ShellId">${shellId}</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>`,
        ),
      );
    }
    if (!r.shellId || !this.shells.has(r.shellId)) {
      return this.send(res, 500, faultXml(id, 2150858843, 'InvalidSelectors', 'The request for the Windows Remote Shell with ShellId failed because the shell was not found on the server.'));
    }
    switch (r.action) {
      case 'Delete':
        this.shells.delete(r.shellId);
        return this.send(res, 200, envelope('http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse', id, ''));
      case 'Command': {
        const commandId = randomUUID().toUpperCase();
        const running: Running = { steps: [], stdin: [], script: this.script, commandLine: r.commandLine ?? '' };
        this.commands.set(commandId, running);
        return this.send(
          res,
          200,
          envelope('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandResponse', id, `<rsp:CommandResponse><rsp:CommandId>${commandId}</rsp:CommandId></rsp:CommandResponse>`),
        );
      }
      case 'Send': {
        this.commands.get(r.commandId ?? '')?.stdin.push(r.stdin ?? Buffer.alloc(0));
        return this.send(res, 200, envelope('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SendResponse', id, '<rsp:SendResponse/>'));
      }
      case 'Signal': {
        this.signals.push({ commandId: r.commandId ?? '', code: r.signalCode ?? '' });
        const running = this.commands.get(r.commandId ?? '');
        running?.release?.();
        return this.send(res, 200, envelope('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SignalResponse', id, '<rsp:SignalResponse/>'));
      }
      case 'Receive':
        return this.receive(r, res);
    }
    this.send(res, 400, 'unknown action');
  }

  private async receive(r: RequestSummary, res: ServerResponse): Promise<void> {
    const commandId = r.commandId ?? '';
    const running = this.commands.get(commandId);
    if (!running) return this.send(res, 500, faultXml(r.messageId, 2150858843, 'InvalidSelectors', 'unknown command identifier'));
    if (running.steps.length === 0 && !(running as { started?: boolean }).started) {
      (running as { started?: boolean }).started = true;
      running.steps = running.script(running.commandLine, () => Buffer.concat(running.stdin));
    }
    const step = running.steps.shift() ?? { done: true, exitCode: 0 };
    if (step === 'timeout') {
      return this.send(res, 500, faultXml(r.messageId, 2150858793, 'TimedOut', 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.'));
    }
    if (step === 'hang') {
      await new Promise<void>((release) => {
        running.release = release;
        // Not req 'close': Node emits that as soon as the request body has been read.
        res.on('close', release);
      });
      return this.send(res, 500, faultXml(r.messageId, 2150858793, 'TimedOut', 'timed out'));
    }
    const streams: string[] = [];
    const b64 = (v: string | Uint8Array): string => Buffer.from(typeof v === 'string' ? Buffer.from(v, 'utf8') : v).toString('base64');
    if (step.stdout !== undefined) streams.push(`<rsp:Stream Name="stdout" CommandId="${commandId}">${b64(step.stdout)}</rsp:Stream>`);
    if (step.stderr !== undefined) streams.push(`<rsp:Stream Name="stderr" CommandId="${commandId}">${b64(step.stderr)}</rsp:Stream>`);
    const state = step.done
      ? `<rsp:CommandState CommandId="${commandId}" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"><rsp:ExitCode>${step.exitCode ?? 0}</rsp:ExitCode></rsp:CommandState>`
      : `<rsp:CommandState CommandId="${commandId}" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"/>`;
    this.send(res, 200, envelope('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse', r.messageId, `<rsp:ReceiveResponse>${streams.join('')}${state}</rsp:ReceiveResponse>`));
  }
}
