/**
 * A deliberately dumb WS-Man client for the lab's own tests: Basic over plain HTTP (the lab is
 * started with allowUnencryptedBasic), hand-written envelopes with other prefixes than the server's,
 * raw responses back. The real client lives in src/main/winrm; this one only pokes the server.
 */
import { DOMParser } from '@xmldom/xmldom';

const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  shell: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  wsman: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  fault: 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
};

export interface RawResponse {
  status: number;
  body: string;
}

export class RawWsmanClient {
  constructor(
    private readonly url: string,
    private readonly username: string,
    private readonly password: string,
  ) {}

  async post(body: string, auth = true): Promise<RawResponse> {
    const headers: Record<string, string> = { 'Content-Type': 'application/soap+xml;charset=UTF-8' };
    if (auth) headers.Authorization = 'Basic ' + Buffer.from(`${this.username}:${this.password}`).toString('base64');
    const res = await fetch(this.url, { method: 'POST', headers, body });
    return { status: res.status, body: await res.text() };
  }

  envelope(action: string, opts: { shellId?: string; options?: Record<string, string>; timeout?: string; body?: string }): string {
    const selector = opts.shellId ? `<wsman:SelectorSet><wsman:Selector Name="ShellId">${opts.shellId}</wsman:Selector></wsman:SelectorSet>` : '';
    const options = opts.options
      ? `<wsman:OptionSet>${Object.entries(opts.options).map(([k, v]) => `<wsman:Option Name="${k}">${v}</wsman:Option>`).join('')}</wsman:OptionSet>`
      : '';
    return (
      `<env:Envelope xmlns:env="${NS.soap}" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsman="${NS.wsman}" xmlns:shell="${NS.shell}">` +
      `<env:Header><wsa:To>${this.url}</wsa:To><wsa:Action env:mustUnderstand="true">${action}</wsa:Action>` +
      `<wsa:MessageID>uuid:${crypto.randomUUID()}</wsa:MessageID><wsman:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</wsman:ResourceURI>` +
      `<wsman:MaxEnvelopeSize>153600</wsman:MaxEnvelopeSize><wsman:OperationTimeout>${opts.timeout ?? 'PT20S'}</wsman:OperationTimeout>${selector}${options}</env:Header>` +
      `<env:Body>${opts.body ?? ''}</env:Body></env:Envelope>`
    );
  }

  async createShell(codepage = 65001): Promise<RawResponse & { shellId: string }> {
    const res = await this.post(
      this.envelope('http://schemas.xmlsoap.org/ws/2004/09/transfer/Create', {
        options: { WINRS_CODEPAGE: String(codepage) },
        body: '<shell:Shell><shell:InputStreams>stdin</shell:InputStreams><shell:OutputStreams>stdout stderr</shell:OutputStreams></shell:Shell>',
      }),
    );
    if (res.status !== 200) return { ...res, shellId: '' };
    const selector = Array.from(parse(res.body).getElementsByTagNameNS(NS.wsman, 'Selector'))[0];
    return { ...res, shellId: selector?.textContent ?? '' };
  }

  async command(shellId: string, command: string, args: string[] = []): Promise<RawResponse & { commandId: string }> {
    const xmlArgs = args.map((a) => `<shell:Arguments>${escape(a)}</shell:Arguments>`).join('');
    const res = await this.post(
      this.envelope('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command', {
        shellId,
        body: `<shell:CommandLine><shell:Command>${escape(command)}</shell:Command>${xmlArgs}</shell:CommandLine>`,
      }),
    );
    if (res.status !== 200) return { ...res, commandId: '' };
    const id = Array.from(parse(res.body).getElementsByTagNameNS(NS.shell, 'CommandId'))[0];
    return { ...res, commandId: id?.textContent ?? '' };
  }

  receive(shellId: string, commandId: string, timeout = 'PT20S'): Promise<RawResponse> {
    return this.post(
      this.envelope('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive', {
        shellId,
        timeout,
        body: `<shell:Receive><shell:DesiredStream CommandId="${commandId}">stdout stderr</shell:DesiredStream></shell:Receive>`,
      }),
    );
  }

  send(shellId: string, commandId: string, data: string, end: boolean): Promise<RawResponse> {
    return this.post(
      this.envelope('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send', {
        shellId,
        body: `<shell:Send><shell:Stream Name="stdin" CommandId="${commandId}"${end ? ' End="true"' : ''}>${Buffer.from(data).toString('base64')}</shell:Stream></shell:Send>`,
      }),
    );
  }

  signal(shellId: string, commandId: string, code: 'ctrl_c' | 'terminate'): Promise<RawResponse> {
    return this.post(
      this.envelope('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal', {
        shellId,
        body: `<shell:Signal CommandId="${commandId}"><shell:Code>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/${code}</shell:Code></shell:Signal>`,
      }),
    );
  }

  deleteShell(shellId: string): Promise<RawResponse> {
    return this.post(this.envelope('http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete', { shellId }));
  }

  /** Receives until CommandState Done; returns bytes per stream, exit code and how many Receives it took. */
  async runToEnd(shellId: string, commandId: string, timeout = 'PT20S'): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number; receives: number; timeouts: number }> {
    const out: Record<string, Buffer[]> = { stdout: [], stderr: [] };
    let receives = 0;
    let timeouts = 0;
    for (;;) {
      const res = await this.receive(shellId, commandId, timeout);
      receives++;
      if (res.status === 500 && faultCode(res.body) === '2150858793') {
        timeouts++;
        continue;
      }
      if (res.status !== 200) throw new Error(`Receive failed: ${res.status} ${res.body}`);
      const doc = parse(res.body);
      for (const stream of Array.from(doc.getElementsByTagNameNS(NS.shell, 'Stream'))) {
        out[stream.getAttribute('Name') ?? 'stdout'].push(Buffer.from(stream.textContent ?? '', 'base64'));
      }
      const state = Array.from(doc.getElementsByTagNameNS(NS.shell, 'CommandState'))[0];
      if (state?.getAttribute('State')?.endsWith('/Done')) {
        const exit = Array.from(doc.getElementsByTagNameNS(NS.shell, 'ExitCode'))[0];
        return { stdout: Buffer.concat(out.stdout), stderr: Buffer.concat(out.stderr), exitCode: Number(exit?.textContent), receives, timeouts };
      }
    }
  }
}

export function parse(xml: string): ReturnType<DOMParser['parseFromString']> {
  return new DOMParser().parseFromString(xml, 'text/xml');
}

export function faultCode(xml: string): string | undefined {
  const fault = Array.from(parse(xml).getElementsByTagNameNS(NS.fault, 'WSManFault'))[0];
  return fault?.getAttribute('Code') ?? undefined;
}

export function faultSubcode(xml: string): string | undefined {
  const doc = parse(xml);
  const subcode = Array.from(doc.getElementsByTagNameNS(NS.soap, 'Subcode'))[0];
  return Array.from(subcode?.getElementsByTagNameNS(NS.soap, 'Value') ?? [])[0]?.textContent ?? undefined;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function encodePs(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}
