/**
 * A deliberately small Windows PowerShell 5.1 stand-in: literal forms only (Write-Output 'x',
 * Write-Host, exit N / exit $LASTEXITCODE, Start-Sleep, Write-Error, $env:COMPUTERNAME,
 * $PSVersionTable.PSVersion, [Console]::Out.Write, $x = 'literal', iex / scriptblock bootstraps
 * reading stdin) and calls of deployed .ps1 files, which run registered TypeScript handlers.
 * Anything else answers with PowerShell's real "not recognized" error, so a client never learns a
 * private dialect.
 *
 * Exit codes follow powershell.exe (about_PowerShell_exe, checked against real pwsh): a script's
 * `exit N` only sets $LASTEXITCODE; the process exit code of -Command is 1 or 0 from the last
 * statement's success unless the text ends with `exit …` (the app's agent command ends with
 * `exit $LASTEXITCODE` for exactly this reason); -File gives the script's own exit code; a
 * terminating error (a handler that throws) stops the rest of the command with exit code 1.
 */
import { abortableSleep, type SimProcess } from './process';
import { CLIXML_CLOSE, CLIXML_HEADER, CLIXML_OPEN, commandNotFoundRecord, errorRecordElements, thrownErrorRecord, writeErrorRecord } from './ps-errors';
import { expandDouble, locate, splitArguments, splitPipeline, splitStatements, unquoteSingle, type Piece } from './ps-syntax';
import { findService, serviceNotFoundRecord, type SimService } from './services';
import type { ShellEnvironment } from './types';

const PS_VERSION = { major: 5, minor: 1, build: 17763, revision: 5830 };
const VERSION_TABLE = '\r\nMajor  Minor  Build  Revision\r\n-----  -----  -----  --------\r\n5      1      17763  5830    \r\n\r\n\r\n';

interface ScriptBlock {
  kind: 'scriptblock';
  text: string;
}
type Value = string | number | boolean | null | ScriptBlock | { kind: 'version' } | { kind: 'nothing' };
const NOTHING: Value = { kind: 'nothing' };

class ExitRequest {
  constructor(readonly code: number) {}
}

/** `exit <value>`: PowerShell converts the value to int (banker's rounding); what does not convert is 0. */
function exitCodeOf(value: Value): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'boolean') n = value ? 1 : 0;
  else if (typeof value === 'string' && /^\s*[-+]?\d+(\.\d+)?\s*$/.test(value)) n = Number(value);
  else return 0;
  const floor = Math.floor(n);
  const rounded = n - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(n);
  return rounded | 0;
}

/** Raised for syntax the interpreter does not model; reported as "not recognized" at `piece`. */
class Unrecognized {
  constructor(
    readonly piece: Piece,
    readonly term: string,
    readonly invocationName: string,
  ) {}
}

export class PowerShellSession {
  private readonly variables = new Map<string, Value>();
  private lastFailed = false;
  private errorsOpen = false;
  private script = '';

  constructor(
    private readonly proc: SimProcess,
    private readonly env: ShellEnvironment,
  ) {}

  /** Runs a script; resolves with the exit code requested by `exit N`, or undefined. */
  async run(script: string): Promise<number | undefined> {
    const saved = this.script;
    this.script = script;
    try {
      for (const statement of splitStatements(script)) await this.statement(statement);
      return undefined;
    } catch (error) {
      if (error instanceof ExitRequest) return error.code;
      throw error;
    } finally {
      this.script = saved;
    }
  }

  /** powershell.exe's exit code without `exit`: 1 if the last statement failed, else 0. */
  get defaultExitCode(): number {
    return this.lastFailed ? 1 : 0;
  }

  /** $LASTEXITCODE: the exit code of the last script or program run, undefined before any ran. */
  get lastExitCode(): number | undefined {
    const value = this.variables.get('lastexitcode');
    return typeof value === 'number' ? value : undefined;
  }

  private setLastExitCode(code: number): void {
    this.variables.set('lastexitcode', code);
    this.lastFailed = code !== 0;
  }

  /** Closes the CLIXML document on stderr, if one was started. Call once, when the process ends. */
  close(): void {
    if (this.errorsOpen) this.proc.write('stderr', CLIXML_CLOSE);
    this.errorsOpen = false;
  }

  writeErrorRecord(lines: string[]): void {
    if (!this.errorsOpen) this.proc.write('stderr', CLIXML_HEADER + CLIXML_OPEN);
    this.errorsOpen = true;
    this.proc.write('stderr', errorRecordElements(lines));
    this.lastFailed = true;
  }

