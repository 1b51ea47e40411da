import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { command as execCommand } from '../../../src/cli/commands/exec';
import { command as psCommand } from '../../../src/cli/commands/ps';
import { UsageError } from '../../../src/cli/command';
import { parseConnection } from '../../../src/cli/winrm-options';
import { FakeWinrs } from './support/fake-winrs';

let server: FakeWinrs;
let out: string[];
let err: string[];

beforeEach(async () => {
  server = await new FakeWinrs((line) => {
    if (line.startsWith('powershell.exe')) {
      const clixml = '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">boom_x000D__x000A_</S></Objs>';
      return [{ stdout: 'ps out\n', stderr: clixml, done: true, exitCode: 0 }];
    }
    return [{ stdout: `ran: ${line}\n`, stderr: 'warn\n', done: true, exitCode: 3 }];
  }).start();
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  process.env.AV_TEST_PASS = 'vagrant';
});

afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
});

const conn = (): string[] => [server.url, '--auth', 'basic', '--user', 'vagrant', '--password-env', 'AV_TEST_PASS', '--allow-unencrypted-basic'];

describe('aether-v exec / ps', () => {
  it('exec streams remote stdout/stderr and returns the remote exit code', async () => {
    const code = await execCommand.run([...conn(), '--', 'ipconfig', '/all']);
    expect(code).toBe(3);
    expect(out.join('')).toBe('ran: ipconfig /all\n');
    expect(err.join('')).toBe('warn\n');
    // The client closed its shell on the way out.
    expect(server.shells.size).toBe(0);
  });

  it('ps prints decoded error text, not CLIXML', async () => {
    const code = await psCommand.run([...conn(), '--', 'Get-VM']);
    expect(code).toBe(0);
    expect(out.join('')).toBe('ps out\n');
    expect(err.join('')).toBe('boom\r\n');
  });

  it('refuses a password on the command line and explains usage mistakes', async () => {
    await expect(execCommand.run([server.url, '--user', 'u', '--password', 'secret', '--', 'x'])).rejects.toThrow(/unknown option --password/);
    await expect(execCommand.run([...conn()])).rejects.toThrow(/missing the command to run/);
    await expect(execCommand.run(['hv01', '--user', 'u', '--password-env', 'AV_TEST_PASS', '--', 'x'])).rejects.toBeInstanceOf(UsageError);
    await expect(execCommand.run([server.url, '--user', 'u', '--password-env', 'AV_NOT_SET_XYZ', '--', 'x'])).rejects.toThrow(/not set/);
    await expect(execCommand.run([server.url, '--auth', 'kerberos', '--user', 'u', '--password-env', 'AV_TEST_PASS', '--', 'x'])).rejects.toThrow(/ntlm or basic/);
  });

  it('Basic over plain http needs the explicit opt-in', async () => {
    const args = [server.url, '--auth', 'basic', '--user', 'vagrant', '--password-env', 'AV_TEST_PASS', '--', 'x'];
    await expect(execCommand.run(args)).rejects.toThrow(/allowUnencryptedBasic|unencrypted|https/i);
    expect(server.received).toEqual([]);
  });

  it('prompts for the password when no --password-env is given', async () => {
    const prompts: string[] = [];
    const parsed = await parseConnection([server.url, '--user', 'LAB\\admin', '--', 'x'], {}, {
      promptPassword: async (p) => (prompts.push(p), 'typed'),
    });
    expect(parsed.host.password).toBe('typed');
    expect(parsed.host.auth).toBe('ntlm');
    expect(prompts[0]).toContain('LAB\\admin@127.0.0.1');
  });

  it('has help text covering every option', () => {
    for (const flag of ['--auth', '--user', '--password-env', '--ca', '--fingerprint', '--allow-unencrypted-basic']) {
      expect(execCommand.help).toContain(flag);
      expect(psCommand.help).toContain(flag);
    }
    expect(psCommand.help).toContain('--file');
  });
});
