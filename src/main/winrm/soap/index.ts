// SOAP/WS-Management envelopes: building requests with the standard header set and reading replies
// safely (namespace-aware, no DTDs), with faults turned into typed WinrmFault errors.
export { ACTION, ADDRESS_ANONYMOUS, COMMAND_STATE_DONE_SUFFIX, NS, RESOURCE_CMD, SIGNAL, WSMAN_CODE } from './namespaces';
export { buildEnvelope, clampOperationTimeout, newMessageId, MAX_ENVELOPE_SIZE, MAX_OPERATION_TIMEOUT_S } from './envelope';
export type { BuiltEnvelope, EnvelopeSpec, WsmanOption } from './envelope';
export { escapeXml } from './xml-escape';
export { attr, child, childElements, children, descendant, parseXml, path, textOf } from './parse';
export { readFault, readResponse } from './fault';
export type { ParsedFault, ResponseContext } from './fault';
export { identifyEnvelope, readIdentify, type IdentifyResult } from './identify';
