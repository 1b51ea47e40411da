/**
 * Conformance: pywinrm (an independent, real WinRM client) must accept the lab over NTLM with
 * message encryption on plain HTTP and over Basic on HTTPS, including non-ASCII output, exit codes,
 * CLIXML stderr and Receive calls that outlive OperationTimeout.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab';

const here = fileURLToPath(new URL('.', import.meta.url));
// Debian's interpreter: it has python3-winrm; a pyenv python3 on PATH may not.
const PYTHON = '/usr/bin/python3';

type CaseResult = Record<string, unknown> & { error?: string };
let lab: Lab;
let results: Record<string, CaseResult>;
let workDir: string;

function runPython(config: object): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      [join(here, 'pywinrm_conformance.py'), JSON.stringify(config)],
      // pywinrm's NTLM needs MD4 from OpenSSL's legacy provider.
      { env: { ...process.env, OPENSSL_CONF: join(here, 'openssl-legacy.cnf') }, timeout: 120_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(`pywinrm run failed: ${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

function ok(name: string): CaseResult {
  const result = results[name];
  expect(result, `case ${name} missing`).toBeDefined();
  expect(result.error, `case ${name} raised`).toBeUndefined();
  return result;
}

beforeAll(async () => {
  lab = await startLab({ hosts: 1, vmsPerHost: 2, https: true });
  workDir = mkdtempSync(join(tmpdir(), 'lab-conformance-'));
  const host = lab.hosts[0];
  const caFile = join(workDir, 'lab-ca.pem');
  writeFileSync(caFile, host.caPem ?? '');
  // The JSON report is the last line; pywinrm may print warnings before it.
  const lines = (await runPython({ ...host, caFile })).trim().split('\n');
  results = JSON.parse(lines[lines.length - 1]) as Record<string, CaseResult>;
}, 120_000);

afterAll(async () => {
  await lab?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe.each(['ntlm', 'basic_https'])('pywinrm over %s', (prefix) => {
  it('runs a cmd built-in', () => {
    expect(ok(`${prefix}.run_cmd`)).toMatchObject({ rc: 0, stdout: 'hi\r\n', stderr: '' });
  });

  it('separates stdout and stderr and reports the exit code, as in the real capture', () => {
    expect(ok(`${prefix}.run_cmd_stderr`)).toMatchObject({ rc: 1, stdout: 'out \r\n', stderr: 'err \r\n' });
  });

  it('runs run_ps (-encodedcommand) with exit N', () => {
    expect(ok(`${prefix}.run_ps`)).toMatchObject({ rc: 4, stdout: 'hello\r\nHV01\r\n' });
  });

  it('returns UTF-8 output under codepage 65001 and the not-recognized error as CLIXML', () => {
    const result = ok(`${prefix}.unicode_and_error`);
    expect(result.stdout).toBe('Überwachung-01 测试\r\n');
    expect(result.rc).toBe(1);
    expect(String(result.stderrRaw)).toMatch(/^#< CLIXML\r\n<Objs Version="1\.1\.0\.1"/);
    expect(String(result.stderrClean)).toContain("The term 'fake-cmdlet' is not recognized as the name of a cmdlet");
  });

  it('answers w:TimedOut while a command outlives OperationTimeout, then completes', () => {
    const result = ok(`${prefix}.operation_timeout`);
    expect(result.rc).toBe(7);
    expect(result.stdout).toBe('before\nafter\n');
    expect(Number(result.timeouts)).toBeGreaterThanOrEqual(1);
  });
});

it('rejects a wrong NTLM password with 401', () => {
  expect(ok('ntlm.bad_password')).toMatchObject({ rejected: true });
});
