/**
 * Starts a WinRS command the way winrscmd.dll does: through `cmd.exe /c` unless
 * WINRS_SKIP_CMD_SHELL is TRUE, then cmd built-ins, powershell.exe (-EncodedCommand, -Command,
 * stdin script, -File) and the errors a real host gives for unknown programs.
 */
import { findFixedScript } from '../deploy';
import { runRealPowerShell } from '../pwsh/launcher';
import { abortableSleep, CTRL_C_EXIT_CODE, SimProcess } from './process';
import { PowerShellSession } from './powershell';
import type { ScriptHandler, ShellEnvironment } from './types';

/** cmd.exe refuses longer command lines; CreateProcess (SKIP_CMD_SHELL) allows 32767. */
export const CMD_LINE_LIMIT = 8191;
const CREATE_PROCESS_LIMIT = 32767;

export type LaunchFailure = 'file-not-found' | 'command-line-too-long';
export type LaunchResult = { ok: true; process: SimProcess } | { ok: false; failure: LaunchFailure };

export interface LaunchRequest {
  commandId: string;
  codepage: number;
  command: string;
  args: string[];
  skipCmdShell: boolean;
  /** Knob: the program never starts and the command runs until signalled. */
  hang: boolean;
}

const POWERSHELL = /^(?:(?:[a-z]:\\windows\\system32\\windowspowershell\\v1\.0\\)?powershell(?:\.exe)?)$/i;
const CMD = /^(?:(?:[a-z]:\\windows\\system32\\)?cmd(?:\.exe)?)$/i;

export function launch(request: LaunchRequest, env: ShellEnvironment): LaunchResult {
  const line = [request.command, ...request.args].join(' ');
  if (line.length > (request.skipCmdShell ? CREATE_PROCESS_LIMIT : CMD_LINE_LIMIT)) return { ok: false, failure: 'command-line-too-long' };
  if (request.skipCmdShell) {
    const exe = unquote(request.command.trim());
    const absolute = /^[a-z]:\\/i.test(exe);
    if (!absolute || !(POWERSHELL.test(exe) || CMD.test(exe))) return { ok: false, failure: 'file-not-found' };
  }
  const proc = new SimProcess(request.commandId, request.codepage);
  const program = request.hang
    ? () => new Promise<number>((_, reject) => proc.signal.addEventListener('abort', () => reject(proc.signal.reason), { once: true }))
    : request.skipCmdShell && POWERSHELL.test(unquote(request.command.trim()))
      ? () => runPowerShell(request.args.join(' '), proc, env)
      : () => runCmdLine(line, proc, env);
  program().then(
    (code) => proc.finish(code),
    (error: unknown) => {
      if (!proc.signal.aborted) proc.write('stderr', `internal lab error: ${error instanceof Error ? error.message : String(error)}\r\n`);
      proc.finish(proc.signal.aborted ? CTRL_C_EXIT_CODE : 1);
    },
  );
  return { ok: true, process: proc };
}

function unquote(text: string): string {
  return text.replace(/^"(.*)"$/, '$1');
}

/** Splits at blanks outside double quotes; removes the quotes (CRT rules, \" = literal quote). */
export function splitWindowsArgs(text: string): string[] {
  const args: string[] = [];
  let current = '';
  let inQuotes = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && text[i + 1] === '"') {
      current += '"';
      i++;
      started = true;
    } else if (ch === '"') {
      inQuotes = !inQuotes;
      started = true;
    } else if ((ch === ' ' || ch === '\t') && !inQuotes) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (started) args.push(current);
  return args;
}

/** Splits a cmd line at &, && and || outside double quotes, keeping trailing blanks (cmd echoes them). */
function splitCmdChain(line: string): Array<{ op: '&' | '&&' | '||' | null; text: string }> {
  const parts: Array<{ op: '&' | '&&' | '||' | null; text: string }> = [];
  let op: '&' | '&&' | '||' | null = null;
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') inQuotes = !inQuotes;
    if (inQuotes) continue;
    const isRedirect = ch === '&' && (line[i - 1] === '>' || line[i - 1] === '<');
    if ((ch === '&' && !isRedirect) || (ch === '|' && line[i + 1] === '|')) {
      parts.push({ op, text: line.slice(start, i) });
      const double = line[i + 1] === ch;
      op = ch === '|' ? '||' : double ? '&&' : '&';
      i += double ? 1 : 0;
      start = i + 1;
    }
  }
  parts.push({ op, text: line.slice(start) });
  return parts;
}

