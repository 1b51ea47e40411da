/**
 * The client refuses a CHALLENGE that would weaken the session, over real sockets against our
 * test WS-Man server told to withhold flags (as a downgrading host or a meddler would), and on a
 * sealed channel refuses any reply body that is not sealed, whatever its HTTP status.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HttpWsmanTransport } from '../../../src/main/winrm/http/transport';
import { AuthFailed, NtlmDowngradeRefused, ProtocolError } from '../../../src/main/winrm/errors';
import { Flags } from '../../../src/main/winrm/ntlm';
import { selfSignedCertificate, startTestServer, type TestServer, type TestServerOptions } from './support/wsman-test-server';

const servers: TestServer[] = [];
const transports: HttpWsmanTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(options: TestServerOptions): Promise<TestServer> {
  const s = await startTestServer(options);
  servers.push(s);
  return s;
}

function client(url: string, extra: Partial<ConstructorParameters<typeof HttpWsmanTransport>[0]> = {}): HttpWsmanTransport {
  const t = new HttpWsmanTransport({ endpoint: url, auth: 'ntlm', username: 'administrator', password: 'Secret#1', ...extra });
  transports.push(t);
  return t;
}

const weakenings: Array<{ name: string; weak: NonNullable<NonNullable<TestServerOptions['ntlm']>['weakChallenge']>; missing: RegExp; absentFlag?: string }> = [
  { name: 'no 128-bit keys', weak: { withholdFlags: Flags.NEGOTIATE_128 }, missing: /128-bit session keys/, absentFlag: '128' },
  { name: 'no key exchange', weak: { withholdFlags: Flags.KEY_EXCH }, missing: /session key exchange/, absentFlag: 'KEY_EXCH' },
  { name: 'no signing', weak: { withholdFlags: Flags.SIGN }, missing: /message signing/, absentFlag: 'SIGN' },
  { name: 'no sealing', weak: { withholdFlags: Flags.SEAL }, missing: /message sealing/, absentFlag: 'SEAL' },
  { name: 'no extended session security', weak: { withholdFlags: Flags.EXTENDED_SESSIONSECURITY }, missing: /extended session security/, absentFlag: 'EXTENDED_SESSIONSECURITY' },
  { name: 'no timestamp, so no MIC', weak: { omitTimestamp: true }, missing: /MsvAvTimestamp.*no MIC/ },
];

describe('NTLM downgrade refusals over plain HTTP (sealing required)', () => {
  for (const { name, weak, missing, absentFlag } of weakenings) {
    it(`refuses a challenge with ${name}, naming the host and what it offered, before sending credentials`, async () => {
      const s = await server({ ntlm: { weakChallenge: weak } });
      const err = await client(s.url).post('<x/>').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NtlmDowngradeRefused);
      const refusal = err as NtlmDowngradeRefused;
      expect(refusal.code).toBe('INSECURE_CONFIG');
      expect(refusal.host).toBe(`127.0.0.1:${s.port}`);
      expect(refusal.message).toContain(`127.0.0.1:${s.port}`);
      expect(refusal.message).toMatch(missing);
      expect(refusal.message).toMatch(/the host offered: [A-Z_0-9, ]+\)/);
      expect(refusal.missing).toHaveLength(1);
      if (absentFlag !== undefined) expect(refusal.offered).not.toContain(absentFlag);
      expect(refusal.offered).toContain('NTLM');
      // NEGOTIATE only: no AUTHENTICATE (no response to the password) and no SOAP request reached it.
      expect(s.auth.negotiations).toBe(1);
      expect(s.stats.requests).toBe(1);
      expect(s.stats.soapRequests).toBe(0);
    });
  }

  it('lists every missing protection when several are withheld', async () => {
    const s = await server({ ntlm: { weakChallenge: { withholdFlags: Flags.NEGOTIATE_128 | Flags.KEY_EXCH | Flags.SEAL, omitTimestamp: true } } });
    const err = (await client(s.url).post('<x/>').catch((e: unknown) => e)) as NtlmDowngradeRefused;
    expect(err).toBeInstanceOf(NtlmDowngradeRefused);
    expect(err.missing).toHaveLength(4);
  });

  it('a full-strength challenge still authenticates and seals', async () => {
    const s = await server({});
    const res = await client(s.url).post('<ok/>');
    expect(res.body).toBe('<reply><ok/></reply>');
    expect(s.stats.lastSealed).toBe(true);
  });
});

describe('NTLM over HTTPS (TLS protects the messages)', () => {
  it('accepts a challenge without signing and sealing, but still refuses one without 128-bit keys', async () => {
    const cert = await selfSignedCertificate();
    const unsigned = await server({ tls: cert, allowUnencrypted: true, ntlm: { weakChallenge: { withholdFlags: Flags.SIGN | Flags.SEAL } } });
    expect((await client(unsigned.url, { caPem: cert.cert }).post('<tls/>')).body).toBe('<reply><tls/></reply>');

    const weak = await server({ tls: cert, allowUnencrypted: true, ntlm: { weakChallenge: { withholdFlags: Flags.NEGOTIATE_128 } } });
    const err = await client(weak.url, { caPem: cert.cert }).post('<tls/>').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NtlmDowngradeRefused);
    expect((err as Error).message).toMatch(/128-bit/);
  });
});

describe('unsealed reply bodies on a sealed channel', () => {
  for (const status of [200, 500, 401, 404]) {
    it(`refuses a plain-text HTTP ${status} body to a sealed request`, async () => {
      const s = await server({ unsealedReplies: true, respond: () => ({ status, xml: '<s:Envelope>forged</s:Envelope>' }) });
      const err = await client(s.url).post('<x/>').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProtocolError);
      expect(err).not.toBeInstanceOf(AuthFailed);
      const message = (err as Error).message;
      expect(message).toContain(`127.0.0.1:${s.port}`);
      expect(message).toContain(`unencrypted HTTP ${status} response`);
      expect(message).not.toContain('forged');
      // The request itself was sealed and reached the service.
      expect(s.stats.lastSealed).toBe(true);
    });
  }

  it('refuses it on an already authenticated connection too (second request)', async () => {
    let calls = 0;
    const s = await server({
      respond: () => ({ status: 200, xml: '<a/>' }),
    });
    const t = client(s.url);
    await t.post('<first/>');
    // From now on the server answers in plain text.
    const original = s.auth.reply.bind(s.auth);
    s.auth.reply = (connection, xml) => {
      calls++;
      return original(connection, xml, false);
    };
    const err = await t.post('<second/>').catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/unencrypted HTTP 200 response .* NTLM-encrypted connection/);
  });

  it('a 401 with an empty body after AUTHENTICATE is still a plain authentication failure', async () => {
    const s = await server({ password: 'other' });
    const err = await client(s.url).post('<x/>').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthFailed);
  });
});
