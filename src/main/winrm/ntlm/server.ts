/**
 * The server side of NTLMv2, for the Hyper-V lab simulator: issue a CHALLENGE, verify an
 * AUTHENTICATE by recomputing the NTLMv2 response from the configured password, recover the
 * exported session key and hand back a server-role session for sealing.
 * It checks what a real host checks that matters to a client (response, MIC, channel bindings);
 * it is not hardened for exposure beyond loopback.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AvId, CLIENT_VERSION, Flags } from './constants';
import { computeNtlmv2Response, exchangeSessionKey, fileTimeNow, hmacMd5, ntowfv2 } from './crypto';
import {
  AUTHENTICATE_MIC_OFFSET,
  decodeAvPairs,
  encodeAvPairs,
  encodeChallenge,
  parseAuthenticate,
  parseNegotiate,
} from './messages';
import { NtlmSessionSecurity } from './session-security';

/** Returns the password for a user name as sent by the client, or undefined if unknown. */
export type PasswordLookup = (user: string, domain: string) => string | undefined;

export interface NtlmServerOptions {
  /** A single account (compared case-insensitively, any domain) or a lookup function. */
  credentials: { username: string; password: string } | PasswordLookup;
  /** NetBIOS computer name, e.g. "HV01". */
  computerName?: string;
  /** NetBIOS domain (workgroup) name. */
  domainName?: string;
  /** Fixed values for reproducible tests; random / current time otherwise. */
  serverChallenge?: Buffer;
  timestamp?: Buffer;
  /** When set (HTTPS with CbtHardeningLevel=Strict), MsvAvChannelBindings must equal it. */
  requiredChannelBindings?: Buffer;
  /** Test only: offer a weakened CHALLENGE, as a downgrading host or a meddler would. */
  weakChallenge?: WeakChallengeOptions;
}

/** How a test server weakens its CHALLENGE (the client must refuse each of these). */
export interface WeakChallengeOptions {
  /** Negotiate flags never granted, e.g. Flags.NEGOTIATE_128 | Flags.KEY_EXCH. */
  withholdFlags?: number;
  /** Leave MsvAvTimestamp out of the target info, so the client cannot send a MIC. */
  omitTimestamp?: boolean;
}

export type NtlmAcceptResult =
  | { ok: true; user: string; domain: string; session: NtlmSessionSecurity; exportedSessionKey: Buffer }
  | { ok: false; reason: string };

// Flags a server may grant when the client asks for them.
const GRANTABLE =
  Flags.UNICODE |
  Flags.REQUEST_TARGET |
  Flags.NTLM |
  Flags.SIGN |
  Flags.SEAL |
  Flags.ALWAYS_SIGN |
  Flags.EXTENDED_SESSIONSECURITY |
  Flags.VERSION |
  Flags.NEGOTIATE_128 |
  Flags.KEY_EXCH |
  Flags.NEGOTIATE_56;

function lookupFrom(credentials: NtlmServerOptions['credentials']): PasswordLookup {
  if (typeof credentials === 'function') return credentials;
  const bare = credentials.username.includes('\\')
    ? credentials.username.slice(credentials.username.indexOf('\\') + 1)
    : credentials.username;
  return (user) =>
    user.toLowerCase() === bare.toLowerCase() || user.toLowerCase() === credentials.username.toLowerCase()
      ? credentials.password
      : undefined;
}

/** One server-side handshake. Create a new one per connection. */
export class NtlmServer {
  private negotiateRaw?: Buffer;
  private challengeRaw?: Buffer;
  private serverChallenge?: Buffer;
  private readonly lookup: PasswordLookup;

  constructor(private readonly options: NtlmServerOptions) {
    this.lookup = lookupFrom(options.credentials);
  }

