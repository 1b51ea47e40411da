/**
 * WinRS request bodies and reply readers (research §1.2–1.6). Pure functions: no I/O, so the
 * exact XML we send can be tested without a server.
 */
import type { Element } from '../soap/parse';
import { ProtocolError } from '../errors';
import {
  ACTION,
  COMMAND_STATE_DONE_SUFFIX,
  NS,
  attr,
  child,
  children,
  descendant,
  escapeXml,
  path,
  textOf,
  type EnvelopeSpec,
  type WsmanOption,
} from '../soap';

export interface ShellCreateOptions {
  /** Skip loading the user profile (WINRS_NOPROFILE). Default true: faster and no roaming-profile surprises. */
  noProfile?: boolean;
  codepage?: number;
  workingDirectory?: string;
  environment?: Record<string, string>;
  /** Server-side idle timeout in seconds (rsp:IdleTimeOut). */
  idleTimeoutS?: number;
}

export interface CommandOptions {
  /** Run the executable directly instead of through cmd.exe /c (needs a full path). */
  skipCmdShell?: boolean;
  /** Console-mode stdin (WINRS_CONSOLEMODE_STDIN), as pywinrm/Ruby/Go send. Default true. */
  consoleModeStdin?: boolean;
}

type Spec = Omit<EnvelopeSpec, 'to' | 'operationTimeoutS'>;

export function createShellSpec(options: ShellCreateOptions = {}): Spec {
  const wsOptions: WsmanOption[] = [
    { name: 'WINRS_NOPROFILE', value: options.noProfile === false ? 'FALSE' : 'TRUE' },
    { name: 'WINRS_CODEPAGE', value: String(options.codepage ?? 65001) },
  ];
  let body = '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams>';
  if (options.workingDirectory !== undefined) body += `<rsp:WorkingDirectory>${escapeXml(options.workingDirectory)}</rsp:WorkingDirectory>`;
  const env = Object.entries(options.environment ?? {});
  if (env.length > 0) {
    body += '<rsp:Environment>';
    for (const [name, value] of env) body += `<rsp:Variable Name="${escapeXml(name)}">${escapeXml(value)}</rsp:Variable>`;
    body += '</rsp:Environment>';
  }
  if (options.idleTimeoutS !== undefined) body += `<rsp:IdleTimeOut>PT${Math.max(1, Math.round(options.idleTimeoutS))}S</rsp:IdleTimeOut>`;
  body += '</rsp:Shell>';
  return { action: ACTION.create, options: wsOptions, body };
}

export function commandSpec(shellId: string, command: string, args: readonly string[], options: CommandOptions = {}): Spec {
  const wsOptions: WsmanOption[] = [
    { name: 'WINRS_CONSOLEMODE_STDIN', value: options.consoleModeStdin === false ? 'FALSE' : 'TRUE' },
    { name: 'WINRS_SKIP_CMD_SHELL', value: options.skipCmdShell ? 'TRUE' : 'FALSE' },
  ];
  // One rsp:Arguments per argument (as pypsrp does): the server joins them with spaces.
  const argXml = args.map((a) => `<rsp:Arguments>${escapeXml(a)}</rsp:Arguments>`).join('');
  const body = `<rsp:CommandLine><rsp:Command>${escapeXml(command)}</rsp:Command>${argXml}</rsp:CommandLine>`;
  return { action: ACTION.command, selectors: { ShellId: shellId }, options: wsOptions, body };
}

export function receiveSpec(shellId: string, commandId: string | undefined): Spec {
  const idAttr = commandId !== undefined ? ` CommandId="${escapeXml(commandId)}"` : '';
  return {
    action: ACTION.receive,
    selectors: { ShellId: shellId },
    options: [{ name: 'WSMAN_CMDSHELL_OPTION_KEEPALIVE', value: 'TRUE' }],
    body: `<rsp:Receive><rsp:DesiredStream${idAttr}>stdout stderr</rsp:DesiredStream></rsp:Receive>`,
  };
}

