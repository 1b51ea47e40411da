/**
 * Safe, namespace-aware XML reading. Documents with a DTD are refused before parsing (no entity
 * expansion, no external fetches), and lookups go by namespace URI + local name, never by prefix,
 * because Windows, OMI and our own lab all choose different prefixes.
 */
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { ProtocolError } from '../errors';

const DTD_MARKERS = /<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i;
const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

export function parseXml(text: string, what = 'WS-Man response'): Document {
  if (DTD_MARKERS.test(text)) {
    throw new ProtocolError(`${what} contains a DTD or entity declaration, which WS-Man never sends — refusing to parse it`);
  }
  let firstError: string | undefined;
  const parser = new DOMParser({
    onError: (level, message) => {
      // Warnings (e.g. unknown prefixes in attributes we never read) are harmless; errors are not.
      if (level !== 'warning' && firstError === undefined) firstError = String(message);
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, 'text/xml');
  } catch (error) {
    throw new ProtocolError(`${what} is not well-formed XML: ${describe(error)}`, { cause: error });
  }
  if (firstError !== undefined) throw new ProtocolError(`${what} is not well-formed XML: ${firstError.split('\n')[0]}`);
  if (!doc.documentElement) throw new ProtocolError(`${what} is empty — expected an XML document`);
  return doc;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function isElement(node: Node | null): node is Element {
  return node !== null && node.nodeType === ELEMENT_NODE;
}

export function childElements(parent: Element | Document): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n !== null; n = n.nextSibling) if (isElement(n)) out.push(n);
  return out;
}

export function matches(el: Element, ns: string, local: string): boolean {
  return el.namespaceURI === ns && el.localName === local;
}

export function child(parent: Element | Document | undefined, ns: string, local: string): Element | undefined {
  if (!parent) return undefined;
  return childElements(parent).find((el) => matches(el, ns, local));
}

export function children(parent: Element | undefined, ns: string, local: string): Element[] {
  if (!parent) return [];
  return childElements(parent).filter((el) => matches(el, ns, local));
}

/** Follows a path of (namespace, local name) steps from a start node. */
export function path(start: Element | Document | undefined, ...steps: Array<readonly [string, string]>): Element | undefined {
  let current: Element | Document | undefined = start;
  for (const [ns, local] of steps) current = child(current, ns, local);
  return current as Element | undefined;
}

/** Depth-first search for the first descendant with this name. */
export function descendant(root: Element | Document | undefined, ns: string, local: string): Element | undefined {
  if (!root) return undefined;
  for (const el of childElements(root)) {
    if (matches(el, ns, local)) return el;
    const found = descendant(el, ns, local);
    if (found) return found;
  }
  return undefined;
}

/** Concatenated text of a node and its descendants (text and CDATA only). */
export function textOf(node: Element | undefined): string {
  if (!node) return '';
  let out = '';
  for (let n = node.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE) out += n.nodeValue ?? '';
    else if (isElement(n)) out += textOf(n);
  }
  return out;
}

/** Attribute by local name, ignoring any namespace prefix the sender chose. */
export function attr(el: Element | undefined, local: string): string | undefined {
  if (!el) return undefined;
  const attrs = el.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i);
    if (a && (a.localName ?? a.name) === local) return a.value;
  }
  return undefined;
}
