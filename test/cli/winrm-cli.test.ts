/**
 * `aether-v exec` / `aether-v ps` as a user runs them: real processes (bin/aether-v.mjs on Node 24)
 * against the simulated lab over NTLM-sealed HTTP. Output streams, exit codes, one-line failures,
 * and no password on the command line.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { startLab, type Lab, type LabHostInfo } from '../lab';

let lab: Lab;
let info: LabHostInfo;
const ENV = { AV_LAB_PASS: '' };

beforeAll(async () => {
  lab = await startLab({ hosts: 1, vmsPerHost: 1, password: 'Cli-Lab-Passw0rd!' });
  info = lab.hosts[0];
  ENV.AV_LAB_PASS = info.password;
});

afterAll(async () => {
  await lab?.close();
});

const conn = (): string[] => [info.httpUrl, '--user', info.username, '--password-env', 'AV_LAB_PASS'];

/** A loopback port nothing listens on: bind, read the port, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

describe('aether-v exec against a lab host', () => {
  it('prints the host name and exits 0', async () => {
    const run = await runCli(['exec', ...conn(), '--', 'hostname'], ENV);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`${info.name.toUpperCase()}\r\n`);
    expect(run.code).toBe(0);
  });

  it('propagates the remote exit code and sends remote stderr to stderr', async () => {
    const run = await runCli(['exec', ...conn(), '--', 'echo', 'partial', '&', 'type', 'C:\\no\\such.txt', '&', 'cmd', '/c', 'exit', '3'], ENV);
    expect(run.stdout).toBe('partial \r\n');
    expect(run.stderr).toBe('The system cannot find the file specified.\r\n');
    expect(run.code).toBe(3);
  });
});

describe('aether-v ps against a lab host', () => {
  it('prints output, decodes error records to plain stderr and exits with the script exit code', async () => {
    const run = await runCli(['ps', ...conn(), '--', "Write-Output 'Ünïcødé ✓'; Write-Error 'disk full'; exit 4"], ENV);
    expect(run.stdout).toBe('Ünïcødé ✓\r\n');
    expect(run.stderr).toContain('disk full');
    expect(run.stderr).not.toContain('CLIXML');
    expect(run.stderr).not.toContain('<Objs');
    expect(run.code).toBe(4);
  });
});

describe('failures are one clear line on stderr and a non-zero exit', () => {
  it('a refused port', async () => {
    const port = await closedPort();
    const run = await runCli(['exec', `http://127.0.0.1:${port}/wsman`, '--user', 'admin', '--password-env', 'AV_LAB_PASS', '--', 'hostname'], ENV);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(new RegExp(`^aether-v exec: cannot reach 127\\.0\\.0\\.1:${port} \\(.*refused.*\\) — is the WinRM service running`));
  });

  it('a host name that does not resolve', async () => {
    const run = await runCli(['exec', 'http://no-such-host.invalid:5985/wsman', '--user', 'admin', '--password-env', 'AV_LAB_PASS', '--', 'hostname'], ENV);
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^aether-v exec: cannot reach no-such-host\.invalid:5985/);
  });

  it('a URL that is not a WS-Man URL', async () => {
    const run = await runCli(['exec', 'hv01:5985', '--user', 'admin', '--password-env', 'AV_LAB_PASS', '--', 'hostname'], ENV);
    expect(run.code).toBe(2);
    // The failure line, then only the pointer to --help.
    expect(lines(run.stderr)[0]).toBe('aether-v exec: "hv01:5985" is not an http:// or https:// WS-Man URL');
    expect(lines(run.stderr).slice(1)).toEqual(['Run `aether-v exec --help` for usage.']);
  });

  it('a wrong password names the user and the UAC hint, never the password', async () => {
    const run = await runCli(['exec', ...conn(), '--', 'hostname'], { AV_LAB_PASS: 'Wrong-Pass-123' });
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/access denied for user 'Administrator'.*LocalAccountTokenFilterPolicy/);
    expect(run.stderr).not.toContain('Wrong-Pass-123');
  });

  it('a password in argv is refused before anything is sent', async () => {
    lab.host(info.name).resetStats();
    const run = await runCli(['exec', info.httpUrl, '--user', info.username, '--password', 'Argv-Secret-1', '--', 'hostname']);
    expect(run.code).toBe(2);
    expect(lines(run.stderr)[0]).toMatch(/unknown option --password/);
    expect(run.stderr).not.toContain('Argv-Secret-1');
    expect(lab.host(info.name).stats.httpRequests).toBe(0);
  });
});
