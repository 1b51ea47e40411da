/**
 * The client side of an NTLMv2 handshake: NEGOTIATE, then AUTHENTICATE from the server's
 * CHALLENGE with key exchange, MIC and (over HTTPS) channel bindings. The result carries a
 * client-role session for message sealing.
 */
import { randomBytes } from 'node:crypto';
import { ProtocolError } from '../errors';
import { checkChallenge } from './challenge-policy';
import { AV_FLAG_MIC_PRESENT, AvId, CLIENT_NEGOTIATE_FLAGS, CLIENT_VERSION, Flags } from './constants';
import {
  computeNtlmv2Response,
  exchangeSessionKey,
  fileTimeNow,
  hmacMd5,
  lmv2Response,
  ntlmv2ClientBlob,
  ntowfv2,
} from './crypto';
import {
  AUTHENTICATE_MIC_OFFSET,
  type AvPair,
  type ChallengeMessage,
  encodeAuthenticate,
  encodeAvPairs,
  encodeNegotiate,
  parseChallenge,
} from './messages';
import { NtlmSessionSecurity } from './session-security';

export interface NtlmIdentity {
  user: string;
  domain: string;
}

/**
 * Splits what an administrator types: "DOMAIN\user" → domain + user; "user@domain.tld" (UPN) is
 * sent whole as the user with an empty domain, which Windows resolves; a bare name is a local
 * account of the target host (empty domain).
 */
export function parseUsername(username: string): NtlmIdentity {
  const slash = username.indexOf('\\');
  if (slash >= 0) return { domain: username.slice(0, slash), user: username.slice(slash + 1) };
  return { domain: '', user: username };
}

export interface AuthenticateInputs {
  identity: NtlmIdentity;
  password: string;
  workstation: string;
  negotiateMessage: Buffer;
  challenge: ChallengeMessage;
  clientChallenge: Buffer;
  /** The random session key to export when KEY_EXCH is negotiated. */
  randomSessionKey: Buffer;
  /** FILETIME used when the server sent no MsvAvTimestamp. */
  fallbackTimestamp: Buffer;
  /** 16-byte MsvAvChannelBindings value (HTTPS), or undefined. */
  channelBindings?: Buffer;
}

export interface AuthenticateResult {
  message: Buffer;
  flags: number;
  exportedSessionKey: Buffer;
  ntChallengeResponse: Buffer;
  lmChallengeResponse: Buffer;
  sessionBaseKey: Buffer;
  encryptedRandomSessionKey: Buffer;
  mic?: Buffer;
}

