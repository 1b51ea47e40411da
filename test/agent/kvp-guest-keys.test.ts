/**
 * Issue 14 item 5: the host side (agent/AetherV.Kvp.ps1, in real PowerShell) accepts a guest's
 * RSA public key in each form guests publish — PKCS#1 RSAPublicKey DER (the Linux agent),
 * X.509 SubjectPublicKeyInfo DER, and a CryptoAPI PUBLICKEYBLOB (.NET's ExportCspBlob on
 * Windows) — and what it wraps with the imported key opens with the guest's private key, as
 * New-AetherVm.ps1 wraps the AES key (RSA PKCS#1 v1.5). A key in no known form is refused with
 * GUEST_KEY_INVALID.
 */
import { spawnSync } from 'node:child_process';
import { constants, generateKeyPairSync, privateDecrypt, type KeyObject } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { findPowerShell } from '../support/prereqs';

const AGENT_DIR = fileURLToPath(new URL('../../agent/', import.meta.url));

/** A CryptoAPI PUBLICKEYBLOB: BLOBHEADER (PUBLICKEYBLOB, v2, CALG_RSA_KEYX), RSAPUBKEY ('RSA1'), modulus little-endian. */
function capiPublicKeyBlob(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const modulus = Buffer.from(jwk.n!, 'base64url');
  const exponent = Buffer.from(jwk.e!, 'base64url').readUIntBE(0, Buffer.from(jwk.e!, 'base64url').length);
  const header = Buffer.alloc(20);
  header.writeUInt8(0x06, 0); // PUBLICKEYBLOB
  header.writeUInt8(0x02, 1); // CUR_BLOB_VERSION
  header.writeUInt16LE(0, 2);
  header.writeUInt32LE(0x0000a400, 4); // CALG_RSA_KEYX
  header.write('RSA1', 8, 'ascii');
  header.writeUInt32LE(modulus.length * 8, 12);
  header.writeUInt32LE(exponent, 16);
  return Buffer.concat([header, Buffer.from(modulus).reverse()]);
}

/** Imports `encodedKey` with the host's function and wraps `secret` with it; the base64 result or the agent error code. */
function wrapWithHostImport(encodedKey: string, secret: Buffer): { wrapped?: string; code?: string } {
  const script = `
$ErrorActionPreference = 'Stop'
. (Join-Path $env:AETHERV_AGENT_DIR 'AetherV.Common.ps1')
. (Join-Path $env:AETHERV_AGENT_DIR 'AetherV.Kvp.ps1')
$key = [Console]::In.ReadLine()
$secret = [Convert]::FromBase64String([Console]::In.ReadLine())
try {
    $rsa = ConvertFrom-GuestPublicKey -EncodedKey $key
    [Console]::Out.WriteLine('wrapped:' + [Convert]::ToBase64String($rsa.Encrypt($secret, $false)))
} catch {
    [Console]::Out.WriteLine('code:' + (Get-AgentErrorInfo -ErrorRecord $_).code)
}`;
  // Key and secret travel on stdin, never on the command line (a secret in argv is visible in /proc).
  const run = spawnSync(findPowerShell(), ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', script], {
    input: `${encodedKey}\n${secret.toString('base64')}\n`,
    env: { ...process.env, AETHERV_AGENT_DIR: AGENT_DIR },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  const line = run.stdout.trim().split('\n').at(-1)!;
  if (line.startsWith('wrapped:')) return { wrapped: line.slice('wrapped:'.length) };
  if (line.startsWith('code:')) return { code: line.slice('code:'.length) };
  throw new Error(`unexpected output: ${run.stdout} ${run.stderr}`);
}

describe('host side imports every guest public key form (real PowerShell)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const aesKey = Buffer.from('0123456789abcdef0123456789abcdef', 'ascii');
  const forms: Array<[string, Buffer]> = [
    ['PKCS#1 RSAPublicKey DER (Linux guests)', publicKey.export({ format: 'der', type: 'pkcs1' })],
    ['X.509 SubjectPublicKeyInfo DER', publicKey.export({ format: 'der', type: 'spki' })],
    ['CryptoAPI PUBLICKEYBLOB (Windows guests)', capiPublicKeyBlob(publicKey)],
  ];

  test.each(forms)('%s: the wrapped AES key opens with the guest private key', (_form, der) => {
    const result = wrapWithHostImport(der.toString('base64'), aesKey);
    expect(result.code).toBeUndefined();
    const opened = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(result.wrapped!, 'base64'));
    expect(opened.equals(aesKey)).toBe(true);
  }, 90_000);

  test('a key in no known form, and one that is not base64, are refused with GUEST_KEY_INVALID', () => {
    expect(wrapWithHostImport(Buffer.from('not a key at all').toString('base64'), aesKey)).toEqual({ code: 'GUEST_KEY_INVALID' });
    expect(wrapWithHostImport('%%%', aesKey)).toEqual({ code: 'GUEST_KEY_INVALID' });
  }, 90_000);
});