export function sendSpec(shellId: string, commandId: string, data: Uint8Array, end: boolean): Spec {
  const payload = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  const endAttr = end ? ' End="true"' : '';
  return {
    action: ACTION.send,
    selectors: { ShellId: shellId },
    body: `<rsp:Send><rsp:Stream Name="stdin" CommandId="${escapeXml(commandId)}"${endAttr}>${payload}</rsp:Stream></rsp:Send>`,
  };
}

export function signalSpec(shellId: string, commandId: string, code: string): Spec {
  return {
    action: ACTION.signal,
    selectors: { ShellId: shellId },
    body: `<rsp:Signal CommandId="${escapeXml(commandId)}"><rsp:Code>${escapeXml(code)}</rsp:Code></rsp:Signal>`,
  };
}

export function deleteShellSpec(shellId: string): Spec {
  return { action: ACTION.delete, selectors: { ShellId: shellId } };
}

/** ShellId from a CreateResponse: the selector, falling back to rsp:Shell/rsp:ShellId. */
export function readShellId(body: Element): string {
  const selectorSet = descendant(body, NS.wsman, 'SelectorSet');
  const selector = children(selectorSet, NS.wsman, 'Selector').find((s) => attr(s, 'Name') === 'ShellId');
  const id = (textOf(selector) || textOf(path(body, [NS.shell, 'Shell'], [NS.shell, 'ShellId']))).trim();
  if (!id) throw new ProtocolError('the Create shell reply carries no ShellId');
  return id;
}

export function readCommandId(body: Element): string {
  const id = textOf(path(body, [NS.shell, 'CommandResponse'], [NS.shell, 'CommandId'])).trim();
  if (!id) throw new ProtocolError('the Command reply carries no CommandId');
  return id;
}

export interface ReceiveChunk {
  stream: 'stdout' | 'stderr';
  bytes: Uint8Array;
}

export interface ReceiveResult {
  chunks: ReceiveChunk[];
  done: boolean;
  exitCode?: number;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes a stream's base64, or undefined if it is not base64. Buffer.from skips characters that
 * are not base64 instead of failing, so validity is checked without a regular expression over the
 * whole text (that scan cost more than the decoding): output that re-encodes to exactly the input
 * proves the input was canonical base64. Valid but unusual input (unpadded, non-zero pad bits)
 * fails that comparison and is judged by the regular expression, as before.
 */
export function decodeBase64Stream(text: string): Uint8Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text && !BASE64.test(text)) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function readReceive(body: Element, commandId: string | undefined): ReceiveResult {
  const response = child(body, NS.shell, 'ReceiveResponse');
  if (!response) throw new ProtocolError('the Receive reply has no rsp:ReceiveResponse');
  const chunks: ReceiveChunk[] = [];
  for (const stream of children(response, NS.shell, 'Stream')) {
    const name = attr(stream, 'Name');
    if (name !== 'stdout' && name !== 'stderr') continue;
    const id = attr(stream, 'CommandId');
    if (commandId !== undefined && id !== undefined && id.toUpperCase() !== commandId.toUpperCase()) continue;
    const text = textOf(stream).replace(/\s+/g, '');
    if (text === '') continue;
    const bytes = decodeBase64Stream(text);
    if (bytes === undefined) throw new ProtocolError(`the Receive reply has a ${name} chunk that is not base64`);
    chunks.push({ stream: name, bytes });
  }
  const state = child(response, NS.shell, 'CommandState');
  const done = (attr(state, 'State') ?? '').endsWith(COMMAND_STATE_DONE_SUFFIX);
  const result: ReceiveResult = { chunks, done };
  const exitText = textOf(child(state, NS.shell, 'ExitCode')).trim();
  if (done && /^-?\d+$/.test(exitText)) {
    // Windows reports exit codes as unsigned 32-bit; keep the signed view callers expect (-1, not 4294967295).
    result.exitCode = Number(BigInt.asIntN(32, BigInt(exitText)));
  }
  return result;
}
