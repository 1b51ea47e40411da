/**
 * The fast path of parseXmlTree, for the documents WS-Man peers actually exchange: elements,
 * attributes, namespaces, text with the predefined entities and character references, CDATA and
 * an XML declaration, with ASCII names. saxes walks every character through a state machine,
 * which for a Receive reply means every character of ~30 KB of base64; here text runs are found
 * with indexOf and sliced, and the character checks are whole-document regular expressions.
 *
 * Contract: returns exactly the tree saxes builds (xml-tree.ts) or undefined. Anything outside
 * this subset (comments, processing instructions, a DOCTYPE, a BOM, non-ASCII names, lone
 * surrogates) and every well-formedness or namespace error returns undefined, so the caller
 * re-parses with saxes, which builds the tree or reports the error exactly as before. The fast
 * path may therefore be stricter than saxes, never more lenient (test/winrm/protocol/xml-tree
 * compares the two on generated and real documents).
 */
import { MAX_XML_DEPTH, type XmlAttribute, type XmlDocument, type XmlElement } from './xml-tree';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** XML 1.0 version, then optional encoding and standalone, in that order (what saxes accepts). */
const XML_DECL =
  /<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.0"|'1\.0')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"[A-Za-z][\w.-]*"|'[A-Za-z][\w.-]*'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>/y;
const ONLY_SPACES = /^[ \t\r\n]*$/;
const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9A-Fa-f]+));/y;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
/** Text that needs more than a slice: an entity, a CR to normalise, or the forbidden "]]>". */
const TEXT_NEEDS_WORK = /[&\r]|\]\]>/;
/**
 * Characters XML 1.0 forbids anywhere (C0 controls other than TAB, LF, CR; U+FFFE, U+FFFF). Split
 * into small classes on purpose: V8 scans for a handful of code units (or a range aligned to a
 * bit mask) many times faster than for the whole scattered set in one class.
 */
const FORBIDDEN_CHARS = [/[\x00-\x08]/, /[\x0B\x0C\x0E\x0F]/, /[\x10-\x1F]/, /[\uFFFE\uFFFF]/];
const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const COLON = 0x3a;
const AMP = 0x26;

interface Open {
  readonly element: XmlElement & { children: (XmlElement | string)[] };
  readonly qname: string;
  /** Prefix → URI declared on this element, if any. */
  readonly ns: Map<string, string> | undefined;
}

interface RawAttribute {
  readonly qname: string;
  readonly value: string;
}

/** Parses `text` if it is within the fast subset and well-formed; undefined means "ask saxes". */
export function parseCommonXml(text: string): XmlDocument | undefined {
  for (const re of FORBIDDEN_CHARS) if (re.test(text)) return undefined;
  if (SURROGATE.test(text) && LONE_SURROGATE.test(text)) return undefined;
  let start = 0;
  if (text.startsWith('<?xml')) {
    XML_DECL.lastIndex = 0;
    if (!XML_DECL.test(text)) return undefined;
    start = XML_DECL.lastIndex;
  }
  const root = new FastParser(text, start).document();
  return root === undefined ? undefined : { documentElement: root };
}

/** One parse; `pos` moves forward through `text`. Methods return false (or undefined) to give up. */
class FastParser {
  private readonly stack: Open[] = [];
  private readonly raw: RawAttribute[] = [];
  /**
   * Prefix → the URIs bound to it by the open elements, innermost last. Resolving a prefix is one
   * lookup instead of a walk up the open elements, which on a deep document made every element
   * cost its depth (quadratic in a hostile reply).
   */
  private readonly scope = new Map<string, string[]>();

  constructor(
    private readonly text: string,
    private pos: number,
  ) {}

  document(): XmlElement | undefined {
    const { text, stack } = this;
    let root: XmlElement | undefined;
    for (;;) {
      const lt = text.indexOf('<', this.pos);
      const end = lt < 0 ? text.length : lt;
      if (end > this.pos) {
        const raw = text.slice(this.pos, end);
        if (stack.length === 0) {
          // Outside the root element only whitespace may appear (saxes would report the rest).
          if (!ONLY_SPACES.test(raw)) return undefined;
        } else {
          const content = textContent(raw);
          if (content === undefined) return undefined;
          stack[stack.length - 1].element.children.push(content);
        }
      }
      if (lt < 0) break;
      const next = text.charCodeAt(lt + 1);
      if (next === SLASH) {
        if (!this.closeTag(lt + 2)) return undefined;
      } else if (next === BANG) {
        if (!this.cdata(lt)) return undefined;
      } else {
        if (root !== undefined && stack.length === 0) return undefined; // a second root element
        const element = this.openTag(lt + 1);
        if (element === undefined) return undefined;
        root ??= element;
      }
    }
    return root !== undefined && stack.length === 0 ? root : undefined;
  }

