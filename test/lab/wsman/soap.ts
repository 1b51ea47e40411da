/**
 * Reading WS-Man requests (by namespace URI, never by prefix: clients choose their own prefixes)
 * and writing responses with the prefixes and header order a Windows host uses in the captures.
 */
import { parseXmlTree, type XmlDocument, type XmlElement } from '../../../src/main/winrm/soap/xml-tree';

type Element = XmlElement;
type Document = XmlDocument;

export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  addressing: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  transfer: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
  wsman: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  wsmv: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  shell: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  fault: 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
  identity: 'http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd',
} as const;

export const ACTION = {
  create: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  delete: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete',
  command: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command',
  receive: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive',
  send: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send',
  signal: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal',
} as const;

export const CMD_RESOURCE_URI = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd';
export const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';

export interface WsmanRequest {
  document: Document;
  action: string;
  messageId: string;
  resourceUri: string;
  /** w:OperationTimeout in ms, clamped to the server's MaxTimeoutms (60 s). */
  operationTimeoutMs: number;
  maxEnvelopeSize: number;
  selectors: Map<string, string>;
  options: Map<string, string>;
  body: Element | null;
  /** True for a WS-Management Identify request (empty header, wsmid:Identify body). */
  identify: boolean;
}

export class MalformedRequest extends Error {}

export function childElements(parent: Element | Document | null, ns: string, localName: string): Element[] {
  if (!parent) return [];
  const nodes = 'documentElement' in parent ? [parent.documentElement] : parent.children;
  const out: Element[] = [];
  for (const node of nodes) {
    if (typeof node !== 'string' && node.namespaceURI === ns && node.localName === localName) out.push(node);
  }
  return out;
}

export function firstChild(parent: Element | Document | null, ns: string, localName: string): Element | null {
  return childElements(parent, ns, localName)[0] ?? null;
}

export function textOf(element: Element | null): string {
  return textContent(element).trim();
}

/** All text below an element, untrimmed (what DOM's textContent gives). */
export function textContent(element: Element | null): string {
  if (!element) return '';
  let out = '';
  for (const node of element.children) out += typeof node === 'string' ? node : textContent(node);
  return out;
}

/** An unqualified attribute (CommandId, Name, End…), as Windows reads them. */
export function attrOf(element: Element | null, name: string): string | null {
  return element?.attributes.find((a) => a.localName === name && a.namespaceURI === '')?.value ?? null;
}

/** ISO-8601 duration (PT20S, PT1M30.5S, P0DT0H0M20S) → ms. */
export function parseDuration(text: string): number | undefined {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text.trim());
  if (!match) return undefined;
  const [, d, h, m, s] = match;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(m ?? 0)) * 60_000 + Math.round(Number(s ?? 0) * 1000);
}

export const MAX_TIMEOUT_MS = 60_000;

export function parseRequest(xml: string): WsmanRequest {
  let document: Document;
  try {
    document = parseXmlTree(xml);
  } catch (error) {
    throw new MalformedRequest((error as Error).message.split('\n')[0] ?? 'not well-formed XML');
  }
  const envelope = document.documentElement;
  if (envelope.namespaceURI !== NS.soap || envelope.localName !== 'Envelope') throw new MalformedRequest('not a SOAP 1.2 envelope');
  const header = firstChild(envelope, NS.soap, 'Header');
  const body = firstChild(envelope, NS.soap, 'Body');
  const selectors = new Map<string, string>();
  for (const set of childElements(header, NS.wsman, 'SelectorSet')) {
    for (const selector of childElements(set, NS.wsman, 'Selector')) selectors.set(attrOf(selector, 'Name') ?? '', textOf(selector));
  }
  const options = new Map<string, string>();
  for (const set of childElements(header, NS.wsman, 'OptionSet')) {
    for (const option of childElements(set, NS.wsman, 'Option')) options.set((attrOf(option, 'Name') ?? '').toUpperCase(), textOf(option));
  }
  const timeout = parseDuration(textOf(firstChild(header, NS.wsman, 'OperationTimeout')));
  const maxEnvelope = Number(textOf(firstChild(header, NS.wsman, 'MaxEnvelopeSize')));
  return {
    document,
    action: textOf(firstChild(header, NS.addressing, 'Action')),
    messageId: textOf(firstChild(header, NS.addressing, 'MessageID')),
    resourceUri: textOf(firstChild(header, NS.wsman, 'ResourceURI')),
    operationTimeoutMs: Math.min(timeout ?? MAX_TIMEOUT_MS, MAX_TIMEOUT_MS),
    maxEnvelopeSize: Number.isFinite(maxEnvelope) && maxEnvelope > 0 ? maxEnvelope : 153600,
    selectors,
    options,
    body,
    identify: firstChild(body, NS.identity, 'Identify') !== null,
  };
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const RESPONSE_NAMESPACES =
  `xmlns:s="${NS.soap}" xmlns:a="${NS.addressing}" xmlns:x="${NS.transfer}" xmlns:w="${NS.wsman}" xmlns:rsp="${NS.shell}" xmlns:p="${NS.wsmv}"`;

/** A response envelope as Windows writes it: Action, MessageID, To (anonymous), RelatesTo. */
export function responseEnvelope(action: string, relatesTo: string, bodyXml: string): string {
  const relates = relatesTo ? `<a:RelatesTo>${escapeXml(relatesTo)}</a:RelatesTo>` : '';
  return (
    `<s:Envelope xml:lang="en-US" ${RESPONSE_NAMESPACES}><s:Header><a:Action>${action}</a:Action>` +
    `<a:MessageID>uuid:${crypto.randomUUID().toUpperCase()}</a:MessageID><a:To>${ANONYMOUS}</a:To>${relates}</s:Header>` +
    `<s:Body>${bodyXml}</s:Body></s:Envelope>`
  );
}
