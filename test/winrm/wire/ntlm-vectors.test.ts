import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeAuthenticate } from '../../../src/main/winrm/ntlm/client';
import {
  channelBindingsHash,
  certificateHash,
  channelBindingsStruct,
} from '../../../src/main/winrm/ntlm/channel-binding';
import { CLIENT_VERSION } from '../../../src/main/winrm/ntlm/constants';
import {
  computeNtlmv2Response,
  deriveSessionKeys,
  exchangeSessionKey,
  lmv2Response,
  ntHash,
  ntlmv2ClientBlob,
  ntowfv2,
} from '../../../src/main/winrm/ntlm/crypto';
import {
  encodeChallenge,
  encodeNegotiate,
  parseAuthenticate,
  parseChallenge,
} from '../../../src/main/winrm/ntlm/messages';
import { NtlmSessionSecurity } from '../../../src/main/winrm/ntlm/session-security';
import { decodeEncryptedBody, sealToBody, unsealFromBody } from '../../../src/main/winrm/http/multipart';
import { ProtocolError } from '../../../src/main/winrm/errors';

const FIXTURES = new URL('../../fixtures/winrm-fixtures/', import.meta.url);

interface WireMessage {
  seq: number;
  sealed: string;
  signature: string;
  http_body_hex: string;
  plaintext?: string;
  plaintext_utf8_hex?: string;
}
interface Vectors {
  inputs: Record<string, string>;
  [key: string]: unknown;
  wrap_example: { plaintext_utf16le_Plaintext: string; sealed: string; signature: string };
  winrm_sequence: { client_requests: WireMessage[]; server_responses: WireMessage[] };
}