async function runCmdLine(line: string, proc: SimProcess, env: ShellEnvironment): Promise<number> {
  let errorlevel = 0;
  for (const { op, text } of splitCmdChain(line)) {
    if ((op === '&&' && errorlevel !== 0) || (op === '||' && errorlevel === 0)) continue;
    const result = await runCmdSegment(text, proc, env);
    errorlevel = result.code;
    if (result.exit) break;
  }
  return errorlevel;
}

async function runCmdSegment(segment: string, proc: SimProcess, env: ShellEnvironment): Promise<{ code: number; exit: boolean }> {
  let text = segment.replace(/^\s*@?/, '');
  let stream: 'stdout' | 'stderr' = 'stdout';
  if (/(?:^|\s|\S)1?>&2/.test(text)) stream = 'stderr';
  let discard = false;
  text = text.replace(/\s?2>&1|1?>&2|2>nul|1?>\s*nul/gi, (match) => {
    if (/^\s?1?>\s*nul$/i.test(match)) discard = true;
    return match.startsWith(' ') ? ' ' : '';
  });
  const write = (out: string): void => {
    if (!discard) proc.write(stream, out);
  };
  const match = /^("[^"]*"|\S+)\s?([\s\S]*)$/.exec(text);
  if (!match) return { code: 0, exit: false };
  const program = unquote(match[1]);
  const rest = match[2];
  const name = program.toLowerCase();
  if (name === 'echo.') {
    write('\r\n');
    return { code: 0, exit: false };
  }
  if (CMD.test(program)) {
    const inner = /^\/[ck]\s+([\s\S]*)$/i.exec(rest.trimStart());
    if (!inner) return { code: 0, exit: false };
    return { code: await runCmdLine(/^\s*".*"\s*$/.test(inner[1]) ? unquote(inner[1].trim()) : inner[1], proc, env), exit: false };
  }
  if (POWERSHELL.test(program)) return { code: await runPowerShell(rest, proc, env), exit: false };
  switch (name) {
    case 'echo':
      write(rest.length === 0 ? 'ECHO is on.\r\n' : rest + '\r\n');
      return { code: 0, exit: false };
    case 'hostname':
      write(env.computerName + '\r\n');
      return { code: 0, exit: false };
    case 'whoami':
      write(`${env.computerName.toLowerCase()}\\${env.userName.toLowerCase()}\r\n`);
      return { code: 0, exit: false };
    case 'ver':
      write('\r\nMicrosoft Windows [Version 10.0.17763.5830]\r\n');
      return { code: 0, exit: false };
    case 'exit': {
      const code = /^(?:\/b\s*)?(-?\d+)?/i.exec(rest.trim());
      return { code: code?.[1] ? Number(code[1]) : 0, exit: true };
    }
    case 'type': {
      const content = env.files.get(unquote(rest.trim()));
      if (!content) {
        proc.write('stderr', 'The system cannot find the file specified.\r\n');
        return { code: 1, exit: false };
      }
      if (!discard) proc.write(stream, content.toString('utf8'));
      return { code: 0, exit: false };
    }
    default:
      proc.write('stderr', `'${program}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`);
      return { code: 9009, exit: false };
  }
}

const PS_PARAMETERS = ['command', 'encodedcommand', 'executionpolicy', 'file', 'inputformat', 'noexit', 'nologo', 'noninteractive', 'noprofile', 'outputformat', 'windowstyle', 'version', 'sta', 'mta', 'configurationname'];
const PS_ALIASES: Record<string, string> = { c: 'command', e: 'encodedcommand', ec: 'encodedcommand', enc: 'encodedcommand', ep: 'executionpolicy', ex: 'executionpolicy', f: 'file', nop: 'noprofile', noni: 'noninteractive', inp: 'inputformat', if: 'inputformat', o: 'outputformat', of: 'outputformat', w: 'windowstyle' };
const PS_TAKES_VALUE = new Set(['executionpolicy', 'inputformat', 'outputformat', 'windowstyle', 'version', 'configurationname']);

