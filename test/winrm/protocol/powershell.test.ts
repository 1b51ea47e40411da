import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WinrmClient, ProtocolError, parseLastJsonLine } from '../../../src/main/winrm';
import { CMD_LINE_LIMIT, PowerShellStderrDecoder, SCRIPT_PREAMBLE, buildPowerShellInvocation, commandLineLength } from '../../../src/main/winrm/powershell';
import { FakeWinrs, type CommandScript } from './support/fake-winrs';
import { makeTransport } from './support/harness';
import { FIXTURES } from './support/replay-server';

const errorClixml = readFileSync(resolve(FIXTURES, 'clixml/test_sanitise_clixml_with_error.xml'), 'utf8');

/** What the host would run: the decoded -EncodedCommand, or for the stdin path the script on stdin's first line. */
function remoteScript(line: string, stdin: Buffer): { script: string; via: string; rest: string } {
  const encoded = /-EncodedCommand (\S+)$/.exec(line)![1]!;
  const decoded = Buffer.from(encoded, 'base64').toString('utf16le');
  if (!decoded.includes('[Console]::In.ReadLine()')) return { script: decoded, via: 'encoded-command', rest: stdin.toString('utf8') };
  const text = stdin.toString('utf8');
  const nl = text.indexOf('\n');
  return { script: Buffer.from(text.slice(0, nl), 'base64').toString('utf8'), via: 'stdin', rest: text.slice(nl + 1) };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(script: CommandScript): Promise<{ server: FakeWinrs; client: WinrmClient }> {
  const server = await new FakeWinrs(script).start();
  const client = WinrmClient.withTransport(makeTransport(server.url));
  cleanups.push(() => server.close(), () => client.close());
  return { server, client };
}

describe('WinrmClient.powershell', () => {
  it('runs an encoded script, decodes CLIXML errors split across Receives, and keeps stdout', async () => {
    const seen: string[] = [];
    const { server, client } = await setup((line, stdin) => {
      const { script } = remoteScript(line, stdin());
      seen.push(script);
      return [
        { stdout: 'log line\r\n', stderr: errorClixml.slice(0, 5) },
        { stderr: errorClixml.slice(5, 700) },
        { stdout: '{"status":"success","data":{"vm":"é"}}\r\n', stderr: errorClixml.slice(700) },
        { done: true, exitCode: 1 },
      ];
    });
    const live: string[] = [];
    const result = await client.powershell("Get-VM -Name 'a\"b'", { onError: (m) => live.push(m) });
    expect(seen).toEqual([SCRIPT_PREAMBLE + "Get-VM -Name 'a\"b'"]);
    expect(server.received.find((r) => r.action === 'Command')!.commandLine).toMatch(
      /^powershell\.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand [A-Za-z0-9+/=]+$/,
    );
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^fake : The term 'fake' is not recognized/);
    expect(live).toEqual(result.errors);
    expect(result.stderr).not.toContain('CLIXML');
    expect(result.stderr).not.toContain('Preparing modules');
    expect(parseLastJsonLine(result.stdout)).toEqual({ status: 'success', data: { vm: 'é' } });
  });

  it('sends a script too long for the command line through stdin, with the caller stdin after it', async () => {
    const long = `Write-Output '${'x'.repeat(20_000)}'`;
    let got: ReturnType<typeof remoteScript> | undefined;
    let lineLength = 0;
    const { client } = await setup((line, stdin) => {
      got = remoteScript(line, stdin());
      lineLength = line.length;
      return [{ stdout: 'ok', done: true, exitCode: 0 }];
    });
    const result = await client.powershell(long, { stdin: 'input data\n' });
    expect(result.stdout).toBe('ok');
    expect(got!.via).toBe('stdin');
    expect(got!.script).toBe(SCRIPT_PREAMBLE + long);
    expect(got!.rest).toBe('input data\n');
    expect(lineLength + 'cmd.exe /c '.length).toBeLessThanOrEqual(CMD_LINE_LIMIT);
  });
});

describe('buildPowerShellInvocation', () => {
  it('never produces a command line over the cmd.exe limit, whatever the script', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 6000 }), (script) => {
        const inv = buildPowerShellInvocation(script);
        expect(commandLineLength(inv.command, inv.args)).toBeLessThanOrEqual(CMD_LINE_LIMIT);
        const decoded = inv.via === 'encoded-command'
          ? Buffer.from(inv.args.at(-1)!, 'base64').toString('utf16le')
          : Buffer.from(Buffer.from(inv.stdin!).toString('utf8').split('\n')[0]!, 'base64').toString('utf8');
        expect(decoded).toBe(SCRIPT_PREAMBLE + script);
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseLastJsonLine', () => {
  it('takes the last non-blank line', () => {
    expect(parseLastJsonLine('noise\r\n{"a":1}\r\n{"a":2}\r\n\r\n')).toEqual({ a: 2 });
  });
  it('explains a missing or broken result line', () => {
    expect(() => parseLastJsonLine('')).toThrow(ProtocolError);
    expect(() => parseLastJsonLine('{"a":1}\nWARNING: late')).toThrow(/not JSON/);
  });
});

describe('property: the CLIXML stderr decoder never crashes or hangs', () => {
  const feed = (chunks: string[]): PowerShellStderrDecoder => {
    const d = new PowerShellStderrDecoder();
    for (const c of chunks) d.push(c);
    d.end();
    return d;
  };

  it('arbitrary chunks, including sentinel and tag fragments', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('#< CLIXML', '#< CLI', 'XML\r\n', '<Objs xmlns="http://schemas.microsoft.com/powershell/2004/04">', '</Objs>', '<S S="Error">', '</S>', '_x000D_', '_xD83D_', '&amp;', '<!DOCTYPE x>'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (chunks) => {
        const d = feed(chunks);
        expect(typeof d.text).toBe('string');
        expect(d.errors.every((e) => typeof e === 'string')).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('mutated real CLIXML', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat({ max: 60 }), fc.string({ maxLength: 10 }), fc.array(fc.nat(), { maxLength: 10 }), (at, len, insert, cuts) => {
        const pos = at % (errorClixml.length + 1);
        const text = errorClixml.slice(0, pos) + insert + errorClixml.slice(pos + len);
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(text.slice(prev, p));
          prev = p;
        }
        chunks.push(text.slice(prev));
        feed(chunks);
      }),
      { numRuns: 1000 },
    );
  });
});