const v = JSON.parse(
  readFileSync(new URL('ntlm-session-security-vectors.json', FIXTURES), 'utf8'),
) as Vectors;
const inp = v.inputs;
const h = (s: string): Buffer => Buffer.from(s, 'hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const str = (k: string): string => v[k] as string;
const flags = Number(inp.negotiate_flags);
const esk = h(str('exported_session_key'));

describe('NTLMv2 (MS-NLMP 4.2.4 vectors)', () => {
  it('NT hash and NTOWFv2', () => {
    expect(hex(ntHash(inp.password))).toBe(str('nt_hash_md4_utf16le_password'));
    expect(hex(ntowfv2(inp.password, inp.user, inp.domain))).toBe(str('response_key_nt_ntowfv2'));
  });

  it('NTLMv2 response, LMv2 response, session base key, key exchange', () => {
    const key = ntowfv2(inp.password, inp.user, inp.domain);
    const blob = ntlmv2ClientBlob(h(inp.timestamp), h(inp.client_challenge), h(inp.target_info_av_pairs));
    expect(hex(blob)).toBe(str('ntlmv2_temp'));
    const r = computeNtlmv2Response(key, h(inp.server_challenge), blob);
    expect(hex(r.ntProofStr)).toBe(str('nt_proof_str'));
    expect(hex(r.ntChallengeResponse)).toBe(str('nt_challenge_response'));
    expect(hex(r.sessionBaseKey)).toBe(str('session_base_key'));
    expect(hex(lmv2Response(key, h(inp.server_challenge), h(inp.client_challenge)))).toBe(
      str('lmv2_response'),
    );
    const encrypted = exchangeSessionKey(h(str('key_exchange_key')), h(inp.random_session_key));
    expect(hex(encrypted)).toBe(str('encrypted_random_session_key'));
    // The server side recovers the key with the same operation.
    expect(hex(exchangeSessionKey(h(str('key_exchange_key')), encrypted))).toBe(str('exported_session_key'));
  });

  it('computeAuthenticate produces the vector responses inside a well-formed AUTHENTICATE', () => {
    const negotiate = encodeNegotiate(flags, CLIENT_VERSION);
    const challenge = parseChallenge(
      encodeChallenge({
        flags,
        serverChallenge: h(inp.server_challenge),
        targetName: 'Server',
        targetInfo: h(inp.target_info_av_pairs),
        version: CLIENT_VERSION,
      }),
    );
    const result = computeAuthenticate({
      identity: { user: inp.user, domain: inp.domain },
      password: inp.password,
      workstation: 'COMPUTER',
      negotiateMessage: negotiate,
      challenge,
      clientChallenge: h(inp.client_challenge),
      randomSessionKey: h(inp.random_session_key),
      fallbackTimestamp: h(inp.timestamp),
    });
    expect(hex(result.ntChallengeResponse)).toBe(str('nt_challenge_response'));
    expect(hex(result.lmChallengeResponse)).toBe(str('lmv2_response'));
    expect(hex(result.encryptedRandomSessionKey)).toBe(str('encrypted_random_session_key'));
    expect(hex(result.exportedSessionKey)).toBe(str('exported_session_key'));
    expect(result.mic).toBeUndefined(); // no MsvAvTimestamp in this challenge → no MIC
    const parsed = parseAuthenticate(result.message);
    expect(parsed.user).toBe('User');
    expect(parsed.domain).toBe('Domain');
    expect(parsed.workstation).toBe('COMPUTER');
    // We echo the server's flags but always answer in Unicode, so OEM (0x2) is dropped.
    expect(parsed.flags >>> 0).toBe((flags & ~0x2) >>> 0);
    expect(hex(parsed.ntChallengeResponse)).toBe(str('nt_challenge_response'));
  });

  it('signing and sealing keys', () => {
    const keys = deriveSessionKeys(esk, flags);
    expect(hex(keys.clientSigningKey)).toBe(str('client_signing_key'));
    expect(hex(keys.serverSigningKey)).toBe(str('server_signing_key'));
    expect(hex(keys.clientSealingKey)).toBe(str('client_sealing_key'));
    expect(hex(keys.serverSealingKey)).toBe(str('server_sealing_key'));
  });

  it('wrap example (MS-NLMP 4.2.4.4)', () => {
    const session = new NtlmSessionSecurity({ exportedSessionKey: esk, flags, role: 'client' });
    const out = session.seal(h(v.wrap_example.plaintext_utf16le_Plaintext));
    expect(hex(out.sealed)).toBe(v.wrap_example.sealed);
    expect(hex(out.signature)).toBe(v.wrap_example.signature);
  });
});

describe('WinRM sealed sequence (one RC4 stream per direction)', () => {
  const { client_requests: requests, server_responses: responses } = v.winrm_sequence;

  it('client seals requests 0..2 into the exact HTTP bodies', () => {
    const client = new NtlmSessionSecurity({ exportedSessionKey: esk, flags, role: 'client' });
    for (const r of requests) {
      expect(client.outgoingSequence).toBe(r.seq);
      const body = sealToBody(client, Buffer.from(r.plaintext ?? '', 'utf8'));
      expect(hex(body)).toBe(r.http_body_hex);
    }
  });

  it('server unseals the requests and seals the exact responses; client unseals them', () => {
    const server = new NtlmSessionSecurity({ exportedSessionKey: esk, flags, role: 'server' });
    const client = new NtlmSessionSecurity({ exportedSessionKey: esk, flags, role: 'client' });
    for (let i = 0; i < requests.length; i++) {
      const plain = unsealFromBody(server, h(requests[i].http_body_hex));
      expect(plain.toString('utf8')).toBe(requests[i].plaintext);
      const resp = sealToBody(server, h(responses[i].plaintext_utf8_hex ?? ''));
      expect(hex(resp)).toBe(responses[i].http_body_hex);
      const framed = decodeEncryptedBody(resp);
      expect(hex(framed.signature)).toBe(responses[i].signature);
      expect(hex(framed.sealed)).toBe(responses[i].sealed);
      expect(hex(unsealFromBody(client, resp))).toBe(responses[i].plaintext_utf8_hex);
    }
  });

  it('rejects a replayed or out-of-order message', () => {
    const server = new NtlmSessionSecurity({ exportedSessionKey: esk, flags, role: 'server' });
    // Skipping request 0: request 1 carries seq 1 while the server expects 0.
    expect(() => unsealFromBody(server, h(requests[1].http_body_hex))).toThrow(ProtocolError);
  });

  it('rejects a flipped byte in the sealed payload', () => {
    const server = new NtlmSessionSecurity({ exportedSessionKey: esk, flags, role: 'server' });
    const body = h(requests[0].http_body_hex);
    const framed = decodeEncryptedBody(body);
    const idx = body.indexOf(framed.sealed) + 3;
    body[idx] ^= 0x01;
    expect(() => unsealFromBody(server, body)).toThrow(/signature does not verify/);
  });
});

describe('channel bindings (tls-server-end-point)', () => {
  const cbt = JSON.parse(
    readFileSync(new URL('pypsrp/cbt-certificate-hash-vectors.json', FIXTURES), 'utf8'),
  ) as { vectors: Array<{ name: string; cert_der_base64: string; expected_hash_hex: string }> };
  for (const vec of cbt.vectors) {
    it(`certificate hash: ${vec.name}`, () => {
      expect(hex(certificateHash(Buffer.from(vec.cert_der_base64, 'base64')))).toBe(vec.expected_hash_hex);
    });
  }

  it('gss_channel_bindings_struct layout and MD5', () => {
    const der = Buffer.from(cbt.vectors[2].cert_der_base64, 'base64');
    const struct = channelBindingsStruct(der);
    const appData = Buffer.concat([
      Buffer.from('tls-server-end-point:'),
      h(cbt.vectors[2].expected_hash_hex),
    ]);
    expect(struct.subarray(0, 16).equals(Buffer.alloc(16))).toBe(true);
    expect(struct.readUInt32LE(16)).toBe(appData.length);
    expect(struct.subarray(20).equals(appData)).toBe(true);
    expect(channelBindingsHash(der)).toHaveLength(16);
  });
});