function psParameter(arg: string): string | undefined {
  if (!/^[-/][A-Za-z]+$/.test(arg)) return undefined;
  const name = arg.slice(1).toLowerCase();
  return PS_ALIASES[name] ?? PS_PARAMETERS.find((p) => p.startsWith(name));
}

/** powershell.exe's own argument handling (Windows PowerShell 5.1). */
export async function runPowerShell(argText: string, proc: SimProcess, env: ShellEnvironment): Promise<number> {
  const args = splitWindowsArgs(argText);
  let script: string | undefined;
  let fromStdin = false;
  let file: { path: string; args: string[] } | undefined;
  for (let i = 0; i < args.length; i++) {
    const param = args[i] === '-' ? undefined : psParameter(args[i]);
    if (args[i] === '-') {
      fromStdin = true;
      break;
    }
    if (param === 'encodedcommand') {
      script = Buffer.from(args[i + 1] ?? '', 'base64').toString('utf16le');
      break;
    }
    if (param === 'command' || param === undefined) {
      const rest = args.slice(param === undefined ? i : i + 1);
      if (rest.length === 1 && rest[0] === '-') fromStdin = true;
      else script = rest.join(' ');
      break;
    }
    if (param === 'file') {
      file = { path: args[i + 1] ?? '', args: args.slice(i + 2) };
      break;
    }
    if (PS_TAKES_VALUE.has(param)) i++;
  }
  // A real-agent host runs -EncodedCommand/-Command text in real PowerShell; -File and scripts on
  // stdin keep to this interpreter.
  const real = env.host.realPowerShell;
  if (real && script !== undefined) return runRealPowerShell(script, proc, env.host, real, env.userName, args);
  const session = new PowerShellSession(proc, env);
  let exitCode: number | undefined;
  try {
    if (file) {
      if (!env.files.exists(file.path)) {
        proc.write('stdout', `The argument '${file.path}' to the -File parameter does not exist. Provide the path to an existing '.ps1' file as an argument to the -File parameter.\r\n`);
        return -196608;
      }
      const quoted = file.args.map((a) => `'${a.replace(/'/g, "''")}'`).join(' ');
      // -File (unlike -Command) exits with the script's own `exit N`.
      exitCode = (await session.run(`& '${file.path.replace(/'/g, "''")}' ${quoted}`)) ?? session.lastExitCode;
    } else if (fromStdin) {
      // Like powershell.exe reading a script from redirected stdin: each line runs as it arrives.
      for (let line = await proc.readStdinLine(); line !== null && exitCode === undefined; line = await proc.readStdinLine()) {
        exitCode = await session.run(line);
      }
    } else if (script !== undefined) {
      // The app's runner sends long scripts as one base64 line on stdin behind a small bootstrap.
      const body = STDIN_BOOTSTRAP.test(script) ? Buffer.from((await proc.readStdinLine()) ?? '', 'base64').toString('utf8') : script;
      const fixed = findFixedScript(body);
      if (fixed) return await runFixedScript(fixed, proc, env);
      exitCode = await session.run(body);
    }
    return exitCode ?? session.defaultExitCode;
  } finally {
    session.close();
  }
}

const STDIN_BOOTSTRAP = /FromBase64String\(\[Console\]::In\.ReadLine\(\)\)\);\s*\.\s*\(\[scriptblock\]::Create\(\$\w+\)\)\s*$/i;

/** Runs one of the app's fixed deployment scripts (test/lab/deploy) with the process's stdin. */
async function runFixedScript(handler: ScriptHandler, proc: SimProcess, env: ShellEnvironment): Promise<number> {
  const code = await handler({
    host: env.host,
    stdin: '',
    readStdin: () => proc.readStdinToEnd(),
    args: [],
    signal: proc.signal,
    stdout: (text) => proc.write('stdout', text),
    stderr: (text) => proc.write('stderr', text),
    writeError: (message) => proc.write('stderr', message + '\r\n'),
    sleep: (ms) => abortableSleep(ms * env.slowFactor(), proc.signal),
  });
  return typeof code === 'number' ? code : 0;
}
