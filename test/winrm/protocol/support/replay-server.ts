/**
 * A WS-Man endpoint on 127.0.0.1 that replays a real capture (pypsrp winrs/*.yml) in order. Each
 * request must carry the recorded Action and the recorded ShellId/CommandId/command line (MessageIDs
 * differ, so no byte equality); the reply is the recorded body and HTTP status. Mismatches are
 * answered with HTTP 400 and collected in `problems` for the test to assert on.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import yaml from 'js-yaml';
import { DOMParser, type Element } from '@xmldom/xmldom';

export const FIXTURES = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../fixtures/winrm-fixtures/pypsrp');

const NS = {
  a: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  w: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  rsp: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  s: 'http://www.w3.org/2003/05/soap-envelope',
};

interface CapturedMessage {
  request: string;
  response: string;
  transport_error?: { code: number };
}

export interface RequestSummary {
  action: string;
  messageId: string;
  to: string;
  shellId?: string;
  commandId?: string;
  commandLine?: string;
  signalCode?: string;
  stdin?: Buffer;
  stdinEnd?: boolean;
  options: Record<string, string>;
  environment: Record<string, string>;
  workingDirectory?: string;
  operationTimeout?: string;
}

export function loadCapture(name: string): CapturedMessage[] {
  const doc = yaml.load(readFileSync(resolve(FIXTURES, 'winrs', `${name}.yml`), 'utf8')) as { messages: CapturedMessage[] };
  return doc.messages;
}

interface HasTagLookup {
  getElementsByTagNameNS(ns: string, local: string): ArrayLike<Element>;
}

function all(root: unknown, ns: string, local: string): Element[] {
  return Array.from((root as HasTagLookup).getElementsByTagNameNS(ns, local));
}

export function summarise(xml: string): RequestSummary {
  const doc = new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document;
  const first = (ns: string, local: string): Element | undefined => all(doc, ns, local)[0];
  const text = (el: Element | undefined): string => el?.textContent ?? '';
  const action = text(first(NS.a, 'Action')).split('/').pop() ?? '';
  const summary: RequestSummary = {
    action,
    messageId: text(first(NS.a, 'MessageID')),
    to: text(first(NS.a, 'To')),
    options: {},
    environment: {},
  };
  for (const sel of all(doc, NS.w, 'Selector')) if (sel.getAttribute('Name') === 'ShellId') summary.shellId = text(sel);
  for (const opt of all(doc, NS.w, 'Option')) summary.options[opt.getAttribute('Name') ?? ''] = text(opt);
  for (const v of all(doc, NS.rsp, 'Variable')) summary.environment[v.getAttribute('Name') ?? ''] = text(v);
  const wd = first(NS.rsp, 'WorkingDirectory');
  if (wd) summary.workingDirectory = text(wd);
  const timeout = first(NS.w, 'OperationTimeout');
  if (timeout) summary.operationTimeout = text(timeout);
  const line = first(NS.rsp, 'CommandLine');
  if (line) summary.commandLine = [text(first(NS.rsp, 'Command')), ...all(line, NS.rsp, 'Arguments').map(text)].join(' ');
  const idHolder = first(NS.rsp, 'DesiredStream') ?? first(NS.rsp, 'Signal') ?? first(NS.rsp, 'Stream');
  const commandId = idHolder?.getAttribute('CommandId');
  if (commandId) summary.commandId = commandId;
  const code = first(NS.rsp, 'Code');
  if (code) summary.signalCode = text(code).split('/').pop() ?? '';
  const stream = action === 'Send' ? first(NS.rsp, 'Stream') : undefined;
  if (stream) {
    summary.stdin = Buffer.from(text(stream), 'base64');
    summary.stdinEnd = /^true$/i.test(stream.getAttribute('End') ?? '');
  }
  return summary;
}

export interface ReplayServer {
  url: string;
  /** Every request we received, summarised, in order. */
  received: RequestSummary[];
  problems: string[];
  /** Messages of the capture not yet replayed. */
  remaining(): number;
  close(): Promise<void>;
}