  /** The name at `pos` (advancing past it): an ASCII NCName, optionally prefix:local. */
  private name(): string | undefined {
    const { text } = this;
    const start = this.pos;
    let i = ncName(text, start);
    if (i < 0) return undefined;
    if (text.charCodeAt(i) === COLON) {
      i = ncName(text, i + 1);
      if (i < 0) return undefined;
    }
    this.pos = i;
    return text.slice(start, i);
  }

  /** Skips whitespace; true if there was any. */
  private spaces(): boolean {
    const { text } = this;
    const start = this.pos;
    let i = start;
    for (
      let c = text.charCodeAt(i);
      c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
      c = text.charCodeAt(++i)
    );
    this.pos = i;
    return i !== start;
  }

  /** A start tag from just after '<'; pushed on the stack unless self-closing. */
  private openTag(at: number): XmlElement | undefined {
    const { text, raw } = this;
    this.pos = at;
    const qname = this.name();
    if (qname === undefined) return undefined;
    raw.length = 0;
    let selfClosing: boolean;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c === GT) {
        selfClosing = false;
        this.pos += 1;
        break;
      }
      if (c === SLASH) {
        if (text.charCodeAt(this.pos + 1) !== GT) return undefined;
        selfClosing = true;
        this.pos += 2;
        break;
      }
      // Anything else must be whitespace, then an attribute, '>' or '/>'.
      if (!this.spaces()) return undefined;
      const d = text.charCodeAt(this.pos);
      if (d !== GT && d !== SLASH && !this.attribute()) return undefined;
    }

    const ns = declarations(raw);
    if (ns === null) return undefined;
    const colon = qname.indexOf(':');
    let namespaceURI: string | undefined;
    let localName = qname;
    if (colon < 0) {
      namespaceURI = this.resolve('', ns) ?? '';
    } else {
      const prefix = qname.slice(0, colon);
      namespaceURI = prefix === 'xmlns' ? undefined : this.resolve(prefix, ns);
      if (namespaceURI === undefined || namespaceURI === '') return undefined;
      localName = qname.slice(colon + 1);
    }

    const attributes: XmlAttribute[] = [];
    // Duplicates by qualified name or by {namespace}local are both errors. Tags have few
    // attributes, so a scan; past a handful, a set keeps a hostile tag with thousands linear.
    let seen: Set<string> | undefined;
    for (const { qname: attrName, value } of raw) {
      const split = attrName.indexOf(':');
      let uri: string | undefined = attrName === 'xmlns' ? XMLNS_NS : '';
      let local = attrName;
      if (split >= 0) {
        uri = this.resolve(attrName.slice(0, split), ns);
        if (uri === undefined) return undefined;
        local = attrName.slice(split + 1);
      }
      if (attributes.length < 8) {
        for (const other of attributes)
          if (other.localName === local && other.namespaceURI === uri) return undefined;
      } else {
        seen ??= new Set(attributes.map((a) => `${a.namespaceURI} ${a.localName}`));
        const key = `${uri} ${local}`;
        if (seen.has(key)) return undefined;
        seen.add(key);
      }
      attributes.push({ localName: local, namespaceURI: uri, value });
    }

    const { stack } = this;
    // Too deep: saxes re-parses and reports the depth limit (xml-tree.ts).
    if (stack.length >= MAX_XML_DEPTH) return undefined;
    const element = { namespaceURI, localName, attributes, children: [] as (XmlElement | string)[] };
    if (stack.length > 0) stack[stack.length - 1].element.children.push(element);
    if (!selfClosing) {
      stack.push({ element, qname, ns });
      if (ns !== undefined) for (const [prefix, uri] of ns) this.bind(prefix, uri);
    }
    return element;
  }

  /** Innermost binding of `prefix`: the tag's own declarations, then the open elements', then xml/xmlns. */
  private resolve(prefix: string, own: Map<string, string> | undefined): string | undefined {
    const uri = own?.get(prefix);
    if (uri !== undefined) return uri;
    const bound = this.scope.get(prefix);
    if (bound !== undefined && bound.length > 0) return bound[bound.length - 1];
    return prefix === 'xml' ? XML_NS : prefix === 'xmlns' ? XMLNS_NS : undefined;
  }

  private bind(prefix: string, uri: string): void {
    const bound = this.scope.get(prefix);
    if (bound === undefined) this.scope.set(prefix, [uri]);
    else bound.push(uri);
  }

  /** name = "value" (either quote) at `pos`, with references resolved and whitespace normalised. */
  private attribute(): boolean {
    const { text } = this;
    const qname = this.name();
    if (qname === undefined) return false;
    this.spaces();
    if (text.charCodeAt(this.pos) !== EQUALS) return false;
    this.pos += 1;
    this.spaces();
    const quote = text.charCodeAt(this.pos);
    if (quote !== DQUOTE && quote !== SQUOTE) return false;
    // One pass to the closing quote, noting whether the value needs more than a slice.
    let close = this.pos + 1;
    let plain = true;
    for (let c = text.charCodeAt(close); c !== quote; c = text.charCodeAt(++close)) {
      if (Number.isNaN(c)) return false;
      if (c === LT || c === AMP || c === 0x09 || c === 0x0a || c === 0x0d) plain = false;
    }
    let value: string | undefined = text.slice(this.pos + 1, close);
    if (!plain) {
      value = value.includes('<') ? undefined : decode(value, true);
      if (value === undefined) return false;
    }
    this.raw.push({ qname, value });
    this.pos = close + 1;
    return true;
  }

  /** A close tag from just after '</'; it must close the innermost open element. */
  private closeTag(at: number): boolean {
    this.pos = at;
    const qname = this.name();
    const { stack } = this;
    if (qname === undefined || stack.length === 0 || stack[stack.length - 1].qname !== qname) return false;
    this.spaces();
    if (this.text.charCodeAt(this.pos) !== GT) return false;
    this.pos += 1;
    const closed = stack.pop();
    if (closed?.ns !== undefined) for (const prefix of closed.ns.keys()) this.scope.get(prefix)?.pop();
    return true;
  }

  /** CDATA is the only <! construct handled here; comments and a DOCTYPE go to saxes. */
  private cdata(lt: number): boolean {
    const { text, stack } = this;
    if (stack.length === 0 || !text.startsWith('<![CDATA[', lt)) return false;
    const close = text.indexOf(']]>', lt + 9);
    if (close < 0) return false;
    const content = normaliseLineEnds(text.slice(lt + 9, close));
    if (content !== '') stack[stack.length - 1].element.children.push(content);
    this.pos = close + 3;
    return true;
  }
}

