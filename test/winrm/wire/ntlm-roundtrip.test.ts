import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  NtlmClient,
  NtlmServer,
  parseAuthenticate,
  parseChallenge,
  AvId,
  Flags,
} from '../../../src/main/winrm/ntlm';
import { channelBindingsHash } from '../../../src/main/winrm/ntlm';
import { ProtocolError } from '../../../src/main/winrm/errors';

function handshake(
  clientOpts: ConstructorParameters<typeof NtlmClient>[0],
  serverOpts: ConstructorParameters<typeof NtlmServer>[0],
) {
  const client = new NtlmClient(clientOpts);
  const server = new NtlmServer(serverOpts);
  const challenge = server.challenge(client.negotiate());
  const { message, session } = client.authenticate(challenge);
  return { challenge, message, clientSession: session, result: server.accept(message) };
}

describe('NTLM client ↔ server', () => {
  it('authenticates, exchanges a random session key, and both sides seal/unseal', () => {
    const { result, clientSession, challenge, message } = handshake(
      { username: 'HV01\\Administrator', password: 'P@ssw0rd!' },
      { credentials: { username: 'administrator', password: 'P@ssw0rd!' }, computerName: 'HV01' },
    );
    if (!result.ok) throw new Error(result.reason);
    expect(result.user).toBe('Administrator');
    expect(result.domain).toBe('HV01');

    // The challenge carries a timestamp, so the client must add MsvAvFlags(MIC) and a MIC.
    expect(parseChallenge(challenge).timestamp).toHaveLength(8);
    const auth = parseAuthenticate(message);
    expect(auth.mic?.equals(Buffer.alloc(16))).toBe(false);
    expect(auth.lmChallengeResponse.equals(Buffer.alloc(24))).toBe(true);
    expect(auth.flags & Flags.KEY_EXCH).toBeTruthy();
    expect(auth.flags & Flags.SEAL).toBeTruthy();

    for (let i = 0; i < 5; i++) {
      const req = Buffer.from(`<s:Envelope>request ${i} ✓</s:Envelope>`);
      const sealed = clientSession.seal(req);
      expect(sealed.sealed.equals(req)).toBe(false);
      expect(result.session.unseal(sealed.sealed, sealed.signature).equals(req)).toBe(true);
      const resp = randomBytes(100 + i);
      const back = result.session.seal(resp);
      expect(clientSession.unseal(back.sealed, back.signature).equals(resp)).toBe(true);
    }
  });

  it('two handshakes produce different session keys', () => {
    const opts = { username: 'u', password: 'p' };
    const a = handshake(opts, { credentials: { username: 'u', password: 'p' } });
    const b = handshake(opts, { credentials: { username: 'u', password: 'p' } });
    if (!a.result.ok || !b.result.ok) throw new Error('handshake failed');
    expect(a.result.exportedSessionKey.equals(b.result.exportedSessionKey)).toBe(false);
  });

  it('wrong password → ok:false, not a throw', () => {
    const { result } = handshake(
      { username: 'admin', password: 'wrong' },
      { credentials: { username: 'admin', password: 'right' } },
    );
    expect(result).toEqual({ ok: false, reason: 'wrong password' });
  });

  it('unknown user → ok:false', () => {
    const { result } = handshake(
      { username: 'eve', password: 'x' },
      { credentials: { username: 'admin', password: 'x' } },
    );
    expect(result.ok).toBe(false);
  });

  it('a tampered AUTHENTICATE fails the MIC check', () => {
    const client = new NtlmClient({ username: 'admin', password: 'pw' });
    const server = new NtlmServer({ credentials: { username: 'admin', password: 'pw' } });
    const { message } = client.authenticate(server.challenge(client.negotiate()));
    // Flip a flag bit outside the NT response: the NTLMv2 proof still verifies, the MIC must not.
    message.writeUInt32LE((message.readUInt32LE(60) ^ Flags.ALWAYS_SIGN) >>> 0, 60);
    const result = server.accept(message);
    expect(result).toEqual({ ok: false, reason: 'MIC does not verify' });
  });

  it('channel bindings: included by the client and enforced by the server', () => {
    const certA = randomBytes(300);
    const certB = randomBytes(300);
    const good = handshake(
      { username: 'admin', password: 'pw', channelBindings: channelBindingsHash(certA) },
      {
        credentials: { username: 'admin', password: 'pw' },
        requiredChannelBindings: channelBindingsHash(certA),
      },
    );
    expect(good.result.ok).toBe(true);
    const blob = parseAuthenticate(good.message).ntChallengeResponse.subarray(16 + 28);
    const idx = blob.indexOf(channelBindingsHash(certA));
    expect(idx).toBeGreaterThan(0);
    expect(blob.readUInt16LE(idx - 4)).toBe(AvId.ChannelBindings);

    const bad = handshake(
      { username: 'admin', password: 'pw', channelBindings: channelBindingsHash(certB) },
      {
        credentials: { username: 'admin', password: 'pw' },
        requiredChannelBindings: channelBindingsHash(certA),
      },
    );
    expect(bad.result.ok).toBe(false);
  });

  it('fixed server challenge and timestamp are used verbatim', () => {
    const serverChallenge = Buffer.from('0123456789abcdef', 'hex');
    const timestamp = Buffer.from('0090d336b734c301', 'hex');
    const server = new NtlmServer({
      credentials: { username: 'a', password: 'b' },
      serverChallenge,
      timestamp,
    });
    const challenge = parseChallenge(
      server.challenge(new NtlmClient({ username: 'a', password: 'b' }).negotiate()),
    );
    expect(challenge.serverChallenge.equals(serverChallenge)).toBe(true);
    expect(challenge.timestamp?.equals(timestamp)).toBe(true);
  });

  it('malformed CHALLENGE → ProtocolError', () => {
    const client = new NtlmClient({ username: 'a', password: 'b' });
    client.negotiate();
    expect(() => client.authenticate(Buffer.from('NTLMSSP\0garbage'))).toThrow(ProtocolError);
    const truncated = new NtlmServer({ credentials: { username: 'a', password: 'b' } }).challenge(
      client.negotiate(),
    );
    truncated.writeUInt32LE(0xffff, 44); // target info offset far past the end
    expect(() => client.authenticate(truncated)).toThrow(ProtocolError);
  });
});
