import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ResponseParser, header, type HttpResponse } from '../../../src/main/winrm/http/http1';
import { ProtocolError } from '../../../src/main/winrm/errors';

/** Feeds `raw` in pieces cut at `cuts`; returns the response (ending the stream if needed). */
function parse(raw: Buffer, cuts: number[] = []): HttpResponse {
  const parser = new ResponseParser();
  const points = [...new Set(cuts.map((c) => c % (raw.length + 1)))].sort((a, b) => a - b);
  let last = 0;
  let result: HttpResponse | undefined;
  for (const p of [...points, raw.length]) {
    if (p <= last && p !== raw.length) continue;
    const piece = raw.subarray(last, p);
    last = p;
    if (piece.length > 0 && result === undefined) result = parser.push(Buffer.from(piece));
  }
  return result ?? parser.end();
}

const body = Buffer.from('<s:Envelope>ü</s:Envelope>');
const withLength = Buffer.concat([
  Buffer.from(
    `HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nWWW-Authenticate: Negotiate abc\r\nWWW-Authenticate: Basic realm="WSMAN"\r\nContent-Length: ${body.length}\r\n\r\n`,
  ),
  body,
]);
const chunked = Buffer.concat([
  Buffer.from('HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n'),
  body.subarray(0, 5),
  Buffer.from(`\r\n${(body.length - 5).toString(16)};ext=1\r\n`),
  body.subarray(5),
  Buffer.from('\r\n0\r\nX-Trailer: 1\r\n\r\n'),
]);

describe('HTTP/1.1 response parser', () => {
  it('Content-Length body, repeated headers kept', () => {
    const res = parse(withLength);
    expect(res.status).toBe(200);
    expect(res.body.equals(body)).toBe(true);
    expect(res.headers.get('www-authenticate')).toEqual(['Negotiate abc', 'Basic realm="WSMAN"']);
    expect(header(res, 'Content-Type')).toBe('application/soap+xml');
    expect(res.close).toBe(false);
  });

  it('chunked body with extensions and trailers', () => {
    const res = parse(chunked);
    expect(res.status).toBe(500);
    expect(res.body.equals(body)).toBe(true);
  });

  it('any split of the byte stream gives the same response', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(withLength, chunked),
        fc.array(fc.nat(), { maxLength: 12 }),
        (raw, cuts) => {
          expect(parse(raw, cuts).body.equals(body)).toBe(true);
        },
      ),
    );
  });

  it('close-delimited body (no length) completes at end of stream and marks close', () => {
    const res = parse(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\n\r\n'), body]));
    expect(res.body.equals(body)).toBe(true);
    expect(res.close).toBe(true);
  });

  it('Connection: close is reported', () => {
    expect(
      parse(Buffer.from('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')).close,
    ).toBe(true);
  });

  it('truncated body → ProtocolError at end of stream', () => {
    expect(() => parse(withLength.subarray(0, withLength.length - 3))).toThrow(ProtocolError);
  });

  it('rejects conflicting Content-Length and oversized bodies', () => {
    expect(() =>
      parse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd')),
    ).toThrow(/Content-Length/);
    expect(() => parse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n'))).toThrow(
      /exceeds/,
    );
  });

  it('fuzz: arbitrary bytes only ever raise ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), fc.array(fc.nat(), { maxLength: 5 }), (bytes, cuts) => {
        try {
          parse(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n'), Buffer.from(bytes)]), cuts);
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a response dripped one byte at a time (long head, long chunk line) parses exactly', () => {
    const longHeader = `X-Long: ${'a'.repeat(20_000)}`;
    const raw = Buffer.concat([
      Buffer.from(`HTTP/1.1 200 OK\r\n${longHeader}\r\nTransfer-Encoding: chunked\r\n\r\n3;${'e'.repeat(5000)}\r\n`),
      Buffer.from('abc\r\n4\r\ndefg\r\n0\r\nX-T: 1\r\n\r\n'),
    ]);
    const parser = new ResponseParser();
    let res: HttpResponse | undefined;
    for (let i = 0; i < raw.length; i++) {
      res = parser.push(Buffer.from(raw.subarray(i, i + 1)));
      if (res !== undefined) expect(i).toBe(raw.length - 1);
    }
    expect(res?.body.toString()).toBe('abcdefg');
    expect(res?.headers.get('x-long')).toEqual(['a'.repeat(20_000)]);
  });

  it('the body cap applies to a close-delimited body while it arrives, naming the host', () => {
    const parser = new ResponseParser('hv01:5985', 1000);
    parser.push(Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n'));
    parser.push(Buffer.alloc(600));
    expect(() => parser.push(Buffer.alloc(600))).toThrow(/^hv01:5985: HTTP response body exceeds the limit of 1000 bytes/);
  });
});
