/**
 * The SOAP faults a Windows host answers with (HTTP 500), copied in shape from the real captures in
 * test/fixtures/winrm-fixtures/pypsrp/exploded/winrs: s:Code/s:Subcode, s:Reason, and
 * s:Detail/f:WSManFault with the decimal Code clients switch on.
 */
import { escapeXml, NS } from './soap';

export interface FaultSpec {
  code: 's:Sender' | 's:Receiver';
  subcode: string;
  reason: string;
  wsmanCode: number;
  message?: string;
  faultDetail?: string;
  /** Provider faults (winrscmd.dll) wrap the message in f:ProviderFault, as in the captures. */
  provider?: boolean;
}

const FAULT_NAMESPACES =
  `xmlns:s="${NS.soap}" xmlns:a="${NS.addressing}" xmlns:x="${NS.transfer}" xmlns:e="http://schemas.xmlsoap.org/ws/2004/08/eventing" ` +
  `xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:w="${NS.wsman}" xmlns:p="${NS.wsmv}"`;

export function faultEnvelope(spec: FaultSpec, relatesTo: string, machine: string): string {
  const message = escapeXml(spec.message ?? spec.reason);
  const inner = spec.provider
    ? `<f:ProviderFault provider="Shell cmd plugin" path="%systemroot%\\system32\\winrscmd.dll">${message}</f:ProviderFault>`
    : message;
  const detail = spec.faultDetail ? `<w:FaultDetail>${spec.faultDetail}</w:FaultDetail>` : '';
  const relates = relatesTo ? `<a:RelatesTo>${escapeXml(relatesTo)}</a:RelatesTo>` : '';
  return (
    `<s:Envelope xml:lang="en-US" ${FAULT_NAMESPACES}><s:Header><a:Action>http://schemas.dmtf.org/wbem/wsman/1/wsman/fault</a:Action>` +
    `<a:MessageID>uuid:${crypto.randomUUID().toUpperCase()}</a:MessageID><a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>${relates}</s:Header>` +
    `<s:Body><s:Fault><s:Code><s:Value>${spec.code}</s:Value><s:Subcode><s:Value>${spec.subcode}</s:Value></s:Subcode></s:Code>` +
    `<s:Reason><s:Text xml:lang="en-US">${escapeXml(spec.reason)}</s:Text></s:Reason><s:Detail>${detail}` +
    `<f:WSManFault xmlns:f="${NS.fault}" Code="${spec.wsmanCode}" Machine="${escapeXml(machine)}"><f:Message>${inner}</f:Message></f:WSManFault>` +
    `</s:Detail></s:Fault></s:Body></s:Envelope>`
  );
}

const TIMEOUT_TEXT = 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  ';

export const FAULTS = {
  timedOut: (): FaultSpec => ({ code: 's:Receiver', subcode: 'w:TimedOut', reason: TIMEOUT_TEXT, wsmanCode: 2150858793 }),
  unknownShell: (): FaultSpec => ({
    code: 's:Sender',
    subcode: 'w:InvalidSelectors',
    reason: 'The WS-Management service cannot process the request because the request contained invalid selectors for the resource. ',
    wsmanCode: 2150858843,
    faultDetail: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors',
    message: 'The request for the Windows Remote Shell with ShellId failed because the shell was not found on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. Provide the correct ShellId or create a new shell and retry the operation. ',
  }),
  unknownCommand: (): FaultSpec => ({
    code: 's:Sender',
    subcode: 'w:InvalidSelectors',
    reason: 'The WS-Management service cannot process the request because the request contained invalid selectors for the resource. ',
    wsmanCode: 2150858843,
    faultDetail: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors',
    message: 'The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist. Either the command has completed execution or the client specified an invalid command identifier. ',
  }),
  quotaShells: (max: number): FaultSpec => ({
    code: 's:Sender',
    subcode: 'w:QuotaLimit',
    reason: 'The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user. ',
    wsmanCode: 2150859173,
    message: `The WS-Management service cannot process the request. This user is allowed a maximum number of ${max} concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user. `,
  }),
  commandLineTooLong: (): FaultSpec => ({ code: 's:Receiver', subcode: 'w:InternalError', reason: 'The filename or extension is too long. ', wsmanCode: 2147942606, provider: true }),
  fileNotFound: (): FaultSpec => ({ code: 's:Receiver', subcode: 'w:InternalError', reason: 'The system cannot find the file specified. ', wsmanCode: 2147942402, provider: true }),
  invalidParameter: (): FaultSpec => ({
    code: 's:Sender',
    subcode: 'w:InvalidParameter',
    reason: 'The parameter is incorrect. ',
    wsmanCode: 87,
    faultDetail: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidValue',
    provider: true,
  }),
  actionNotSupported: (action: string): FaultSpec => ({
    code: 's:Sender',
    subcode: 'a:ActionNotSupported',
    reason: 'The action is not supported by the service. ',
    wsmanCode: 2150858783,
    message: `The WS-Management service cannot process the request because the action ${action} is not supported. `,
  }),
  schemaValidation: (detail: string): FaultSpec => ({
    code: 's:Sender',
    subcode: 'w:SchemaValidationError',
    reason: 'The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry. ',
    wsmanCode: 2150858817,
    message: `The WS-Management service cannot process the request because the XML is invalid: ${detail}`,
  }),
};
