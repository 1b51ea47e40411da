/**
 * Builds WS-Management SOAP envelopes with the header set every mature client sends (research §1.1).
 * Every text value and attribute goes through escapeXml; callers pass body XML they built the same way.
 */
import { randomUUID } from 'node:crypto';
import { ADDRESS_ANONYMOUS, NS, RESOURCE_CMD } from './namespaces';
import { escapeXml } from './xml-escape';

export const MAX_ENVELOPE_SIZE = 153600;
/** The server's MaxTimeoutms defaults to 60000; a larger OperationTimeout is rejected. */
export const MAX_OPERATION_TIMEOUT_S = 60;

export interface WsmanOption {
  name: string;
  value: string;
  mustComply?: boolean;
}

export interface EnvelopeSpec {
  /** wsa:To — the endpoint URL. */
  to: string;
  action: string;
  resourceUri?: string;
  operationTimeoutS?: number;
  selectors?: Record<string, string>;
  options?: WsmanOption[];
  /** Body content, already serialised and escaped. Empty for Delete. */
  body?: string;
  /** Fixed MessageID for tests; otherwise a fresh uuid per message. */
  messageId?: string;
}

export interface BuiltEnvelope {
  xml: string;
  messageId: string;
}

export function newMessageId(): string {
  return `uuid:${randomUUID().toUpperCase()}`;
}

export function clampOperationTimeout(seconds: number | undefined): number {
  if (seconds === undefined || !Number.isFinite(seconds)) return 20;
  return Math.min(MAX_OPERATION_TIMEOUT_S, Math.max(1, Math.round(seconds)));
}

export function buildEnvelope(spec: EnvelopeSpec): BuiltEnvelope {
  const messageId = spec.messageId ?? newMessageId();
  const timeout = clampOperationTimeout(spec.operationTimeoutS);
  const headers: string[] = [
    `<a:To>${escapeXml(spec.to)}</a:To>`,
    `<a:ReplyTo><a:Address s:mustUnderstand="true">${ADDRESS_ANONYMOUS}</a:Address></a:ReplyTo>`,
    `<a:Action s:mustUnderstand="true">${escapeXml(spec.action)}</a:Action>`,
    `<a:MessageID>${escapeXml(messageId)}</a:MessageID>`,
    `<w:ResourceURI s:mustUnderstand="true">${escapeXml(spec.resourceUri ?? RESOURCE_CMD)}</w:ResourceURI>`,
    `<w:MaxEnvelopeSize s:mustUnderstand="true">${MAX_ENVELOPE_SIZE}</w:MaxEnvelopeSize>`,
    `<w:Locale xml:lang="en-US" s:mustUnderstand="false"/>`,
    `<p:DataLocale xml:lang="en-US" s:mustUnderstand="false"/>`,
    `<w:OperationTimeout>PT${timeout}S</w:OperationTimeout>`,
  ];
  const selectors = Object.entries(spec.selectors ?? {});
  if (selectors.length > 0) {
    const items = selectors.map(([name, value]) => `<w:Selector Name="${escapeXml(name)}">${escapeXml(value)}</w:Selector>`);
    headers.push(`<w:SelectorSet>${items.join('')}</w:SelectorSet>`);
  }
  if (spec.options && spec.options.length > 0) {
    const items = spec.options.map((o) => {
      const comply = o.mustComply ? ' MustComply="true"' : '';
      return `<w:Option Name="${escapeXml(o.name)}"${comply}>${escapeXml(o.value)}</w:Option>`;
    });
    headers.push(`<w:OptionSet s:mustUnderstand="true">${items.join('')}</w:OptionSet>`);
  }
  const xml =
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<s:Envelope xmlns:s="${NS.soap}" xmlns:a="${NS.addressing}" xmlns:w="${NS.wsman}" xmlns:p="${NS.wsmv}" xmlns:rsp="${NS.shell}">` +
    `<s:Header>${headers.join('')}</s:Header>` +
    `<s:Body>${spec.body ?? ''}</s:Body>` +
    `</s:Envelope>`;
  return { xml, messageId };
}
