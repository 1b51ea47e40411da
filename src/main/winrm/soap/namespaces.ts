/** Namespace URIs and action/resource URIs of WS-Management and WinRS (research §1.1). */
export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  addressing: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsman: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  wsmv: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  shell: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  transfer: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
  wsmanFault: 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
  identity: 'http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

export const ACTION = {
  create: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  delete: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete',
  command: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command',
  receive: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive',
  send: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send',
  signal: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal',
} as const;

export const RESOURCE_CMD = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd';
export const ADDRESS_ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';

export const SIGNAL = {
  terminate: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate',
  ctrlC: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/ctrl_c',
} as const;

export const COMMAND_STATE_DONE_SUFFIX = '/CommandState/Done';

/** WSManFault codes the protocol layer reacts to (research §1.8). */
export const WSMAN_CODE = {
  operationTimedOut: 2150858793,
  invalidSelectors: 2150858843,
  shellQuota: 2150859173,
  commandQuota: 2150859174,
  profileUnloaded: 2147943418,
  operationAborted: 995,
} as const;
