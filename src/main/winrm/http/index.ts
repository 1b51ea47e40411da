/**
 * The wire under the WS-Man protocol layer: HTTP(S) transport with Basic/NTLM, NTLM sealing in
 * multipart/encrypted, and the server-side helpers the Hyper-V lab simulator uses.
 */
export { HttpWsmanTransport } from './transport';
export type { HttpWsmanTransportOptions } from './transport';
export { WsmanServerAuth } from './server-auth';
export type { WsmanServerAuthOptions, ServerAuthOutcome } from './server-auth';
export {
  ENCRYPTED_CONTENT_TYPE,
  SOAP_CONTENT_TYPE,
  SPNEGO_ENCRYPTED_PROTOCOL,
  decodeEncryptedBody,
  encodeEncryptedBody,
  isEncryptedContentType,
  sealToBody,
  unsealFromBody,
} from './multipart';
export type { EncryptedPayload } from './multipart';