/**
 * ASCII name characters: letters and '_' may start a name; digits, '-' and '.' may follow. Names
 * have at most one colon; a name followed by anything unexpected (a non-ASCII letter, a second
 * colon) ends the fast path and saxes decides.
 */
const NAME_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  NAME_CHAR[c] = /[A-Za-z_]/.test(ch) ? 2 : /[0-9.-]/.test(ch) ? 1 : 0;
}

/** End of the colon-free name starting at `at`, or -1 if none starts there. */
function ncName(text: string, at: number): number {
  if (NAME_CHAR[text.charCodeAt(at)] !== 2) return -1;
  let i = at + 1;
  while (NAME_CHAR[text.charCodeAt(i)] > 0) i++;
  return i;
}

/**
 * The namespace declarations among a tag's attributes: undefined if none, null if one of them is
 * an error (or a binding of the reserved xml/xmlns prefixes or URIs, which saxes checks).
 */
function declarations(raw: readonly RawAttribute[]): Map<string, string> | undefined | null {
  let ns: Map<string, string> | undefined;
  for (const { qname, value } of raw) {
    let prefix: string;
    if (qname === 'xmlns') prefix = '';
    else if (qname.startsWith('xmlns:')) prefix = qname.slice(6);
    else continue;
    // saxes binds the trimmed value; an empty prefixed binding is an error in XML 1.0.
    const uri = value.trim();
    if (prefix === 'xml' || prefix === 'xmlns' || uri === XML_NS || uri === XMLNS_NS) return null;
    if (prefix !== '' && uri === '') return null;
    ns ??= new Map();
    ns.set(prefix, uri);
  }
  return ns;
}

/** Character data between two tags, or undefined for "]]>" and unknown or malformed references. */
function textContent(raw: string): string | undefined {
  if (!TEXT_NEEDS_WORK.test(raw)) return raw;
  if (raw.includes(']]>')) return undefined;
  return decode(raw, false);
}

/**
 * Resolves references and normalises line ends (CR LF and lone CR become LF); in attribute values
 * TAB and LF then become spaces. Characters produced by references are not normalised.
 */
function decode(raw: string, inAttribute: boolean): string | undefined {
  let out = '';
  let from = 0;
  for (let amp = raw.indexOf('&'); amp >= 0; amp = raw.indexOf('&', from)) {
    out += normalise(raw.slice(from, amp), inAttribute);
    ENTITY.lastIndex = amp;
    const m = ENTITY.exec(raw);
    if (m === null) return undefined;
    const resolved =
      m[1] !== undefined
        ? PREDEFINED[m[1]]
        : characterReference(m[2] !== undefined ? Number.parseInt(m[2], 10) : Number.parseInt(m[3], 16));
    if (resolved === undefined) return undefined;
    out += resolved;
    from = ENTITY.lastIndex;
  }
  return out + normalise(raw.slice(from), inAttribute);
}

function normalise(s: string, inAttribute: boolean): string {
  const lines = normaliseLineEnds(s);
  return inAttribute ? lines.replace(/[\t\n]/g, ' ') : lines;
}

function normaliseLineEnds(s: string): string {
  return s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s;
}

/** A character reference must name an XML 1.0 Char. */
function characterReference(code: number): string | undefined {
  const valid =
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff);
  return valid ? String.fromCodePoint(code) : undefined;
}
