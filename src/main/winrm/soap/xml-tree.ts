/**
 * A minimal namespace-aware element tree. WS-Man and CLIXML only need elements, attributes and
 * text, and every WinRS round trip parses a response, so this stays small and fast (the DOM parser
 * we used first compiled a Unicode regular expression for every end tag). saxes is the reference
 * parser; xml-fast.ts builds the same tree for the common documents without walking every
 * character, and hands everything else (including every error) to saxes.
 */
import { SaxesParser } from 'saxes';
import { parseCommonXml } from './xml-fast';

export interface XmlAttribute {
  readonly localName: string;
  readonly namespaceURI: string;
  readonly value: string;
}

export interface XmlElement {
  readonly namespaceURI: string;
  readonly localName: string;
  readonly attributes: readonly XmlAttribute[];
  /** Child elements and text (text and CDATA as strings), in document order. */
  readonly children: readonly (XmlElement | string)[];
}

export interface XmlDocument {
  readonly documentElement: XmlElement;
}

/**
 * The deepest element nesting we accept. WS-Man replies nest about 8 levels and CLIXML error
 * records about 20; 256 is far above both while keeping every recursive reader (textOf,
 * descendant) and saxes' own prefix lookup, which walks the open elements, bounded.
 */
export const MAX_XML_DEPTH = 256;

/** The document nests elements deeper than MAX_XML_DEPTH. */
export class XmlTooDeep extends Error {
  constructor() {
    super(`elements nested deeper than ${MAX_XML_DEPTH} levels`);
    this.name = 'XmlTooDeep';
  }
}

interface MutableElement extends XmlElement {
  readonly children: (XmlElement | string)[];
}

/** Parses well-formed, namespace-correct XML; throws an Error describing the first problem. */
export function parseXmlTree(text: string): XmlDocument {
  return parseCommonXml(text) ?? parseXmlTreeWithSaxes(text);
}

/** The reference parse with saxes: every document and every error message. */
export function parseXmlTreeWithSaxes(text: string): XmlDocument {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: MutableElement[] = [];
  let root: MutableElement | undefined;
  // Stop at the first error. saxes would otherwise recover and go on, building a new Error (with
  // a stack trace) for every later problem: a malformed 140 KB reply took over a second.
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('opentag', (tag) => {
    // Thrown out of write(): there is no point parsing the rest of a document we refuse.
    if (stack.length >= MAX_XML_DEPTH) throw new XmlTooDeep();
    const element: MutableElement = {
      namespaceURI: tag.uri ?? '',
      localName: tag.local ?? tag.name,
      attributes: Object.values(tag.attributes).map((a) => ({ localName: a.local, namespaceURI: a.uri, value: a.value })),
      children: [],
    };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else root ??= element;
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const onText = (value: string) => {
    const parent = stack.at(-1);
    if (parent && value) parent.children.push(value);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.write(text).close();
  if (!root) throw new Error('no root element');
  return { documentElement: root };
}