/** Deterministic core of the AUTHENTICATE computation (all randomness passed in), for vectors. */
export function computeAuthenticate(input: AuthenticateInputs): AuthenticateResult {
  const { challenge } = input;
  if (!(challenge.flags & Flags.NTLM) && !(challenge.flags & Flags.EXTENDED_SESSIONSECURITY)) {
    throw new ProtocolError('NTLM server offered neither NTLM nor extended session security');
  }
  // Answer with the flags the server chose; that is the negotiated set both sides derive keys from.
  const flags = (challenge.flags | Flags.UNICODE) & ~Flags.OEM;
  const responseKeyNt = ntowfv2(input.password, input.identity.user, input.identity.domain);

  const serverHasTimestamp = challenge.timestamp !== undefined;
  const pairs: AvPair[] = challenge.avPairs.filter(
    (p) => p.id !== AvId.Flags && p.id !== AvId.ChannelBindings,
  );
  if (serverHasTimestamp) {
    const existing = challenge.avPairs.find((p) => p.id === AvId.Flags);
    const value = Buffer.alloc(4);
    value.writeUInt32LE(
      ((existing?.value.length === 4 ? existing.value.readUInt32LE(0) : 0) | AV_FLAG_MIC_PRESENT) >>> 0,
    );
    pairs.push({ id: AvId.Flags, value });
  }
  if (input.channelBindings !== undefined)
    pairs.push({ id: AvId.ChannelBindings, value: input.channelBindings });
  // Without changes, echo the server's bytes exactly (the published vectors depend on it).
  const unchanged =
    !serverHasTimestamp && input.channelBindings === undefined && challenge.targetInfo.length > 0;
  const avBytes = unchanged ? challenge.targetInfo : encodeAvPairs(pairs);

  const timestamp = challenge.timestamp ?? input.fallbackTimestamp;
  const blob = ntlmv2ClientBlob(timestamp, input.clientChallenge, avBytes);
  const { ntChallengeResponse, sessionBaseKey } = computeNtlmv2Response(
    responseKeyNt,
    challenge.serverChallenge,
    blob,
  );
  // With a server timestamp the LM response must be zeros (MS-NLMP §3.1.5.1.2).
  const lmChallengeResponse = serverHasTimestamp
    ? Buffer.alloc(24)
    : lmv2Response(responseKeyNt, challenge.serverChallenge, input.clientChallenge);

  const keyExchange = (flags & Flags.KEY_EXCH) !== 0;
  const exportedSessionKey = keyExchange ? Buffer.from(input.randomSessionKey) : sessionBaseKey;
  const encryptedRandomSessionKey = keyExchange
    ? exchangeSessionKey(sessionBaseKey, input.randomSessionKey)
    : Buffer.alloc(0);

  const message = encodeAuthenticate({
    flags,
    lmChallengeResponse,
    ntChallengeResponse,
    domain: input.identity.domain,
    user: input.identity.user,
    workstation: input.workstation,
    encryptedRandomSessionKey,
    version: CLIENT_VERSION,
  });
  const result: AuthenticateResult = {
    message,
    flags,
    exportedSessionKey,
    ntChallengeResponse,
    lmChallengeResponse,
    sessionBaseKey,
    encryptedRandomSessionKey,
  };
  if (serverHasTimestamp) {
    const mic = hmacMd5(exportedSessionKey, input.negotiateMessage, challenge.raw, message);
    mic.copy(message, AUTHENTICATE_MIC_OFFSET);
    result.mic = mic;
  }
  return result;
}

export interface NtlmClientOptions {
  /** As typed by the user: "user", "DOMAIN\\user" or "user@domain". */
  username: string;
  password: string;
  workstation?: string;
  /** MsvAvChannelBindings value from channelBindingsHash(serverCertDer), for HTTPS. */
  channelBindings?: Buffer;
  /** host:port, named when a challenge is refused. */
  host?: string;
  /**
   * Whether messages will be sealed (plain HTTP), so the challenge must offer signing and sealing.
   * Default true: only a caller that knows the channel is TLS may relax it.
   */
  sealingRequired?: boolean;
}

/** One NTLM handshake. Create a new one per connection. */
export class NtlmClient {
  private negotiateMessage?: Buffer;

  constructor(private readonly options: NtlmClientOptions) {}

  negotiate(): Buffer {
    this.negotiateMessage = encodeNegotiate(CLIENT_NEGOTIATE_FLAGS, CLIENT_VERSION);
    return this.negotiateMessage;
  }

  /**
   * Builds AUTHENTICATE for a CHALLENGE; throws ProtocolError for a malformed challenge and
   * NtlmDowngradeRefused for one that would weaken the session (challenge-policy.ts).
   */
  authenticate(challengeMessage: Buffer): { message: Buffer; session: NtlmSessionSecurity } {
    if (this.negotiateMessage === undefined) throw new Error('NtlmClient.negotiate() must be called first');
    const challenge = parseChallenge(challengeMessage);
    checkChallenge(challenge, {
      host: this.options.host ?? 'the host',
      sealingRequired: this.options.sealingRequired ?? true,
    });
    const inputs: AuthenticateInputs = {
      identity: parseUsername(this.options.username),
      password: this.options.password,
      workstation: this.options.workstation ?? '',
      negotiateMessage: this.negotiateMessage,
      challenge,
      clientChallenge: randomBytes(8),
      randomSessionKey: randomBytes(16),
      fallbackTimestamp: fileTimeNow(),
    };
    if (this.options.channelBindings !== undefined) inputs.channelBindings = this.options.channelBindings;
    const result = computeAuthenticate(inputs);
    const session = new NtlmSessionSecurity({
      exportedSessionKey: result.exportedSessionKey,
      flags: result.flags,
      role: 'client',
    });
    return { message: result.message, session };
  }
}
