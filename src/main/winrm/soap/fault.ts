/**
 * Reads a WS-Man response: parses it, turns a SOAP fault into a WinrmFault carrying the WSManFault
 * code (research §1.8), and hands back the s:Body element otherwise.
 */
import type { Element } from './parse';
import { ProtocolError, WinrmFault } from '../errors';
import type { WsmanResponse } from '../transport';
import { NS } from './namespaces';
import { attr, child, childElements, descendant, parseXml, path, textOf } from './parse';

export interface ParsedFault {
  code?: string;
  subcode?: string;
  reason: string;
  wsmanCode?: number;
  message: string;
}

export interface ResponseContext {
  /** Short action name for messages, e.g. "Receive". */
  action: string;
  host?: string;
}

/** Extracts fault details from an s:Fault element. */
export function readFault(fault: Element): ParsedFault {
  const code = path(fault, [NS.soap, 'Code'], [NS.soap, 'Value']);
  const subcode = path(fault, [NS.soap, 'Code'], [NS.soap, 'Subcode'], [NS.soap, 'Value']);
  const reasonTexts = childElements(child(fault, NS.soap, 'Reason') ?? fault).filter((el) => el.localName === 'Text');
  const reason = normalise(reasonTexts.map((el) => textOf(el)).join(' '));
  const detail = child(fault, NS.soap, 'Detail');
  const wsmanFault = descendant(detail, NS.wsmanFault, 'WSManFault');
  let wsmanCode = parseCode(attr(wsmanFault, 'Code'));
  let message = normalise(textOf(child(wsmanFault, NS.wsmanFault, 'Message')));
  if (wsmanCode === undefined && detail) {
    // WMI provider errors carry the code in MSFT_WmiError/error_Code instead of WSManFault/@Code.
    const wmiCode = childElements(detail).flatMap((el) => childElements(el)).find((el) => el.localName === 'error_Code');
    wsmanCode = parseCode(textOf(wmiCode));
  }
  if (message === '') message = reason;
  const out: ParsedFault = { reason, message: message || 'the server returned a SOAP fault without a message' };
  const codeText = textOf(code).trim();
  const subcodeText = textOf(subcode).trim();
  if (codeText) out.code = codeText;
  if (subcodeText) out.subcode = subcodeText;
  if (wsmanCode !== undefined) out.wsmanCode = wsmanCode;
  return out;
}

function parseCode(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!/^\d{1,12}$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Parses a response and returns its s:Body. Throws WinrmFault for a SOAP fault (whatever the HTTP
 * status), ProtocolError for anything that is not a SOAP envelope.
 */
export function readResponse(response: WsmanResponse, context: ResponseContext): Element {
  const where = context.host !== undefined ? `${context.host}: ` : '';
  if (response.body.trim() === '') {
    throw new ProtocolError(`${where}empty HTTP ${response.status} reply to ${context.action} — expected a SOAP envelope`, { host: context.host });
  }
  const doc = parseXml(response.body, `${where}reply to ${context.action}`);
  const envelope = doc.documentElement!;
  if (envelope.namespaceURI !== NS.soap || envelope.localName !== 'Envelope') {
    throw new ProtocolError(`${where}reply to ${context.action} is not a SOAP 1.2 envelope (root <${envelope.localName}>)`, { host: context.host });
  }
  const body = child(envelope, NS.soap, 'Body');
  if (!body) throw new ProtocolError(`${where}reply to ${context.action} has no SOAP Body`, { host: context.host });
  const fault = child(body, NS.soap, 'Fault');
  if (fault) {
    const parsed = readFault(fault);
    const details: { wsmanCode?: number; subcode?: string; host?: string; action?: string } = { action: context.action };
    if (parsed.wsmanCode !== undefined) details.wsmanCode = parsed.wsmanCode;
    if (parsed.subcode !== undefined) details.subcode = parsed.subcode;
    if (context.host !== undefined) details.host = context.host;
    throw new WinrmFault(parsed.message, details);
  }
  if (response.status !== 200) {
    throw new ProtocolError(`${where}HTTP ${response.status} reply to ${context.action} without a SOAP fault`, { host: context.host });
  }
  return body;
}
