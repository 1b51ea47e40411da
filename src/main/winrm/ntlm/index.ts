/**
 * NTLMv2 authentication and session security (signing + sealing) for WinRM, both roles:
 * the client for our transport, the server for the Hyper-V lab simulator.
 */
export { NtlmClient, computeAuthenticate, parseUsername } from './client';
export type { NtlmClientOptions, NtlmIdentity, AuthenticateInputs, AuthenticateResult } from './client';
export { NtlmServer } from './server';
export { NtlmDowngradeRefused, checkChallenge, describeFlags } from './challenge-policy';
export type { ChallengePolicy } from './challenge-policy';
export type { NtlmServerOptions, NtlmAcceptResult, PasswordLookup, WeakChallengeOptions } from './server';
export { NtlmSessionSecurity } from './session-security';
export type { NtlmRole, SealedMessage } from './session-security';
export { certificateHash, channelBindingsHash, channelBindingsStruct } from './channel-binding';
export { Flags, AvId, CLIENT_NEGOTIATE_FLAGS } from './constants';
export { parseChallenge, parseAuthenticate, parseNegotiate, encodeAvPairs, decodeAvPairs } from './messages';
export type { ChallengeMessage, AuthenticateMessage, NegotiateMessage, AvPair } from './messages';
export { md4 } from './md4';
export { Rc4, rc4 } from './rc4';
