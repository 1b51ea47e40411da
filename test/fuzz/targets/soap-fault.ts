/**
 * SOAP envelopes and faults through the real read path: readResponse (DTD refusal, the fast XML
 * parser with saxes behind it, depth cap, fault → WinrmFault), then the WinRS readers. Valid
 * inputs are captured Windows replies, envelopes from our own builders and faults built like a
 * host's; the rest are their mutations (deep nesting, entities, truncation…) and random markup.
 * A refusal is any WinrmError; anything else is a crash. The fast parser must also build exactly
 * saxes' tree whenever it builds one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { WinrmError } from '../../../src/main/winrm/errors';
import { buildEnvelope, escapeXml, identifyEnvelope, readIdentify, readResponse } from '../../../src/main/winrm/soap';
import { parseCommonXml } from '../../../src/main/winrm/soap/xml-fast';
import { parseXmlTreeWithSaxes } from '../../../src/main/winrm/soap/xml-tree';
import { commandSpec, createShellSpec, readCommandId, readReceive, readShellId, receiveSpec, signalSpec } from '../../../src/main/winrm/winrs/messages';
import type { FuzzTarget, Rng } from '../fuzz-target';
import { deepNesting, mutateText, preview, randomMarkup, xmlSafeText } from '../winrm-inputs';

interface SoapInput {
  status: number;
  body: string;
}

const EXPLODED = join(import.meta.dirname, '../../fixtures/winrm-fixtures/pypsrp/exploded');
const ENV_OPEN =
  '<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell">';

let captured: string[] = [];

function fault(rng: Rng): string {
  const message = escapeXml(xmlSafeText(rng, rng.int(20)));
  const code = rng.pick(['2150858793', '2150859173', '2150858843', '-1', '99999999999999', '', 'x']);
  const wmi = rng.chance(0.3)
    ? `<p:MSFT_WmiError xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/MSFT_WmiError"><p:error_Code>${code}</p:error_Code></p:MSFT_WmiError>`
    : `<f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="${code}" Machine="hv01"><f:Message>${message}</f:Message></f:WSManFault>`;
  return `${ENV_OPEN}<s:Header><a:Action>http://schemas.dmtf.org/wbem/wsman/1/wsman/fault</a:Action></s:Header><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:TimedOut</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">${message}</s:Text></s:Reason><s:Detail>${wmi}</s:Detail></s:Fault></s:Body></s:Envelope>`;
}

function receiveReply(rng: Rng): string {
  const id = 'C0FFEE00-0000-0000-0000-000000000001';
  const streams = Array.from({ length: rng.int(4) }, () => {
    const data = Buffer.from(rng.bytes(rng.int(200))).toString('base64');
    return `<rsp:Stream Name="${rng.pick(['stdout', 'stderr', 'pr'])}" CommandId="${id}"${rng.chance(0.2) ? ' End="true"' : ''}>${rng.chance(0.1) ? data.slice(1) : data}</rsp:Stream>`;
  }).join('');
  const done = rng.chance(0.5);
  const state = `<rsp:CommandState CommandId="${id}" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/${done ? 'Done' : 'Running'}">${done ? `<rsp:ExitCode>${rng.pick(['0', '1', '4294967295', '-5', 'x', '99999999999999999999'])}</rsp:ExitCode>` : ''}</rsp:CommandState>`;
  return `${ENV_OPEN}<s:Header/><s:Body><rsp:ReceiveResponse>${streams}${state}</rsp:ReceiveResponse></s:Body></s:Envelope>`;
}

function built(rng: Rng): string {
  const spec = rng.pick([
    () => createShellSpec({ workingDirectory: xmlSafeText(rng, 4), environment: { A: xmlSafeText(rng, 3) } }),
    () => commandSpec('S-1', xmlSafeText(rng, 5), [xmlSafeText(rng, 3)]),
    () => receiveSpec('S-1', 'C-1'),
    () => signalSpec('S-1', 'C-1', 'terminate'),
  ])();
  return buildEnvelope({ ...spec, to: 'http://hv01:5985/wsman', operationTimeoutS: 20 }).xml;
}

function valid(rng: Rng): string {
  switch (rng.int(5)) {
    case 0:
      return rng.pick(captured);
    case 1:
      return fault(rng);
    case 2:
      return receiveReply(rng);
    case 3:
      return identifyEnvelope();
    default:
      return built(rng);
  }
}

export const target: FuzzTarget = {
  name: 'soap-fault',
  setup() {
    captured = [];
    for (const area of ['winrs', 'psrp', 'wsman-config']) {
      for (const test of readdirSync(join(EXPLODED, area))) {
        for (const file of readdirSync(join(EXPLODED, area, test))) {
          if (file.endsWith('.response.xml')) captured.push(readFileSync(join(EXPLODED, area, test, file), 'utf8'));
        }
      }
    }
    if (captured.length === 0) throw new Error('no captured replies found');
  },
  generate(rng: Rng): SoapInput {
    const status = rng.pick([200, 200, 500, 400]);
    const shape = rng.int(10);
    if (shape < 2) return { status, body: valid(rng) };
    if (shape < 8) return { status, body: mutateText(rng, valid(rng)) };
    if (shape < 9) return { status, body: `${ENV_OPEN}<s:Body>${deepNesting(rng)}</s:Body></s:Envelope>` };
    return { status, body: randomMarkup(rng, rng.int(400)) };
  },
  run(input: unknown): void {
    const { status, body: text } = input as SoapInput;
    try {
      const body = readResponse({ status, body: text }, { action: 'Receive', host: 'fuzz:5985' });
      for (const read of [() => readReceive(body, undefined), () => readShellId(body), () => readCommandId(body), () => readIdentify(body)]) {
        try {
          read();
        } catch (error) {
          if (!(error instanceof WinrmError)) throw error;
        }
      }
    } catch (error) {
      if (!(error instanceof WinrmError)) throw error;
    }
    // The fast path builds saxes' tree or nothing (small documents: saxes is the slow reference).
    if (text.length <= 20_000 && !/<!/.test(text.replace(/<!\[CDATA\[/g, ''))) {
      const fast = parseCommonXml(text);
      if (fast !== undefined) {
        let reference: unknown;
        try {
          reference = parseXmlTreeWithSaxes(text);
        } catch (error) {
          throw new Error(`fast XML path accepted a document saxes rejects: ${(error as Error).message}`);
        }
        if (!isDeepStrictEqual(fast, reference)) throw new Error('fast XML path built a different tree than saxes');
      }
    }
  },
  describe(input: unknown): string {
    const { status, body } = input as SoapInput;
    return `HTTP ${status}, ${preview(body)}`;
  },
};

export default target;
