import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCommonXml } from '../../../src/main/winrm/soap/xml-fast';
import { parseXmlTree, parseXmlTreeWithSaxes, type XmlDocument } from '../../../src/main/winrm/soap/xml-tree';
import { ACTION, NS, buildEnvelope, path } from '../../../src/main/winrm/soap';
import {
  commandSpec,
  createShellSpec,
  receiveSpec,
  sendSpec,
  signalSpec,
} from '../../../src/main/winrm/winrs';
import { FIXTURES } from './support/replay-server';
import { responseEnvelope } from '../../lab/wsman/soap';

function xmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return xmlFiles(full);
    return name.endsWith('.xml') ? [full] : [];
  });
}

const captures = xmlFiles(resolve(FIXTURES)).map((file) => ({ file, text: readFileSync(file, 'utf8') }));

/** saxes' answer: the tree, or the message of the error it reports. */
function reference(text: string): XmlDocument | { error: string } {
  try {
    return parseXmlTreeWithSaxes(text);
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The contract of the fast path: saxes' exact tree, or undefined (never a tree saxes would refuse). */
function expectAgreement(text: string): XmlDocument | undefined {
  const fast = parseCommonXml(text);
  const ref = reference(text);
  if (fast !== undefined) expect(fast).toStrictEqual(ref);
  // Whichever path runs, parseXmlTree answers exactly as saxes does.
  if ('error' in ref) expect(() => parseXmlTree(text)).toThrow(ref.error);
  else expect(parseXmlTree(text)).toStrictEqual(ref);
  return fast;
}

describe('fast XML path: the documents WinRM exchanges', () => {
  it('builds the same tree as saxes for every real capture, without falling back', () => {
    expect(captures.length).toBeGreaterThan(200);
    // The CLIXML samples start with "#< CLIXML", which is not XML: both parsers refuse them as they are.
    const wellFormed = captures.filter(({ text }) => !('error' in reference(text)));
    expect(wellFormed.length).toBeGreaterThan(200);
    const fellBack = wellFormed
      .filter(({ text }) => expectAgreement(text) === undefined)
      .map(({ file }) => file);
    expect(fellBack).toEqual([]);
    for (const { text } of captures.filter((c) => c.file.includes('clixml'))) {
      expect(expectAgreement(text.slice(text.indexOf('<Objs')))).toBeDefined();
    }
  });

  it('takes the fast path for the envelopes we send', () => {
    const to = 'http://hv01:5985/wsman?a=1&b=2';
    const specs = [
      createShellSpec({
        workingDirectory: 'C:\\Temp & <x>',
        environment: { A: 'it\'s "quoted"\r\n\ttabbed' },
        idleTimeoutS: 60,
      }),
      commandSpec('S-1', 'powershell.exe', ['-NoProfile', '-Command', '& { "a<b" }']),
      receiveSpec('S-1', 'C-1'),
      sendSpec('S-1', 'C-1', Buffer.alloc(96 * 1024, 7), true),
      signalSpec('S-1', 'C-1', 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate'),
      { action: ACTION.delete, selectors: { ShellId: 'S-1' } },
    ];
    for (const spec of specs) {
      const { xml } = buildEnvelope({ ...spec, to, operationTimeoutS: 20 });
      expect(expectAgreement(xml)).toBeDefined();
    }
  });

  it("takes the fast path for the simulated lab's replies", () => {
    const id = '5B6C7D8E-9F00-4112-8334-455667788990';
    const streams = `<rsp:Stream Name="stdout" CommandId="${id}">${Buffer.from('{"ok":true}').toString('base64')}</rsp:Stream><rsp:Stream Name="stdout" CommandId="${id}" End="true"></rsp:Stream>`;
    const state = `<rsp:CommandState CommandId="${id}" State="${NS.shell}/CommandState/Done"><rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState>`;
    const xml = responseEnvelope(
      `${NS.shell}/ReceiveResponse`,
      'uuid:1',
      `<rsp:ReceiveResponse>${streams}${state}</rsp:ReceiveResponse>`,
    );
    expect(expectAgreement(xml)).toBeDefined();
  });

  it('keeps a large base64 stream as one text node', () => {
    const payload = Buffer.alloc(40_000, 'output ').toString('base64');
    const xml = `<s:Envelope xmlns:s="${NS.soap}" xml:lang="en-US"><s:Body><rsp:ReceiveResponse xmlns:rsp="${NS.shell}"><rsp:Stream Name="stdout">${payload}</rsp:Stream></rsp:ReceiveResponse></s:Body></s:Envelope>`;
    const doc = expectAgreement(xml)!;
    const stream = path(
      doc,
      [NS.soap, 'Envelope'],
      [NS.soap, 'Body'],
      [NS.shell, 'ReceiveResponse'],
      [NS.shell, 'Stream'],
    );
    expect(stream?.children).toEqual([payload]);
  });
});

describe('fast XML path: namespaces, entities, CDATA, attributes', () => {
  const accepted = [
    // Default namespace, redeclared, then undeclared; prefixes shadowed in a child.
    '<a xmlns="urn:one"><b xmlns="urn:two"><c xmlns=""/></b><p:d xmlns:p="urn:p"><p:e xmlns:p="urn:q" p:at="1" at="2"/></p:d></a>',
    // The xml prefix is bound without a declaration; the xmlns attributes themselves are listed.
    '<a xml:lang="en-US" xmlns:x="  urn:trimmed  "><x:b/></a>',
    // The same local name in two namespaces is not a duplicate.
    '<a xmlns:p="urn:p" xmlns:q="urn:q" p:n="1" q:n="2" n="3"/>',
    // Entities and character references in text and attributes; references are not normalised.
    '<a t="&lt;&gt;&amp;&quot;&apos;&#10;&#x9;&#13;">&lt;x&gt; &amp; &#65;&#x42;&#x1F600; &#13;</a>',
    // Whitespace in attribute values becomes spaces; CR LF and lone CR become LF in text.
    '<a t="1\t2\n3\r\n4\r5">x\r\ny\rz\n</a>',
    // CDATA: markup characters kept, "]]]>" ends after the first "]", CR LF normalised, empty dropped.
    '<a>t<![CDATA[<b>&amp;</b>]]>u<![CDATA[x]]]><![CDATA[]]><![CDATA[\r\n]]></a>',
    // ">" and "]]" are allowed in text; single quotes, spaces around "=", whitespace before ">".
    "<a  b = 'x\"y' \n c='>' >]] > ]></a >",
    // Declarations accepted by saxes; whitespace around the root.
    '<?xml version="1.0" encoding="utf-8"?>\n<a/>\n',
    "<?xml version='1.0' encoding='UTF-16' standalone='no' ?><a/>",
    // Non-ASCII text and surrogate pairs, names with digits, dots, dashes and underscores.
    '<_a.b-1 x_1="é😀">日本語 😀</_a.b-1>',
  ];
  for (const xml of accepted) {
    it(`agrees with saxes and stays fast: ${JSON.stringify(xml).slice(0, 70)}`, () => {
      expect(expectAgreement(xml)).toBeDefined();
    });
  }

  const refused = [
    '<a><b></a>', // mismatched close tag
    '<a>', // unclosed
    '<a/><b/>', // two roots
    'x<a/>', // text before the root
    '<a/>x', // text after the root
    '', // no root
    '<p:a/>', // unbound prefix
    '<a p:b="1"/>', // unbound attribute prefix
    '<a xmlns:p=""/>', // undeclaring a prefix (XML 1.0)
    '<a xmlns:p="urn:x" xmlns:q="urn:x" p:b="1" q:b="2"/>', // duplicate {uri}local
    '<a b="1" b="2"/>', // duplicate attribute
    '<a b="1"c="2"/>', // no whitespace between attributes
    '<a b=1/>', // unquoted value
    '<a b="<"/>', // "<" in a value
    '<a>]]></a>', // "]]>" in text
    '<a>&bogus;</a>', // undefined entity
    '<a>&#X41;</a>', // uppercase X is not a character reference
    '<a>&#0;</a>', // reference to a non-character
    '<a>&lt</a>', // unterminated reference
    '<a>\u0001</a>', // forbidden control character
    '<a>\uFFFE</a>', // non-character
    '<a b="\uD800"/>', // lone surrogate (saxes has its own view of these)
    '<xmlns:a/>', // reserved prefix on an element
    '<a xmlns:xml="urn:not-xml"/>', // rebinding xml
    '<a xmlns:p="http://www.w3.org/2000/xmlns/"/>', // binding the xmlns namespace
    '<a:b:c xmlns:a="urn:a"/>', // two colons
    '<é/>', // non-ASCII name (saxes accepts it; the fast path leaves it to saxes)
    '<a><!-- comment --></a>', // comments go to saxes
    '<?pi data?><a/>', // processing instructions go to saxes
    '\uFEFF<a/>', // byte order mark goes to saxes
    ' <?xml version="1.0"?><a/>', // declaration not at the start
    '<?xml version="1.1"?><a/>', // XML 1.1 has other character rules
    '<?xml encoding="utf-8" version="1.0"?><a/>', // wrong order
    '<!DOCTYPE a><a/>', // DTDs go to saxes (parseXml refuses them before either)
    '<a><![CDATA[x</a>', // unterminated CDATA
    '<![CDATA[x]]><a/>', // CDATA outside the root
  ];
  for (const xml of refused) {
    it(`leaves ${JSON.stringify(xml)} to saxes`, () => {
      expect(expectAgreement(xml)).toBeUndefined();
    });
  }
});

describe('property: the fast path never disagrees with saxes', () => {
  const name = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.constantFrom(
        'a',
        'b',
        'rsp:Stream',
        's:Body',
        'p:q',
        'x',
        'xml:lang',
        '_a.b-1',
        'u:v',
        'P',
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('xmlns', 'xmlns:p', 'a:b:c', '1a', 'é', 'xmlns:xml', 'z:unbound'),
    },
  );
  const valuePiece = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        'plain',
        'urn:p',
        'http://www.w3.org/2003/05/soap-envelope',
        '',
        ' ',
        'x y',
        'é',
        '😀',
        '>',
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom('&amp;', '&lt;', '&#10;', '&#x9;', '&#13;', '\t', '\n', '\r\n', '\r', ']]>'),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '<',
        '&bogus;',
        '&#X41;',
        '&#0;',
        '&',
        '"',
        "'",
        '\u0001',
        '\uFFFE',
        '\uD800',
        'http://www.w3.org/2000/xmlns/',
      ),
    },
  );
  const valuePieces = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.array(
        valuePiece.filter((v) => v.length < 3 || v[0] !== '&' || v.endsWith(';')),
        { maxLength: 3 },
      ),
    },
    { weight: 1, arbitrary: fc.array(valuePiece, { maxLength: 4 }) },
  );
  const textPiece = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom('text', ' ', 'QUJDRA==', 'é 😀', '>', ']]', '\n') },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        '&lt;',
        '&amp;',
        '&#13;',
        '&#x1F600;',
        '\r\n',
        '\r',
        '<![CDATA[x]]>',
        '<![CDATA[a]]]>',
        '<![CDATA[\r\n]]>',
        '<![CDATA[]]>',
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        ']]>',
        '&',
        '&bogus;',
        '<!--c-->',
        '<?pi x?>',
        '\u0000',
        '\uD800',
        '</x>',
        '<',
      ),
    },
  );
  const space = fc.constantFrom(' ', ' ', ' ', '\t', '\n', '\r\n', '  ', '');
  const attribute = fc
    .tuple(
      name,
      space,
      fc.constantFrom('=', '=', ' = ', '=\n'),
      fc.constantFrom('"', '"', "'", "'", ''),
      valuePieces,
    )
    .map(([n, sp, eq, q, pieces]) => `${sp}${n}${eq}${q}${pieces.join('')}${q}`);
  const declaration = fc.constantFrom(
    ' xmlns="urn:d"',
    ' xmlns=""',
    ' xmlns:p="urn:p"',
    ' xmlns:u="urn:u"',
    ' xmlns:s="http://www.w3.org/2003/05/soap-envelope"',
    ' xmlns:rsp="urn:rsp"',
    ' xmlns:p=""',
    ' xmlns:p=" urn:t "',
  );
  const { element } = fc.letrec<{ element: string; node: string }>((tie) => ({
    element: fc
      .tuple(
        name,
        fc.array(fc.oneof(declaration, declaration, attribute), { maxLength: 4 }),
        fc.oneof(
          { weight: 1, arbitrary: fc.constant(undefined) },
          { weight: 3, arbitrary: fc.array(tie('node'), { maxLength: 4 }) },
        ),
        fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: name }),
        space,
      )
      .map(([n, attrs, content, closeName, sp]) =>
        content === undefined
          ? `<${n}${attrs.join('')}${sp}/>`
          : `<${n}${attrs.join('')}${sp}>${content.join('')}</${closeName ?? n}>`,
      ),
    node: fc.oneof(
      { weight: 2, arbitrary: fc.array(textPiece, { minLength: 1, maxLength: 3 }).map((p) => p.join('')) },
      { weight: 1, arbitrary: tie('element') },
    ),
  }));
  // Usually inside a root that binds the prefixes the names use.
  const wrapper = fc.constantFrom<[string, string]>(
    ['', ''],
    [`<root xmlns:p="urn:p" xmlns:u="urn:u" xmlns:s="${NS.soap}" xmlns:rsp="${NS.shell}">`, '</root>'],
  );
  const prolog = fc.constantFrom(
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '<?xml version="1.0" encoding="utf-8"?>',
    "<?xml version='1.0'?>\n",
    ' <?xml version="1.0"?>',
    '<?xml version="1.1"?>',
    '\uFEFF',
    '<!--c-->',
    '\n',
    '<?xml version="1.0" standalone="maybe"?>',
  );
  const epilog = fc.constantFrom('', '', '', '', '', '', '', '', ' \n', 'x', '<a/>', '<!--c-->');

  it('generated documents: same tree or undefined, and parseXmlTree answers as saxes', () => {
    let fast = 0;
    fc.assert(
      fc.property(prolog, wrapper, element, epilog, (pre, [open, close], root, post) => {
        if (expectAgreement(`${pre}${open}${root}${close}${post}`) !== undefined) fast++;
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: a good share of the generated documents are valid and take the fast path.
    expect(fast).toBeGreaterThan(250);
  });

  it('mutated real captures (cuts, splices, inserted markup)', () => {
    const texts = captures.map((c) => c.text);
    const insert = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom(
        '<',
        '>',
        '&',
        '&amp;',
        ']]>',
        '"',
        '</',
        '/>',
        ' xmlns:q=""',
        '\r',
        '\u0000',
        '<![CDATA[',
        ':',
      ),
    );
    fc.assert(
      fc.property(
        fc.nat({ max: texts.length - 1 }),
        fc.nat(),
        fc.nat({ max: 12 }),
        insert,
        (which, at, len, ins) => {
          const base = texts[which]!;
          const pos = at % (base.length + 1);
          expectAgreement(base.slice(0, pos) + ins + base.slice(pos + len));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
