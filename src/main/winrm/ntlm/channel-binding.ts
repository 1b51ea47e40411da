/**
 * TLS channel binding for NTLM over HTTPS (RFC 5929 "tls-server-end-point", MS-NLMP
 * MsvAvChannelBindings). Hosts with CbtHardeningLevel=Strict reject NTLM without it.
 * The certificate hash follows the certificate's own signature hash, except that MD5, SHA-1
 * and unknown algorithms use SHA-256. We read the signature algorithm from the DER ourselves
 * because X509Certificate.signatureAlgorithmOid is not available in every Node/Electron we ship on.
 */
import { createHash } from 'node:crypto';
import { md5 } from './crypto';

type CbtHash = 'sha256' | 'sha384' | 'sha512';

// DER-encoded OID bodies (without tag/length) of the signature algorithms that change the hash.
const OID_HASH: Record<string, CbtHash> = {
  '2a864886f70d01010c': 'sha384', // sha384WithRSAEncryption
  '2a864886f70d01010d': 'sha512', // sha512WithRSAEncryption
  '2a8648ce3d040303': 'sha384', // ecdsa-with-SHA384
  '2a8648ce3d040304': 'sha512', // ecdsa-with-SHA512
};

interface Tlv {
  tag: number;
  start: number; // offset of the value
  end: number; // offset after the value
}

function readTlv(der: Uint8Array, at: number): Tlv | undefined {
  if (at + 2 > der.length) return undefined;
  const tag = der[at];
  let len = der[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > der.length) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i];
    start += n;
  }
  const end = start + len;
  return end <= der.length ? { tag, start, end } : undefined;
}

/** The OID of Certificate.signatureAlgorithm as hex, or undefined if the DER is not a certificate. */
export function signatureAlgorithmOid(der: Uint8Array): string | undefined {
  const cert = readTlv(der, 0);
  if (cert?.tag !== 0x30) return undefined;
  const tbs = readTlv(der, cert.start);
  if (tbs?.tag !== 0x30) return undefined;
  const alg = readTlv(der, tbs.end);
  if (alg?.tag !== 0x30) return undefined;
  const oid = readTlv(der, alg.start);
  if (oid?.tag !== 0x06) return undefined;
  return Buffer.from(der.subarray(oid.start, oid.end)).toString('hex');
}

/** The tls-server-end-point certificate hash of a DER certificate. */
export function certificateHash(der: Uint8Array): Buffer {
  const oid = signatureAlgorithmOid(der);
  const algorithm: CbtHash = (oid !== undefined ? OID_HASH[oid] : undefined) ?? 'sha256';
  return createHash(algorithm).update(der).digest();
}

/**
 * gss_channel_bindings_struct with empty initiator/acceptor addresses and application data
 * "tls-server-end-point:" + certificate hash, flattened the way SSPI hashes it.
 */
export function channelBindingsStruct(certDer: Uint8Array): Buffer {
  const appData = Buffer.concat([Buffer.from('tls-server-end-point:', 'latin1'), certificateHash(certDer)]);
  const head = Buffer.alloc(20); // initiator type+len, acceptor type+len, application data len
  head.writeUInt32LE(appData.length, 16);
  return Buffer.concat([head, appData]);
}

/** The 16-byte MsvAvChannelBindings value for a server certificate. */
export function channelBindingsHash(certDer: Uint8Array): Buffer {
  return md5(channelBindingsStruct(certDer));
}
