/**
 * Cross-checks our NTLM server side and sealing against an independent implementation:
 * Debian's python3-winrm (pywinrm 0.3.0 + ntlm-auth + requests-ntlm), a project test dependency
 * (DESIGN.md: "pywinrm must be able to talk to the lab"). pywinrm authenticates with MIC,
 * seals with ntlm-auth's RC4 and verifies our sealed replies.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/wsman-test-server';

const PYTHON = '/usr/bin/python3';
const SCRIPT = `
import json, sys
from winrm.transport import Transport
t = Transport(endpoint=sys.argv[1], username=sys.argv[2], password=sys.argv[3], auth_method='ntlm', message_encryption='always')
out = []
for i in range(3):
    out.append(t.send_message('<s:Envelope>py %d \\u00fc\\u2713</s:Envelope>' % i).decode('utf-8'))
print(json.dumps(out))
`;

// ntlm-auth 1.4.0 computes the NT hash with hashlib's MD4, which Debian's OpenSSL 3 only offers
// through the legacy provider: the same wall our own pure-TS MD4 exists to avoid.
const OPENSSL_LEGACY_CONF = [
  'openssl_conf = openssl_init',
  '[openssl_init]',
  'providers = provider_sect',
  '[provider_sect]',
  'default = default_sect',
  'legacy = legacy_sect',
  '[default_sect]',
  'activate = 1',
  '[legacy_sect]',
  'activate = 1',
  '',
].join('\n');
let confDir: string;

function runPywinrm(
  endpoint: string,
  password: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      PYTHON,
      ['-c', SCRIPT, endpoint, 'administrator', password],
      { timeout: 20_000, env: { ...process.env, OPENSSL_CONF: join(confDir, 'openssl.cnf') } },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
      },
    );
  });
}

let server: TestServer;
beforeAll(async () => {
  confDir = mkdtempSync(join(tmpdir(), 'pywinrm-'));
  writeFileSync(join(confDir, 'openssl.cnf'), OPENSSL_LEGACY_CONF);
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  rmSync(confDir, { recursive: true, force: true });
});

describe('pywinrm (python3-winrm) against our NTLM server helpers', () => {
  it('authenticates, sends sealed messages and decrypts our sealed replies', async () => {
    const run = await runPywinrm(server.url, 'Secret#1');
    expect(run.stderr).not.toMatch(/No module named/); // python3-winrm must be installed
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(
      [0, 1, 2].map((i) => `<reply><s:Envelope>py ${i} ü✓</s:Envelope></reply>`),
    );
    expect(server.stats.lastSealed).toBe(true);
    expect(server.auth.negotiations).toBe(1);
  });

  it('a wrong password is rejected', async () => {
    const run = await runPywinrm(server.url, 'wrong');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/credentials were rejected|InvalidCredentialsError/);
  });
});
