/**
 * TLS failures said in words a person can act on, not OpenSSL text: against real lab sockets
 * (HTTPS to an HTTP port, HTTP to an HTTPS port, a self-signed certificate) and for the
 * certificate codes Node reports (expired, wrong name, untrusted CA).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testHostConnection } from '../../../src/main/hosts/connection-test';
import { tlsFailureInWords, TlsFailed } from '../../../src/main/winrm/errors';
import { startLab, type Lab } from '../../lab';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ hosts: 1, vmsPerHost: 0, https: true });
});
afterAll(async () => {
  await lab?.close();
});

const RAW_OPENSSL = /SSL routines|wrong version number|EPROTO|openssl|--use-system-ca|caPem/i;

function target(transport: 'http' | 'https', port: number) {
  const info = lab.hosts[0];
  return { displayName: 'hv', address: '127.0.0.1', port, transport, auth: 'ntlm' as const, allowUnencryptedBasic: false, username: info.username, password: info.password };
}
const portOf = (url: string) => Number(new URL(url).port);

describe('TLS failures in words', () => {
  it('HTTPS against an HTTP port says the port speaks plain HTTP and what to choose', async () => {
    const result = await testHostConnection(target('https', portOf(lab.hosts[0].httpUrl)), { timeoutMs: 5_000 });
    expect(result.steps.map((s) => `${s.step}:${s.ok}`)).toEqual(['identify:false']);
    expect(result.steps[0].detail).toMatch(/failed: the port answered in plain HTTP, not HTTPS — choose the HTTP transport for this port, or the HTTPS port \(usually 5986\)$/);
    expect(result.message).not.toMatch(RAW_OPENSSL);
  });

  it('HTTP against an HTTPS port says the port may expect HTTPS', async () => {
    const result = await testHostConnection(target('http', portOf(lab.hosts[0].httpsUrl!)), { timeoutMs: 5_000 });
    expect(result.ok).toBe(false);
    expect(result.steps[0].detail).toMatch(/if this port expects HTTPS \(WinRM uses 5986 for HTTPS\), choose the HTTPS transport/);
  });

  it('an unpinned self-signed certificate is named as such, with what to do', async () => {
    const result = await testHostConnection(target('https', portOf(lab.hosts[0].httpsUrl!)), { timeoutMs: 5_000 });
    expect(result.steps[0].detail).toMatch(/the host's certificate is self-signed, so nothing vouches for it — install the certificate of the CA .* or pin the host's certificate/);
    expect(result.message).not.toMatch(RAW_OPENSSL);
  });

  it('certificate codes become sentences', () => {
    const node = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    expect(tlsFailureInWords(node('CERT_HAS_EXPIRED'))).toBe("the host's certificate has expired");
    expect(tlsFailureInWords(node('ERR_TLS_CERT_ALTNAME_INVALID'))).toBe("the host's certificate is issued for another name than the address entered");
    expect(tlsFailureInWords(node('UNABLE_TO_VERIFY_LEAF_SIGNATURE'))).toBe("the host's certificate was issued by a CA this computer does not trust");
    expect(tlsFailureInWords(node('EPROTO', '40:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:../ssl.c:1:'))).toBe(
      'the TLS handshake failed (sslv3 alert handshake failure)',
    );
    expect(new TlsFailed('hv:5986', tlsFailureInWords(node('CERT_HAS_EXPIRED'))).message).toBe(
      "TLS with hv:5986 failed: the host's certificate has expired — renew the host's WinRM HTTPS certificate (or fix the clock)",
    );
    expect(new TlsFailed('hv:5986', tlsFailureInWords(node('ERR_TLS_CERT_ALTNAME_INVALID'))).message).toMatch(/— enter the name the certificate is issued for as the address/);
  });
});
