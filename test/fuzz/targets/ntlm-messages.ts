/**
 * NTLM NEGOTIATE / CHALLENGE / AUTHENTICATE parsing on both sides: the parsers themselves, our
 * client answering a CHALLENGE (including the downgrade refusals) and the lab's server answering
 * a NEGOTIATE and verifying an AUTHENTICATE. Valid messages come from a real handshake between
 * NtlmClient and NtlmServer (and weakened challenges from the server's test options); the rest
 * are their mutations (bit flips, truncation, length and offset fields set to extremes) and
 * random bytes. A refusal is a WinrmError from a parser or the client, or {ok:false} from the
 * server's accept, which must never throw.
 */
import { WinrmError, NtlmDowngradeRefused } from '../../../src/main/winrm/errors';
import {
  decodeAvPairs,
  Flags,
  NtlmClient,
  NtlmServer,
  parseAuthenticate,
  parseChallenge,
  parseNegotiate,
} from '../../../src/main/winrm/ntlm';
import type { FuzzTarget, Rng } from '../fuzz-target';
import { mutateBytes, preview, randomBytes } from '../winrm-inputs';

type NtlmInput =
  | { side: 'negotiate'; bytes: Buffer }
  | { side: 'challenge'; bytes: Buffer; expect: 'ok' | 'refused' | 'any' }
  | { side: 'authenticate'; negotiate: Buffer; serverChallenge: Buffer; timestamp: Buffer; bytes: Buffer; expect: 'ok' | 'any' }
  | { side: 'av-pairs'; bytes: Buffer };

const USER = 'HV01\\Administrator';
const PASSWORD = 'P@ssw0rd!';

function server(serverChallenge: Buffer, timestamp: Buffer, weakChallenge?: { withholdFlags?: number; omitTimestamp?: boolean }): NtlmServer {
  return new NtlmServer({
    credentials: { username: 'administrator', password: PASSWORD },
    computerName: 'HV01',
    serverChallenge,
    timestamp,
    ...(weakChallenge !== undefined ? { weakChallenge } : {}),
  });
}

function handshake(rng: Rng, weak?: { withholdFlags?: number; omitTimestamp?: boolean }) {
  const rightPassword = rng.chance(0.9);
  const client = new NtlmClient({ username: USER, password: rightPassword ? PASSWORD : 'wrong', host: 'fuzz:5985', sealingRequired: rng.chance(0.7) });
  const negotiate = client.negotiate();
  const serverChallenge = Buffer.from(rng.bytes(8));
  const timestamp = Buffer.from(rng.bytes(8));
  const challenge = server(serverChallenge, timestamp, weak).challenge(negotiate);
  return { client, negotiate, serverChallenge, timestamp, challenge, rightPassword };
}

const WEAK = [
  { withholdFlags: Flags.NEGOTIATE_128 },
  { withholdFlags: Flags.KEY_EXCH },
  { withholdFlags: Flags.EXTENDED_SESSIONSECURITY },
  { omitTimestamp: true },
];

function refusal(error: unknown): void {
  if (!(error instanceof WinrmError)) throw error;
}

export const target: FuzzTarget = {
  name: 'ntlm-messages',
  generate(rng: Rng): NtlmInput {
    const mutate = rng.chance(0.75);
    switch (rng.int(5)) {
      case 0: {
        const { negotiate } = handshake(rng);
        return { side: 'negotiate', bytes: rng.chance(0.15) ? randomBytes(rng, 80) : mutate ? mutateBytes(rng, negotiate) : negotiate };
      }
      case 1: {
        if (!mutate && rng.chance(0.3)) {
          const weak = rng.pick(WEAK);
          return { side: 'challenge', bytes: handshake(rng, weak).challenge, expect: 'refused' };
        }
        const { challenge } = handshake(rng);
        if (rng.chance(0.1)) return { side: 'challenge', bytes: randomBytes(rng, 200), expect: 'any' };
        return mutate ? { side: 'challenge', bytes: mutateBytes(rng, challenge), expect: 'any' } : { side: 'challenge', bytes: challenge, expect: 'ok' };
      }
      case 2:
      case 3: {
        const h = handshake(rng);
        const { message } = h.client.authenticate(h.challenge);
        const base = { side: 'authenticate' as const, negotiate: h.negotiate, serverChallenge: h.serverChallenge, timestamp: h.timestamp };
        if (rng.chance(0.1)) return { ...base, bytes: randomBytes(rng, 400), expect: 'any' };
        return mutate ? { ...base, bytes: mutateBytes(rng, message), expect: 'any' } : { ...base, bytes: message, expect: h.rightPassword ? 'ok' : 'any' };
      }
      default: {
        const { challenge } = handshake(rng);
        const info = parseChallenge(challenge).targetInfo;
        return { side: 'av-pairs', bytes: rng.chance(0.2) ? randomBytes(rng, 64) : mutateBytes(rng, info) };
      }
    }
  },
  run(input: unknown): void {
    const i = input as NtlmInput;
    switch (i.side) {
      case 'negotiate': {
        try {
          parseNegotiate(i.bytes);
        } catch (error) {
          refusal(error);
        }
        try {
          server(Buffer.alloc(8, 1), Buffer.alloc(8, 2)).challenge(i.bytes);
        } catch (error) {
          refusal(error);
        }
        return;
      }
      case 'challenge': {
        try {
          parseChallenge(i.bytes);
        } catch (error) {
          refusal(error);
        }
        const client = new NtlmClient({ username: USER, password: PASSWORD, host: 'fuzz:5985' });
        client.negotiate();
        try {
          client.authenticate(i.bytes);
          if (i.expect === 'refused') throw new Error('a weakened challenge was accepted');
        } catch (error) {
          if (i.expect === 'ok') throw new Error(`a valid challenge was refused: ${String(error)}`);
          if (i.expect === 'refused' && !(error instanceof NtlmDowngradeRefused)) throw error;
          refusal(error);
        }
        return;
      }
      case 'authenticate': {
        try {
          parseAuthenticate(i.bytes);
        } catch (error) {
          refusal(error);
        }
        const s = server(i.serverChallenge, i.timestamp);
        s.challenge(i.negotiate);
        // accept() must answer {ok:false} for anything wrong, never throw.
        const result = s.accept(i.bytes);
        if (typeof result.ok !== 'boolean') throw new Error('accept() gave no verdict');
        if (i.expect === 'ok' && !result.ok) throw new Error(`a valid AUTHENTICATE was refused: ${result.reason}`);
        return;
      }
      case 'av-pairs':
        try {
          decodeAvPairs(i.bytes);
        } catch (error) {
          refusal(error);
        }
    }
  },
  describe(input: unknown): string {
    const i = input as NtlmInput;
    return `${i.side}${'expect' in i ? ` (expect ${i.expect})` : ''}: ${preview(i.bytes, 120)}`;
  },
};

export default target;
