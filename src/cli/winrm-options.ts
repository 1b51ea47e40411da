/**
 * Connection options shared by `aether-v exec` and `aether-v ps`: endpoint, auth, user, and a
 * password that never comes from argv (it would land in shell history and the process list).
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from './command';
import { parseArgs, type ParsedArgs } from './args';
import type { WinrmHostOptions } from '../main/winrm';

export const CONNECTION_VALUE_FLAGS = ['auth', 'user', 'password-env', 'ca', 'fingerprint', 'operation-timeout'];
export const CONNECTION_BOOLEAN_FLAGS = ['allow-unencrypted-basic'];

export const CONNECTION_HELP = `Connection options:
  <wsman-url>                 e.g. http://hv01:5985/wsman or https://hv01.example.com:5986/wsman
  --auth ntlm|basic           authentication (default ntlm; over http NTLM encrypts every message)
  --user NAME                 account: "user" (local), "DOMAIN\\\\user" or "user@domain"
  --password-env VAR          read the password from environment variable VAR; without it you are
                              prompted (input hidden). The password is never taken from the command line.
  --ca FILE                   PEM file with the CA that signed the host's HTTPS certificate
  --fingerprint SHA256        accept exactly this HTTPS certificate (hex SHA-256, colons optional)
  --allow-unencrypted-basic   allow Basic over plain http (the password crosses the network readable)
  --operation-timeout SEC     how long one WS-Man Receive may wait for output, 1-60 (default 20)`;

export interface CommandLineInvocation {
  host: WinrmHostOptions;
  /** Everything after `--`. */
  rest: string[];
  parsed: ParsedArgs;
}

export async function parseConnection(
  args: string[],
  extra: { valueFlags?: string[]; booleanFlags?: string[] } = {},
  io: { env?: NodeJS.ProcessEnv; promptPassword?: (prompt: string) => Promise<string> } = {},
): Promise<CommandLineInvocation> {
  const parsed = parseArgs(args, {
    valueFlags: [...CONNECTION_VALUE_FLAGS, ...(extra.valueFlags ?? [])],
    booleanFlags: [...CONNECTION_BOOLEAN_FLAGS, ...(extra.booleanFlags ?? [])],
  });
  const [endpoint, ...surplus] = parsed.positionals;
  if (!endpoint) throw new UsageError('missing <wsman-url> (e.g. http://hv01:5985/wsman)');
  if (surplus.length > 0) throw new UsageError(`unexpected argument "${surplus[0]}" — put the remote command after --`);
  if (!/^https?:\/\//i.test(endpoint)) throw new UsageError(`"${endpoint}" is not an http:// or https:// WS-Man URL`);

  const auth = stringFlag(parsed, 'auth') ?? 'ntlm';
  if (auth !== 'ntlm' && auth !== 'basic') throw new UsageError(`--auth must be ntlm or basic (got "${auth}")`);
  const username = stringFlag(parsed, 'user');
  if (!username) throw new UsageError('missing --user (the account to log on with)');

  const env = io.env ?? process.env;
  const passwordEnv = stringFlag(parsed, 'password-env');
  let password: string;
  if (passwordEnv !== undefined) {
    const value = env[passwordEnv];
    if (value === undefined) throw new UsageError(`--password-env ${passwordEnv}: that environment variable is not set`);
    password = value;
  } else {
    password = await (io.promptPassword ?? promptHidden)(`Password for ${username}@${new URL(endpoint).host}: `);
  }

  const host: WinrmHostOptions = { endpoint, auth, username, password };
  const caFile = stringFlag(parsed, 'ca');
  if (caFile !== undefined) {
    try {
      host.caPem = await readFile(caFile, 'utf8');
    } catch (error) {
      throw new UsageError(`--ca ${caFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  const fingerprint = stringFlag(parsed, 'fingerprint');
  if (fingerprint !== undefined) host.fingerprintSha256 = fingerprint;
  if (parsed.flags.get('allow-unencrypted-basic') === true) host.allowUnencryptedBasic = true;
  const timeout = stringFlag(parsed, 'operation-timeout');
  if (timeout !== undefined) {
    const seconds = Number(timeout);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 60) throw new UsageError('--operation-timeout must be a whole number from 1 to 60');
    host.operationTimeoutS = seconds;
  }
  return { host, rest: parsed.rest, parsed };
}

export function stringFlag(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** Reads a password from the terminal without echoing it. */
export function promptHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    return Promise.reject(new UsageError('no password: use --password-env VAR, or run in a terminal to be prompted'));
  }
  return new Promise((resolve, reject) => {
    process.stderr.write(prompt);
    let value = '';
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const finish = (error?: Error): void => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new Error('cancelled at the password prompt'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}

/** Remote exit codes can be any 32-bit value; a process can only return 0–255, and failure must stay non-zero. */
export function processExitCode(remote: number): number {
  return remote >= 0 && remote <= 255 ? remote : 1;
}

/** Ctrl-C cancels the remote command (ctrl_c, then terminate) instead of leaving it running. */
export function abortOnSigint(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\ncancelling the remote command (Ctrl-C again to quit at once)...\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