  private async statement(statement: Piece): Promise<void> {
    this.lastFailed = false;
    try {
      const stages = splitPipeline(statement);
      if (stages.length > 2) throw new Unrecognized(stages[2], stages[2].text.split(/\s/)[0], stages[2].text.split(/\s/)[0]);
      if (stages.length === 2) {
        const input = await this.evaluate(stages[0]);
        await this.command(stages[1], statement, this.toText(input));
        return;
      }
      const text = statement.text;
      const exit = /^exit(?:(?:\s+|(?=\())([\s\S]+))?$/i.exec(text);
      if (exit) {
        if (!exit[1]) throw new ExitRequest(this.defaultExitCode);
        const valueOffset = statement.offset + text.length - exit[1].length;
        throw new ExitRequest(exitCodeOf(await this.evaluate({ text: exit[1], offset: valueOffset })));
      }
      const assign = /^\$([\w:]+)\s*=\s*([\s\S]+)$/.exec(text);
      if (assign) {
        const rhsOffset = statement.offset + text.length - assign[2].length;
        this.variables.set(assign[1].toLowerCase(), await this.evaluate({ text: assign[2], offset: rhsOffset }));
        return;
      }
      if (/^\[(System\.)?Console\]::(Output|Input)Encoding\s*=/i.test(text)) return;
      if (/^["'$[(\d-]/.test(text) && !/^-\w/.test(text)) {
        this.output(await this.evaluate(statement));
        return;
      }
      await this.command(statement, statement, '');
    } catch (error) {
      if (error instanceof Unrecognized) {
        const where = locate(this.script, error.piece.offset);
        this.writeErrorRecord(commandNotFoundRecord(error.invocationName, error.term, { ...where, tokenLength: error.piece.text.length }));
        return;
      }
      throw error;
    }
  }

  private output(value: Value): void {
    if (value === null || (typeof value === 'object' && value.kind === 'nothing')) return;
    if (typeof value === 'object' && value.kind === 'version') this.proc.write('stdout', VERSION_TABLE);
    else this.proc.write('stdout', this.toText(value) + '\r\n');
  }

  private toText(value: Value): string {
    if (value === null) return '';
    if (typeof value === 'boolean') return value ? 'True' : 'False';
    if (typeof value === 'object') {
      if (value.kind === 'scriptblock') return value.text;
      if (value.kind === 'version') return `${PS_VERSION.major}.${PS_VERSION.minor}.${PS_VERSION.build}.${PS_VERSION.revision}`;
      return '';
    }
    return String(value);
  }

  private lookup(name: string): string {
    return this.toText(this.variable(name));
  }

  private variable(name: string): Value {
    const lower = name.toLowerCase();
    if (lower.startsWith('env:')) {
      const envName = lower.slice(4);
      const envTable: Record<string, string> = {
        computername: this.env.computerName,
        username: this.env.userName,
        userdomain: this.env.computerName,
        systemroot: 'C:\\Windows',
        windir: 'C:\\Windows',
        programfiles: 'C:\\Program Files',
        programdata: 'C:\\ProgramData',
        processor_architecture: 'AMD64',
        os: 'Windows_NT',
      };
      return envTable[envName] ?? null;
    }
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (lower === 'pid') return 4000 + (this.proc.commandId.charCodeAt(0) % 1000);
    return this.variables.get(lower) ?? null;
  }

  private async evaluate(piece: Piece): Promise<Value> {
    const text = piece.text.trim();
    if (/^'[\s\S]*'$/.test(text) && !/^'[\s\S]*[^']'[\s\S]*'$/.test(text.replace(/''/g, ''))) return unquoteSingle(text);
    if (/^"[\s\S]*"$/.test(text)) return expandDouble(text, (n) => this.lookup(n));
    if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
    if (/^\$PSVersionTable\.PSVersion$/i.test(text)) return { kind: 'version' };
    const versionPart = /^\$PSVersionTable\.PSVersion\.(Major|Minor|Build|Revision|ToString\(\))$/i.exec(text);
    if (versionPart) {
      const part = versionPart[1].toLowerCase() as 'major' | 'minor' | 'build' | 'revision' | 'tostring()';
      return part === 'tostring()' ? this.toText({ kind: 'version' }) : PS_VERSION[part];
    }
    if (/^\$input$/i.test(text) || /^\[(System\.)?Console\]::In\.ReadToEnd\(\)$/i.test(text)) return this.proc.readStdinToEnd();
    const variable = /^\$([\w:]+)$/.exec(text);
    if (variable) return this.variable(variable[1]);
    const consoleWrite = /^\[(?:System\.)?Console\]::(Out|Error)\.(Write|WriteLine)\(([\s\S]*)\)$/i.exec(text);
    if (consoleWrite) {
      const argOffset = piece.offset + text.indexOf('(') + 1;
      const value = consoleWrite[3].trim() ? this.toText(await this.evaluate({ text: consoleWrite[3], offset: argOffset })) : '';
      this.proc.write(consoleWrite[1].toLowerCase() === 'out' ? 'stdout' : 'stderr', value + (consoleWrite[2].toLowerCase() === 'writeline' ? '\r\n' : ''));
      return NOTHING;
    }
    if (/^\[(?:System\.)?Console\]::(Out|Error)\.Flush\(\)$/i.test(text)) return NOTHING;
    const create = /^\[scriptblock\]::Create\(([\s\S]*)\)$/i.exec(text);
    if (create) return { kind: 'scriptblock', text: this.toText(await this.evaluate({ text: create[1], offset: piece.offset + text.indexOf('(') + 1 })) };
    if (/^\{[\s\S]*\}$/.test(text)) return { kind: 'scriptblock', text: text.slice(1, -1) };
    const serviceProperty = /^\(\s*(Get-Service\s+(?:-Name\s+)?(['"]?)([\w.-]+)\2)\s*\)\.(\w+)$/i.exec(text);
    if (serviceProperty) return this.serviceProperty(serviceProperty[3], serviceProperty[4], { text: serviceProperty[1], offset: piece.offset + text.indexOf(serviceProperty[1]) });
    if (/^\([\s\S]*\)$/.test(text)) return this.evaluate({ text: text.slice(1, -1), offset: piece.offset + 1 });
    if (/^\[[\w.]+\]::\w+$/.test(text)) return null; // enum/static values such as [Text.Encoding]::UTF8
    const match = /[\w-]+/.exec(text);
    const word = match ? match[0] : text;
    throw new Unrecognized({ text: word, offset: piece.offset + (match?.index ?? 0) }, word, word);
  }

  /** `(Get-Service -Name X).Prop`: the property, or Get-Service's real error (and $null) when X is absent. */
  private serviceProperty(name: string, property: string, call: Piece): Value {
    const service = findService(this.env, name);
    if (!service) {
      this.writeErrorRecord(serviceNotFoundRecord(name, { ...locate(this.script, call.offset), tokenLength: call.text.length }));
      return NOTHING;
    }
    const key = (Object.keys(service) as Array<keyof SimService>).find((k) => k.toLowerCase() === property.toLowerCase());
    return key ? service[key] : null;
  }

  /** Runs a command stage; `input` is text piped into it (agent scripts receive it as stdin). */
  private async command(stage: Piece, statement: Piece, input: string): Promise<void> {
    const parts = splitArguments(stage);
    let head = parts[0];
    let invocationName = head.text;
    let rest = parts.slice(1);
    if (head.text === '&' || head.text === '.') {
      if (rest.length === 0) throw new Unrecognized(head, head.text, head.text);
      invocationName = head.text;
      head = rest[0];
      rest = rest.slice(1);
      const target = await this.evaluate(head).catch((error: unknown) => {
        if (error instanceof Unrecognized) return head.text;
        throw error;
      });
      if (target !== null && typeof target === 'object' && target.kind === 'scriptblock') {
        const code = await this.run(target.text);
        if (code !== undefined) throw new ExitRequest(code);
        return;
      }
      await this.invokeNamed(this.toText(target), head, invocationName, rest, statement, input);
      return;
    }
    await this.invokeNamed(head.text, head, head.text, rest, statement, input);
  }

  private async argValues(args: Piece[]): Promise<string[]> {
    const values: string[] = [];
    for (const arg of args) {
      if (/^-[A-Za-z]\w*:?$/.test(arg.text)) values.push(arg.text);
      else if (/^["'$([{]/.test(arg.text) || /^-?\d+(\.\d+)?$/.test(arg.text)) values.push(this.toText(await this.evaluate(arg)));
      else values.push(arg.text);
    }
    return values;
  }

  private async invokeNamed(name: string, namePiece: Piece, invocationName: string, args: Piece[], statement: Piece, input: string): Promise<void> {
    const lower = name.toLowerCase();
    if (lower.endsWith('.ps1') || /[\\/]/.test(name)) {
      await this.invokeScriptFile(name, namePiece, invocationName, await this.argValues(args), input);
      return;
    }
    const values = await this.argValues(args);
    switch (lower) {
      case 'write-output':
      case 'echo':
      case 'write': {
        const items = values.filter((v) => !/^-(InputObject|NoEnumerate)$/i.test(v));
        for (const item of items.length ? items : input ? [input] : []) this.proc.write('stdout', item + '\r\n');
        return;
      }
      case 'write-host': {
        const noNewline = values.some((v) => /^-NoNewline$/i.test(v));
        const words: string[] = [];
        for (let i = 0; i < values.length; i++) {
          if (/^-(ForegroundColor|BackgroundColor|Separator)$/i.test(values[i])) i++;
          else if (!/^-(NoNewline|Object)$/i.test(values[i])) words.push(values[i]);
        }
        // Real captures show Write-Host's text and its LF arriving as two writes.
        this.proc.write('stdout', words.join(' '));
        if (!noNewline) this.proc.write('stdout', '\n');
        return;
      }
      case 'hostname':
      case 'hostname.exe':
        this.proc.write('stdout', this.env.computerName + '\r\n');
        this.setLastExitCode(0); // a native program
        return;
      case 'whoami':
      case 'whoami.exe':
        this.proc.write('stdout', `${this.env.computerName.toLowerCase()}\\${this.env.userName.toLowerCase()}\r\n`);
        this.setLastExitCode(0);
        return;
      case 'start-sleep':
      case 'sleep': {
        let ms = 0;
        for (let i = 0; i < values.length; i++) {
          const flag = values[i].toLowerCase();
          if (flag === '-milliseconds' || flag === '-m') ms = Number(values[++i]);
          else if (flag === '-seconds' || flag === '-s') ms = Number(values[++i]) * 1000;
          else if (/^\d+(\.\d+)?$/.test(flag)) ms = Number(flag) * 1000;
        }
        await abortableSleep(ms * this.env.slowFactor(), this.proc.signal);
        return;
      }
      case 'write-error': {
        const message = values.filter((v, i) => !/^-Message$/i.test(v) || i === values.length - 1).join(' ') || input;
        this.writeErrorRecord(writeErrorRecord(statement.text, message));
        return;
      }
      case 'invoke-expression':
      case 'iex': {
        const code = await this.run(values.filter((v) => !/^-Command$/i.test(v)).join(' ') || input);
        if (code !== undefined) throw new ExitRequest(code);
        return;
      }
      case 'set-strictmode':
      case 'out-null':
      case 'import-module':
        return;
      default:
        throw new Unrecognized(namePiece, name, invocationName);
    }
  }

  /** A .ps1 call: registered handler if the file is deployed, its text if not handled, else the real error. */
  private async invokeScriptFile(path: string, namePiece: Piece, invocationName: string, args: string[], input: string): Promise<void> {
    const isAbsolute = /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
    const content = isAbsolute ? this.env.files.getText(path) : undefined;
    if (content === undefined) throw new Unrecognized(namePiece, path, invocationName);
    const fileName = path.split(/[\\/]/).pop() ?? path;
    const handler = this.env.findScriptHandler(fileName);
    if (!handler) {
      // `exit N` inside a script ends the script, not the caller: it only sets $LASTEXITCODE.
      const code = await this.run(content);
      if (code !== undefined) this.setLastExitCode(code);
      return;
    }
    let code: number | undefined;
    try {
      const result = await handler({
        host: this.env.host,
        stdin: input,
        readStdin: () => this.proc.readStdinToEnd(),
        args,
        signal: this.proc.signal,
        stdout: (text) => this.proc.write('stdout', text),
        stderr: (text) => this.proc.write('stderr', text),
        writeError: (message) => this.writeErrorRecord(writeErrorRecord(`${invocationName} '${path}'`, message)),
        sleep: (ms) => abortableSleep(ms * this.env.slowFactor(), this.proc.signal),
      });
      code = typeof result === 'number' ? result : undefined;
    } catch (error) {
      if (this.proc.signal.aborted) throw error;
      // A throw is a terminating error: nothing after it in the command runs, and powershell.exe exits 1.
      this.writeErrorRecord(thrownErrorRecord(error instanceof Error ? error.message : String(error), path));
      throw new ExitRequest(1);
    }
    // The handler's return value is the script's `exit N`: it sets $LASTEXITCODE (read by the
    // app's `exit $LASTEXITCODE`) and the statement's success; errors written before a 0 do not fail it.
    if (code === undefined) this.lastFailed = false;
    else this.setLastExitCode(code);
  }
}
