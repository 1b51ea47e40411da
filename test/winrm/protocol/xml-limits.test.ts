/**
 * Hostile XML: nesting is capped (MAX_XML_DEPTH) on both parse paths with a LimitExceeded naming
 * the reply, namespace scopes resolve correctly however deep they shadow each other, and DTDs
 * (entity bombs, external entities) are refused before parsing.
 */
import { describe, expect, it } from 'vitest';
import { LimitExceeded, ProtocolError } from '../../../src/main/winrm/errors';
import { NS, parseXml, readResponse } from '../../../src/main/winrm/soap';
import { parseCommonXml } from '../../../src/main/winrm/soap/xml-fast';
import { MAX_XML_DEPTH, parseXmlTree, parseXmlTreeWithSaxes, type XmlElement } from '../../../src/main/winrm/soap/xml-tree';

function nested(depth: number, open = (i: number) => `<e${i % 7}>`, close = (i: number) => `</e${i % 7}>`): string {
  let head = '';
  let tail = '';
  for (let i = 0; i < depth; i++) {
    head += open(i);
    tail = close(i) + tail;
  }
  return head + 'x' + tail;
}

function depthOf(el: XmlElement): number {
  let d = 1;
  for (let cur = el; ; d++) {
    const next = cur.children.find((c): c is XmlElement => typeof c !== 'string');
    if (next === undefined) return d;
    cur = next;
  }
}

describe('XML depth cap', () => {
  it(`accepts exactly ${MAX_XML_DEPTH} levels, on the fast path`, () => {
    const text = nested(MAX_XML_DEPTH);
    const fast = parseCommonXml(text);
    expect(fast).toBeDefined();
    expect(depthOf(fast!.documentElement)).toBe(MAX_XML_DEPTH);
    expect(fast).toStrictEqual(parseXmlTreeWithSaxes(text));
  });

  it('refuses one level more on both paths, naming the reply', () => {
    const text = nested(MAX_XML_DEPTH + 1);
    expect(parseCommonXml(text)).toBeUndefined();
    expect(() => parseXmlTreeWithSaxes(text)).toThrow(/nested deeper than 256/);
    const err = (() => {
      try {
        parseXml(text, 'hv01:5985: reply to Receive');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(LimitExceeded);
    expect((err as Error).message).toBe(
      'hv01:5985: reply to Receive (XML nesting) exceeds the limit of 256 nested elements — stopped reading it; no WS-Man reply or CLIXML record nests that deep — the host is misbehaving',
    );
  });

  it('a self-closing element one level too deep is refused too (both paths agree)', () => {
    const text = nested(MAX_XML_DEPTH).replace('x', '<leaf/>');
    expect(parseCommonXml(text)).toBeUndefined();
    expect(() => parseXml(text)).toThrow(LimitExceeded);
  });

  it('a very deep reply (100,000 levels, with a comment that forces saxes) fails cleanly, not with a stack overflow', () => {
    const text = `<!-- c -->${nested(100_000)}`;
    expect(() => parseXml(text)).toThrow(LimitExceeded);
    const envelope = `<s:Envelope xmlns:s="${NS.soap}"><s:Body>${nested(100_000)}</s:Body></s:Envelope>`;
    expect(() => readResponse({ status: 200, body: envelope }, { action: 'Receive', host: 'hv01:5985' })).toThrow(/^hv01:5985: reply to Receive \(XML nesting\) exceeds/);
  });
});

describe('namespace scopes', () => {
  it('deeply shadowed prefixes resolve to the innermost binding, and unwind on close', () => {
    // Each level rebinds p to its own URI every third level; siblings after the deep branch see the outer one.
    const text =
      `<p:root xmlns:p="urn:0">` +
      nested(
        200,
        (i) => (i % 3 === 0 ? `<p:n xmlns:p="urn:${i + 1}">` : '<p:n>'),
        () => '</p:n>',
      ) +
      '<p:after/></p:root>';
    const tree = parseXmlTree(text);
    expect(tree).toStrictEqual(parseXmlTreeWithSaxes(text));
    expect(parseCommonXml(text)).toBeDefined();
    const uris: string[] = [];
    for (let el: XmlElement | undefined = tree.documentElement.children[0] as XmlElement; el; el = el.children.find((c): c is XmlElement => typeof c !== 'string')) {
      uris.push(el.namespaceURI);
    }
    expect(uris[0]).toBe('urn:1');
    expect(uris[2]).toBe('urn:1');
    expect(uris[3]).toBe('urn:4');
    expect(uris[199]).toBe('urn:199');
    const after = tree.documentElement.children[1] as XmlElement;
    expect(after.localName).toBe('after');
    expect(after.namespaceURI).toBe('urn:0');
  });

  it('a tag with thousands of attributes is parsed, and a late duplicate is still an error', () => {
    const attrs = Array.from({ length: 5000 }, (_, i) => `a${i}="${i}"`).join(' ');
    const ok = `<r xmlns:q="urn:q" ${attrs} q:a1="x"/>`;
    expect(parseCommonXml(ok)?.documentElement.attributes).toHaveLength(5002);
    const dup = `<r ${attrs} a4999="again"/>`;
    expect(parseCommonXml(dup)).toBeUndefined();
    expect(() => parseXml(dup)).toThrow(/duplicate attribute/);
  });
});

describe('DTDs are refused before parsing', () => {
  const bomb =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
    Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
    `]><s:Envelope xmlns:s="${NS.soap}"><s:Body>&lol9;</s:Body></s:Envelope>`;

  it('an entity bomb', () => {
    expect(() => readResponse({ status: 200, body: bomb }, { action: 'Receive', host: 'hv01:5985' })).toThrow(
      /^hv01:5985: reply to Receive contains a DTD or entity declaration/,
    );
  });

  it('a lower-case doctype and a bare ENTITY declaration', () => {
    expect(() => parseXml('<!doctype r><r/>')).toThrow(ProtocolError);
    expect(() => parseXml('<r><!ENTITY x "y"></r>')).toThrow(/DTD or entity declaration/);
  });
});
