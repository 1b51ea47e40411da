/**
 * What a CHALLENGE must offer before we answer it. A server (or anyone in the path of plain-HTTP
 * WinRM) that drops a flag from the CHALLENGE can quietly weaken the session the client then
 * derives: 40/56-bit keys, no fresh random session key, no signing/sealing, or no MIC protecting
 * the negotiation itself. Every Windows release since Server 2008 offers all of these, so a
 * challenge without them is either a misconfigured host or a downgrade attempt, and we refuse it.
 */
import { NtlmDowngradeRefused } from '../errors';
import { Flags } from './constants';
import type { ChallengeMessage } from './messages';

export { NtlmDowngradeRefused };

export interface ChallengePolicy {
  /** host:port, named in the refusal. */
  host: string;
  /** Plain HTTP: every message is sealed, so the session must sign and seal. */
  sealingRequired: boolean;
}

const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [Flags.UNICODE, 'UNICODE'],
  [Flags.OEM, 'OEM'],
  [Flags.REQUEST_TARGET, 'REQUEST_TARGET'],
  [Flags.SIGN, 'SIGN'],
  [Flags.SEAL, 'SEAL'],
  [Flags.LM_KEY, 'LM_KEY'],
  [Flags.NTLM, 'NTLM'],
  [Flags.ANONYMOUS, 'ANONYMOUS'],
  [Flags.ALWAYS_SIGN, 'ALWAYS_SIGN'],
  [Flags.TARGET_TYPE_DOMAIN, 'TARGET_TYPE_DOMAIN'],
  [Flags.TARGET_TYPE_SERVER, 'TARGET_TYPE_SERVER'],
  [Flags.EXTENDED_SESSIONSECURITY, 'EXTENDED_SESSIONSECURITY'],
  [Flags.TARGET_INFO, 'TARGET_INFO'],
  [Flags.VERSION, 'VERSION'],
  [Flags.NEGOTIATE_128, '128'],
  [Flags.KEY_EXCH, 'KEY_EXCH'],
  [Flags.NEGOTIATE_56, '56'],
];

/** The named flags set in `flags`, for messages (unknown bits as hex). */
export function describeFlags(flags: number): string[] {
  const names: string[] = [];
  let known = 0;
  for (const [bit, name] of FLAG_NAMES) {
    known |= bit;
    if (flags & bit) names.push(name);
  }
  const unknown = (flags & ~known) >>> 0;
  if (unknown !== 0) names.push(`0x${unknown.toString(16).padStart(8, '0')}`);
  return names;
}

/** Throws NtlmDowngradeRefused unless the challenge offers everything a strong session needs. */
export function checkChallenge(challenge: ChallengeMessage, policy: ChallengePolicy): void {
  const { flags } = challenge;
  const missing: string[] = [];
  if (!(flags & Flags.EXTENDED_SESSIONSECURITY))
    missing.push('extended session security (NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)');
  if (!(flags & Flags.NEGOTIATE_128)) missing.push('128-bit session keys (NTLMSSP_NEGOTIATE_128)');
  if (!(flags & Flags.KEY_EXCH)) missing.push('session key exchange (NTLMSSP_NEGOTIATE_KEY_EXCH)');
  if (policy.sealingRequired && !(flags & Flags.SIGN))
    missing.push('message signing (NTLMSSP_NEGOTIATE_SIGN), required because plain HTTP is sealed');
  if (policy.sealingRequired && !(flags & Flags.SEAL))
    missing.push('message sealing (NTLMSSP_NEGOTIATE_SEAL), required because plain HTTP is sealed');
  if (challenge.timestamp === undefined)
    missing.push('a timestamp (MsvAvTimestamp), without which the handshake carries no MIC');
  if (missing.length > 0) throw new NtlmDowngradeRefused(policy.host, missing, describeFlags(flags));
}
