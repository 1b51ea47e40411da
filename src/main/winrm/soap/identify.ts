/**
 * WS-Management Identify: the one request without addressing headers. Cheap, needs no shell, and
 * proves the endpoint speaks WS-Man and accepts our credentials.
 */
import type { Element } from './parse';
import { ProtocolError } from '../errors';
import { NS } from './namespaces';
import { child, textOf } from './parse';

export interface IdentifyResult {
  productVendor: string;
  productVersion: string;
  protocolVersion: string;
}

export function identifyEnvelope(): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<s:Envelope xmlns:s="${NS.soap}" xmlns:wsmid="${NS.identity}">` +
    `<s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>`
  );
}

export function readIdentify(body: Element): IdentifyResult {
  const response = child(body, NS.identity, 'IdentifyResponse');
  if (!response) throw new ProtocolError('the Identify reply has no IdentifyResponse — is this a WS-Management endpoint?');
  return {
    productVendor: textOf(child(response, NS.identity, 'ProductVendor')).trim(),
    productVersion: textOf(child(response, NS.identity, 'ProductVersion')).trim(),
    protocolVersion: textOf(child(response, NS.identity, 'ProtocolVersion')).trim(),
  };
}
