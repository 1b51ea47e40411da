import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { WinrmError, WinrmFault, ProtocolError } from '../../../src/main/winrm/errors';
import { ACTION, NS, buildEnvelope, escapeXml, parseXml, readResponse, path, textOf, attr } from '../../../src/main/winrm/soap';
import { readReceive } from '../../../src/main/winrm/winrs';
import { FIXTURES } from './support/replay-server';

const EXPLODED = resolve(FIXTURES, 'exploded/winrs');
const responses = readdirSync(EXPLODED).flatMap((dir) =>
  readdirSync(resolve(EXPLODED, dir))
    .filter((f) => f.endsWith('.response.xml'))
    .map((f) => readFileSync(resolve(EXPLODED, dir, f), 'utf8')),
);

describe('envelope builder', () => {
  it('sends the standard header set, escaped values, and a fresh MessageID each time', () => {
    const a = buildEnvelope({
      to: 'http://hv01:5985/wsman?a=1&b=2',
      action: ACTION.command,
      selectors: { ShellId: 'ABC<&>' },
      options: [{ name: 'WINRS_SKIP_CMD_SHELL', value: 'FALSE' }],
      body: '<rsp:CommandLine/>',
      operationTimeoutS: 600,
    });
    const b = buildEnvelope({ to: 'x', action: ACTION.command });
    expect(a.messageId).not.toBe(b.messageId);
    const doc = parseXml(a.xml);
    const header = path(doc, [NS.soap, 'Envelope'], [NS.soap, 'Header'])!;
    const get = (ns: string, local: string): string => textOf(path(header, [ns, local]));
    expect(get(NS.addressing, 'To')).toBe('http://hv01:5985/wsman?a=1&b=2');
    expect(get(NS.addressing, 'Action')).toBe(ACTION.command);
    expect(get(NS.addressing, 'MessageID')).toBe(a.messageId);
    expect(get(NS.wsman, 'MaxEnvelopeSize')).toBe('153600');
    // Clamped to the server's default MaxTimeoutms of 60 s.
    expect(get(NS.wsman, 'OperationTimeout')).toBe('PT60S');
    expect(textOf(path(header, [NS.addressing, 'ReplyTo'], [NS.addressing, 'Address']))).toMatch(/role\/anonymous$/);
    expect(attr(path(header, [NS.wsman, 'Locale']), 'lang')).toBe('en-US');
    expect(attr(path(header, [NS.wsmv, 'DataLocale']), 'mustUnderstand')).toBe('false');
    expect(textOf(path(header, [NS.wsman, 'SelectorSet'], [NS.wsman, 'Selector']))).toBe('ABC<&>');
    expect(textOf(path(header, [NS.wsman, 'OptionSet'], [NS.wsman, 'Option']))).toBe('FALSE');
  });

  it('escapes any text so it parses back identically', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (value) => {
        const clean = value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
        const doc = parseXml(`<r a="${escapeXml(clean)}">${escapeXml(clean)}</r>`);
        expect(attr(doc.documentElement, 'a')).toBe(clean);
        expect(textOf(doc.documentElement!)).toBe(clean);
      }),
    );
  });

  it('leaves values without special characters untouched and escapes or refuses the rest', () => {
    const piece = fc.constantFrom('a', 'S-1-5', 'http://x/y?z', ' ', '\t', '\n', '\r', '&', '<', '>', '"', "'", '\u0001', '\uFFFE', '\uD800', '\uDC00', '😀', 'é');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const value = pieces.join('');
        const invalid = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/u.test(value);
        if (invalid) {
          expect(() => escapeXml(value)).toThrow(ProtocolError);
          return;
        }
        const escaped = escapeXml(value);
        if (!/[&<>"'\r]/.test(value)) expect(escaped).toBe(value);
        expect(escaped).not.toMatch(/[<>"'\r]|&(?!(?:amp|lt|gt|quot|apos|#13);)/);
        expect(attr(parseXml(`<r a="${escaped}"/>`).documentElement, 'a')).toBe(value.replace(/[\t\n]/g, ' '));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses characters XML cannot carry instead of dropping them', () => {
    expect(() => escapeXml('a\u0001b')).toThrow(ProtocolError);
    expect(() => escapeXml('\uD800')).toThrow(/U\+D800/);
  });
});

describe('reading replies', () => {
  it('reads every real WSManFault code from the captures', () => {
    const faults = responses.filter((r) => r.includes(':Fault>'));
    expect(faults.length).toBeGreaterThanOrEqual(4);
    const codes = faults.map((body) => {
      try {
        readResponse({ status: 500, body }, { action: 'Test' });
        return undefined;
      } catch (error) {
        expect(error).toBeInstanceOf(WinrmFault);
        return (error as WinrmFault).wsmanCode;
      }
    });
    expect(new Set(codes)).toEqual(new Set([2150858793, 2150858843, 87, 2147942402]));
  });

  it('does not depend on prefixes (OMI-style SOAP-ENV / wsman prefixes)', () => {
    const body = `<SOAP-ENV:Envelope xmlns:SOAP-ENV="${NS.soap}"><SOAP-ENV:Body><SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:Sender</SOAP-ENV:Value><SOAP-ENV:Subcode><SOAP-ENV:Value>wsman:QuotaLimit</SOAP-ENV:Value></SOAP-ENV:Subcode></SOAP-ENV:Code><SOAP-ENV:Reason><SOAP-ENV:Text>too many</SOAP-ENV:Text></SOAP-ENV:Reason><SOAP-ENV:Detail><q:WSManFault xmlns:q="${NS.wsmanFault}" Code="2150859173"><q:Message>The maximum number of concurrent shells for this user has been exceeded.</q:Message></q:WSManFault></SOAP-ENV:Detail></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>`;
    const error = (() => {
      try {
        readResponse({ status: 500, body }, { action: 'Create', host: 'hv01:5985' });
      } catch (e) {
        return e as WinrmFault;
      }
      throw new Error('no fault');
    })();
    expect(error.wsmanCode).toBe(2150859173);
    expect(error.subcode).toBe('wsman:QuotaLimit');
    expect(error.message).toBe('hv01:5985: WS-Man fault during Create (code 2150859173): The maximum number of concurrent shells for this user has been exceeded.');
  });

  it('a fault without WSManFault falls back to the SOAP reason', () => {
    const body = `<s:Envelope xmlns:s="${NS.soap}"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason><s:Text>Bad thing</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`;
    expect(() => readResponse({ status: 500, body }, { action: 'X' })).toThrow(/Bad thing/);
  });

  it('rejects DTDs and entity declarations before parsing', () => {
    const body = `<?xml version="1.0"?><!DOCTYPE s [<!ENTITY e SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="${NS.soap}"><s:Body>&e;</s:Body></s:Envelope>`;
    expect(() => readResponse({ status: 200, body }, { action: 'X' })).toThrow(ProtocolError);
  });

  it('rejects non-SOAP and empty replies with ProtocolError', () => {
    expect(() => readResponse({ status: 200, body: '' }, { action: 'X' })).toThrow(ProtocolError);
    expect(() => readResponse({ status: 200, body: '<html>hi</html>' }, { action: 'X' })).toThrow(/not a SOAP 1.2 envelope/);
    expect(() => readResponse({ status: 200, body: '<s:Envelope' }, { action: 'X' })).toThrow(ProtocolError);
  });

  it('decodes the recorded Receive payloads byte-exactly', () => {
    const body = readResponse({ status: 200, body: readFileSync(resolve(EXPLODED, 'test_winrs_unicode/02-Receive.response.xml'), 'utf8') }, { action: 'Receive' });
    const receive = readReceive(body, undefined);
    expect(receive.done).toBe(true);
    expect(receive.exitCode).toBe(0);
    expect(Buffer.concat(receive.chunks.map((c) => c.bytes)).toString('utf8')).toBe('こんにちは\n');
  });
});

describe('property: the reply parser only ever throws our typed errors', () => {
  const check = (body: string, status: number): void => {
    try {
      const parsed = readResponse({ status, body }, { action: 'Receive' });
      try {
        readReceive(parsed, undefined);
      } catch (error) {
        if (!(error instanceof WinrmError)) throw error;
      }
    } catch (error) {
      if (!(error instanceof WinrmError)) throw error;
    }
  };

  it('arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), fc.constantFrom(200, 500), (body, status) => check(body, status)), { numRuns: 500 });
  });

  it('mutated real replies (cuts, splices, byte flips)', () => {
    const mutation = fc.record({
      which: fc.nat({ max: responses.length - 1 }),
      at: fc.nat(),
      len: fc.nat({ max: 40 }),
      insert: fc.string({ maxLength: 20 }),
      status: fc.constantFrom(200, 500),
    });
    fc.assert(
      fc.property(mutation, ({ which, at, len, insert, status }) => {
        const base = responses[which]!;
        const pos = at % (base.length + 1);
        check(base.slice(0, pos) + insert + base.slice(pos + len), status);
      }),
      { numRuns: 1000 },
    );
  });

  it('XML-shaped garbage with our namespaces', () => {
    const tag = fc.constantFrom('s:Envelope', 's:Body', 's:Fault', 'rsp:ReceiveResponse', 'rsp:Stream', 'rsp:CommandState', 'f:WSManFault', 'x');
    const xmlish = fc.array(fc.oneof(tag.map((t) => `<${t}>`), tag.map((t) => `</${t}>`), fc.string({ maxLength: 8 })), { maxLength: 30 });
    fc.assert(
      fc.property(xmlish, (parts) => {
        const body = `<s:Envelope xmlns:s="${NS.soap}" xmlns:rsp="${NS.shell}" xmlns:f="${NS.wsmanFault}">${parts.join('')}</s:Envelope>`;
        check(body, 500);
      }),
      { numRuns: 500 },
    );
  });
});
