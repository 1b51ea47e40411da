/**
 * Safe, namespace-aware XML reading. Documents with a DTD are refused before parsing (no entity
 * expansion, no external fetches), and lookups go by namespace URI + local name, never by prefix,
 * because Windows, OMI and our own lab all choose different prefixes.
 */
import { LimitExceeded, ProtocolError } from '../errors';
import { MAX_XML_DEPTH, XmlTooDeep, parseXmlTree, type XmlDocument, type XmlElement } from './xml-tree';

export type { XmlDocument, XmlElement } from './xml-tree';
/** The element type every WS-Man reader works with. */
export type Element = XmlElement;
export type Document = XmlDocument;

const DTD_MARKERS = /<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i;

export function parseXml(text: string, what = 'WS-Man response'): Document {
  // Every marker starts with "<!": a plain search first keeps the case-insensitive scan off large replies.
  if (text.includes('<!') && DTD_MARKERS.test(text)) {
    throw new ProtocolError(`${what} contains a DTD or entity declaration, which WS-Man never sends — refusing to parse it`);
  }
  if (text.trim() === '') throw new ProtocolError(`${what} is empty — expected an XML document`);
  try {
    return parseXmlTree(text);
  } catch (error) {
    if (error instanceof XmlTooDeep) {
      throw new LimitExceeded(undefined, `${what} (XML nesting)`, MAX_XML_DEPTH, 'levels', 'no WS-Man reply or CLIXML record nests that deep — the host is misbehaving');
    }
    throw new ProtocolError(`${what} is not well-formed XML: ${describe(error)}`, { cause: error });
  }
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function isElement(node: XmlElement | string): node is XmlElement {
  return typeof node !== 'string';
}

export function childElements(parent: Element | Document): Element[] {
  if ('documentElement' in parent) return [parent.documentElement];
  return parent.children.filter(isElement);
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
  for (const n of node.children) out += typeof n === 'string' ? n : textOf(n);
  return out;
}

/** Attribute by local name, ignoring any namespace prefix the sender chose. */
export function attr(el: Element | undefined, local: string): string | undefined {
  return el?.attributes.find((a) => a.localName === local)?.value;
}
