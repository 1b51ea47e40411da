import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ProtocolError } from '../../../src/main/winrm/errors';
import { NS, readResponse } from '../../../src/main/winrm/soap';
import { decodeBase64Stream, readReceive } from '../../../src/main/winrm/winrs/messages';

/** What a Receive stream accepted before: the alphabet, then at most two '=' (after whitespace removal). */
const STRICT = /^[A-Za-z0-9+/]*={0,2}$/;

function receive(streamText: string): ReturnType<typeof readReceive> {
  const body = `<s:Envelope xmlns:s="${NS.soap}" xmlns:rsp="${NS.shell}"><s:Body><rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="C1">${streamText}</rsp:Stream><rsp:CommandState CommandId="C1" State="${NS.shell}/CommandState/Done"><rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse></s:Body></s:Envelope>`;
  return readReceive(readResponse({ status: 200, body }, { action: 'Receive' }), 'C1');
}

describe('base64 of Receive streams', () => {
  it('accepts exactly what the strict pattern accepts and decodes as Buffer does', () => {
    const alphabet = fc.constantFrom(
      ...'ABCXYZabcxyz0189+/=-_!.é'.split(''),
      'QQ',
      'QR==',
      'QUJD',
      'YQ',
      '=',
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        const decoded = decodeBase64Stream(text);
        if (STRICT.test(text)) expect(Buffer.from(decoded!).equals(Buffer.from(text, 'base64'))).toBe(true);
        else expect(decoded).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips arbitrary bytes (canonical base64, the common case)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (bytes) => {
        expect(
          Buffer.from(decodeBase64Stream(Buffer.from(bytes).toString('base64'))!).equals(Buffer.from(bytes)),
        ).toBe(true);
      }),
    );
  });

  it('still accepts unpadded and non-canonical but valid input, and refuses URL-safe or padded-in-the-middle text', () => {
    expect(Buffer.from(decodeBase64Stream('YWJj')!).toString()).toBe('abc');
    expect(Buffer.from(decodeBase64Stream('YWI')!).toString()).toBe('ab');
    expect(Buffer.from(decodeBase64Stream('YR==')!).toString('hex')).toBe(
      Buffer.from('YR==', 'base64').toString('hex'),
    );
    expect(decodeBase64Stream('YW-_')).toBeUndefined();
    expect(decodeBase64Stream('YQ==YQ==')).toBeUndefined();
    expect(decodeBase64Stream('YWJj===')).toBeUndefined();
  });

  it('readReceive decodes wrapped base64 and names the stream of a bad chunk', () => {
    const wrapped = Buffer.from('hello, world')
      .toString('base64')
      .replace(/(.{4})/g, '$1\r\n ');
    expect(Buffer.from(receive(wrapped).chunks[0]!.bytes).toString()).toBe('hello, world');
    expect(() => receive('aGVsbG8*')).toThrow(ProtocolError);
    expect(() => receive('aGVsbG8*')).toThrow('the Receive reply has a stdout chunk that is not base64');
  });
});
