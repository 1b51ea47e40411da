import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpWsmanTransport } from '../../../src/main/winrm/http/transport';
import { AuthFailed, InsecureConfig, TlsFailed } from '../../../src/main/winrm/errors';
import { channelBindingsHash } from '../../../src/main/winrm/ntlm';
import { selfSignedCertificate, startTestServer, type TestServer } from './support/wsman-test-server';

let cert: Awaited<ReturnType<typeof selfSignedCertificate>>;
let ntlmServer: TestServer;
let basicServer: TestServer;
let plainBasicServer: TestServer;

beforeAll(async () => {
  cert = await selfSignedCertificate();
  const der = new X509Certificate(cert.cert).raw;
  // Strict channel binding: the server only accepts NTLM bound to its own certificate.
  ntlmServer = await startTestServer({
    tls: cert,
    allowUnencrypted: true,
    requiredChannelBindings: channelBindingsHash(der),
  });
  basicServer = await startTestServer({ tls: cert, allowBasic: true, allowUnencrypted: true });
  plainBasicServer = await startTestServer({ allowBasic: true, allowUnencrypted: true });
});

afterAll(async () => {
  await Promise.all([ntlmServer, basicServer, plainBasicServer].map((s) => s?.close()));
});

function transport(
  endpoint: string,
  extra: Partial<ConstructorParameters<typeof HttpWsmanTransport>[0]> = {},
) {
  return new HttpWsmanTransport({
    endpoint,
    auth: 'ntlm',
    username: 'administrator',
    password: 'Secret#1',
    ...extra,
  });
}

describe('HTTPS certificate verification', () => {
  it('rejects a self-signed certificate by default with TlsFailed', async () => {
    const t = transport(ntlmServer.url);
    const err = await t.post('<x/>').catch((e: unknown) => e);
    await t.close();
    expect(err).toBeInstanceOf(TlsFailed);
    expect((err as TlsFailed).code).toBe('TLS_FAILED');
    expect((err as TlsFailed).message).toMatch(/self-signed|certificate/i);
  });

  it('accepts it when its CA is given as caPem, and uses NTLM with channel binding and no sealing', async () => {
    const t = transport(ntlmServer.url, { caPem: cert.cert });
    const res = await t.post('<x/>');
    const res2 = await t.post('<y/>');
    await t.close();
    expect(res).toEqual({ status: 200, body: '<reply><x/></reply>' });
    expect(res2.body).toBe('<reply><y/></reply>');
    expect(ntlmServer.stats.lastSealed).toBe(false);
    expect(t.requestCount).toBe(3);
  });

  it('accepts exactly the pinned certificate (fingerprint with or without colons, any case)', async () => {
    for (const fp of [cert.fingerprint256, cert.fingerprint256.replace(/:/g, '').toLowerCase()]) {
      const t = transport(ntlmServer.url, { fingerprintSha256: fp });
      expect((await t.post('<pinned/>')).body).toBe('<reply><pinned/></reply>');
      await t.close();
    }
  });

  it('rejects a different certificate than the pinned one, showing expected and actual SHA-256', async () => {
    const wrong = 'AA'.repeat(32);
    const t = transport(ntlmServer.url, { fingerprintSha256: wrong });
    const err = await t.post('<x/>').catch((e: unknown) => e);
    await t.close();
    expect(err).toBeInstanceOf(TlsFailed);
    const actual = cert.fingerprint256.replace(/:/g, '').toLowerCase();
    expect((err as TlsFailed).message).toContain(wrong.toLowerCase());
    expect((err as TlsFailed).message).toContain(actual);
    expect((err as TlsFailed).actualSha256).toBe(actual);
  });

  it('a server requiring channel binding refuses a client bound to another certificate', async () => {
    const other = await selfSignedCertificate();
    const strict = await startTestServer({
      tls: cert,
      allowUnencrypted: true,
      requiredChannelBindings: channelBindingsHash(new X509Certificate(other.cert).raw),
    });
    const t = transport(strict.url, { caPem: cert.cert });
    const err = await t.post('<x/>').catch((e: unknown) => e);
    await t.close();
    await strict.close();
    expect(err).toBeInstanceOf(AuthFailed);
  });
});

describe('Basic authentication', () => {
  it('is refused over plain http with InsecureConfig', () => {
    expect(() => transport(plainBasicServer.url, { auth: 'basic' })).toThrow(InsecureConfig);
    try {
      transport(plainBasicServer.url, { auth: 'basic' });
    } catch (err) {
      expect((err as InsecureConfig).code).toBe('INSECURE_CONFIG');
      expect((err as InsecureConfig).message).toMatch(/https/);
    }
  });

  it('works over plain http only with allowUnencryptedBasic', async () => {
    const t = transport(plainBasicServer.url, { auth: 'basic', allowUnencryptedBasic: true });
    expect((await t.post('<b/>')).body).toBe('<reply><b/></reply>');
    await t.close();
    expect(t.requestCount).toBe(1);
  });

  it('works over https, one request per post', async () => {
    const t = transport(basicServer.url, { auth: 'basic', caPem: cert.cert });
    await t.post('<a/>');
    await t.post('<b/>');
    await t.close();
    expect(t.requestCount).toBe(2);
  });

  it('wrong password → AuthFailed', async () => {
    const t = transport(basicServer.url, { auth: 'basic', caPem: cert.cert, password: 'bad' });
    await expect(t.post('<a/>')).rejects.toBeInstanceOf(AuthFailed);
    await t.close();
  });
});

describe('configuration checks', () => {
  it('rejects non-http endpoints and pinning on http', () => {
    expect(() => transport('ftp://host/wsman')).toThrow(InsecureConfig);
    expect(() => transport('not a url')).toThrow(InsecureConfig);
    expect(() => transport('http://127.0.0.1:5985/wsman', { fingerprintSha256: 'aa' })).toThrow(
      InsecureConfig,
    );
  });
});