export interface ReplayOptions {
  /** Basic credentials the server insists on (user:password). */
  basic?: { username: string; password: string };
}

export async function startReplay(messages: CapturedMessage[], options: ReplayOptions = {}): Promise<ReplayServer> {
  let next = 0;
  const received: RequestSummary[] = [];
  const problems: string[] = [];

  const reply = (res: ServerResponse, status: number, body: string): void => {
    res.writeHead(status, { 'Content-Type': 'application/soap+xml;charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    if (options.basic) {
      const expected = 'Basic ' + Buffer.from(`${options.basic.username}:${options.basic.password}`).toString('base64');
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="WSMAN"', 'Content-Length': 0 });
        res.end();
        return;
      }
    }
    const ours = summarise(body);
    received.push(ours);
    const captured = messages[next];
    if (!captured) {
      problems.push(`unexpected ${ours.action} after the capture ended`);
      reply(res, 400, 'capture exhausted');
      return;
    }
    const want = summarise(captured.request);
    const mismatch = compare(ours, want);
    if (mismatch) {
      problems.push(`message ${next} (${want.action}): ${mismatch}`);
      reply(res, 400, mismatch);
      return;
    }
    let answer = captured;
    next++;
    if (ours.action === 'Send' && ours.stdinEnd && !want.stdinEnd) {
      // The capture wrote stdin in several Sends; we send it in one: consume the run and compare the bytes.
      const parts = [want.stdin ?? Buffer.alloc(0)];
      while (messages[next] && summarise(messages[next]!.request).action === 'Send') {
        answer = messages[next]!;
        const more = summarise(answer.request);
        parts.push(more.stdin ?? Buffer.alloc(0));
        next++;
        if (more.stdinEnd) break;
      }
      const joined = Buffer.concat(parts);
      if (!joined.equals(ours.stdin ?? Buffer.alloc(0))) problems.push(`stdin differs: ${JSON.stringify(String(ours.stdin))} vs ${JSON.stringify(String(joined))}`);
    } else if (ours.action === 'Send' && ours.stdin && want.stdin && !ours.stdin.equals(want.stdin)) {
      problems.push(`stdin differs: ${JSON.stringify(String(ours.stdin))}`);
    }
    reply(res, answer.transport_error?.code ?? 200, answer.response);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/wsman`,
    received,
    problems,
    remaining: () => messages.length - next,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function compare(ours: RequestSummary, want: RequestSummary): string | undefined {
  if (ours.action !== want.action) return `expected action ${want.action}, got ${ours.action}`;
  if (want.shellId !== undefined && ours.shellId?.toUpperCase() !== want.shellId.toUpperCase()) {
    return `expected ShellId ${want.shellId}, got ${ours.shellId}`;
  }
  if (want.commandId !== undefined && ours.commandId?.toUpperCase() !== want.commandId.toUpperCase()) {
    return `expected CommandId ${want.commandId}, got ${ours.commandId}`;
  }
  if (want.action === 'Receive' && want.commandId === undefined && ours.commandId !== undefined) return 'expected a Receive without CommandId';
  if (want.commandLine !== undefined && ours.commandLine !== want.commandLine) {
    return `expected command line ${JSON.stringify(want.commandLine)}, got ${JSON.stringify(ours.commandLine)}`;
  }
  if (want.commandLine !== undefined) {
    const skip = (s: RequestSummary): boolean => /^true$/i.test(s.options['WINRS_SKIP_CMD_SHELL'] ?? 'false');
    if (skip(ours) !== skip(want)) return `WINRS_SKIP_CMD_SHELL differs`;
  }
  for (const [k, v] of Object.entries(want.environment)) if (ours.environment[k] !== v) return `environment ${k} differs`;
  if (want.workingDirectory !== undefined && ours.workingDirectory !== want.workingDirectory) return 'WorkingDirectory differs';
  if (want.action === 'Create' && want.options['WINRS_NOPROFILE'] !== undefined && !/^true$/i.test(ours.options['WINRS_NOPROFILE'] ?? '')) {
    return 'expected WINRS_NOPROFILE TRUE';
  }
  return undefined;
}