  /** Answers a NEGOTIATE with a CHALLENGE (throws ProtocolError for a malformed NEGOTIATE). */
  challenge(negotiateMessage: Buffer): Buffer {
    const negotiate = parseNegotiate(negotiateMessage);
    const computer = this.options.computerName ?? 'HV-LAB';
    const domain = this.options.domainName ?? 'WORKGROUP';
    const weak = this.options.weakChallenge;
    const targetInfo = encodeAvPairs([
      { id: AvId.NbDomainName, value: Buffer.from(domain, 'utf16le') },
      { id: AvId.NbComputerName, value: Buffer.from(computer, 'utf16le') },
      { id: AvId.DnsDomainName, value: Buffer.from(domain.toLowerCase(), 'utf16le') },
      { id: AvId.DnsComputerName, value: Buffer.from(computer.toLowerCase(), 'utf16le') },
      ...(weak?.omitTimestamp === true ? [] : [{ id: AvId.Timestamp, value: this.options.timestamp ?? fileTimeNow() }]),
    ]);
    const granted = (negotiate.flags & GRANTABLE & ~(weak?.withholdFlags ?? 0)) >>> 0;
    const flags = (granted | Flags.TARGET_INFO | Flags.TARGET_TYPE_SERVER) >>> 0;
    this.serverChallenge = this.options.serverChallenge ?? randomBytes(8);
    this.negotiateRaw = negotiate.raw;
    this.challengeRaw = encodeChallenge({
      flags,
      serverChallenge: this.serverChallenge,
      targetName: computer,
      targetInfo,
      version: CLIENT_VERSION,
    });
    return this.challengeRaw;
  }

  /** Verifies an AUTHENTICATE. A wrong password or tampered message gives {ok:false}, not a throw. */
  accept(authenticateMessage: Buffer): NtlmAcceptResult {
    if (
      this.challengeRaw === undefined ||
      this.serverChallenge === undefined ||
      this.negotiateRaw === undefined
    ) {
      return { ok: false, reason: 'AUTHENTICATE before CHALLENGE' };
    }
    let auth;
    try {
      auth = parseAuthenticate(authenticateMessage);
    } catch (err) {
      return { ok: false, reason: `malformed AUTHENTICATE: ${(err as Error).message}` };
    }
    const nt = auth.ntChallengeResponse;
    if (nt.length < 16 + 28) return { ok: false, reason: 'not an NTLMv2 response' };
    const password = this.lookup(auth.user, auth.domain);
    if (password === undefined) return { ok: false, reason: `unknown user '${auth.user}'` };

    const responseKeyNt = ntowfv2(password, auth.user, auth.domain);
    const blob = nt.subarray(16);
    const computed = computeNtlmv2Response(responseKeyNt, this.serverChallenge, blob);
    if (!timingSafeEqual(computed.ntProofStr, nt.subarray(0, 16))) {
      return { ok: false, reason: 'wrong password' };
    }

    // AV pairs inside the client blob start after the 28-byte header and end with 4 zero bytes.
    let pairs;
    try {
      pairs = decodeAvPairs(Buffer.from(blob.subarray(28)));
    } catch {
      return { ok: false, reason: 'malformed AV pairs in NTLMv2 response' };
    }
    if (this.options.requiredChannelBindings !== undefined) {
      const cbt = pairs.find((p) => p.id === AvId.ChannelBindings);
      if (cbt === undefined || !cbt.value.equals(this.options.requiredChannelBindings)) {
        return { ok: false, reason: 'channel bindings missing or do not match the TLS certificate' };
      }
    }

    const keyExchange = (auth.flags & Flags.KEY_EXCH) !== 0;
    if (keyExchange && auth.encryptedRandomSessionKey.length !== 16) {
      return { ok: false, reason: 'key exchange negotiated but no 16-byte session key sent' };
    }
    const exportedSessionKey = keyExchange
      ? exchangeSessionKey(computed.sessionBaseKey, auth.encryptedRandomSessionKey)
      : computed.sessionBaseKey;

    const avFlags = pairs.find((p) => p.id === AvId.Flags);
    const micPresent =
      avFlags !== undefined && avFlags.value.length === 4 && (avFlags.value.readUInt32LE(0) & 2) !== 0;
    if (micPresent) {
      if (auth.mic === undefined) return { ok: false, reason: 'MIC announced but absent' };
      const zeroed = Buffer.from(auth.raw);
      zeroed.fill(0, AUTHENTICATE_MIC_OFFSET, AUTHENTICATE_MIC_OFFSET + 16);
      const mic = hmacMd5(exportedSessionKey, this.negotiateRaw, this.challengeRaw, zeroed);
      if (!timingSafeEqual(mic, auth.mic)) return { ok: false, reason: 'MIC does not verify' };
    }

    if (!(auth.flags & Flags.EXTENDED_SESSIONSECURITY)) {
      return { ok: false, reason: 'client did not negotiate extended session security' };
    }
    const session = new NtlmSessionSecurity({ exportedSessionKey, flags: auth.flags, role: 'server' });
    return { ok: true, user: auth.user, domain: auth.domain, session, exportedSessionKey };
  }
}
