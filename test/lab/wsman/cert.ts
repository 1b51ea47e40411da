/**
 * One self-signed certificate for the whole lab (generating RSA keys per host would slow every
 * test). Clients pin it by SHA-256 fingerprint or trust its PEM as a CA.
 */
import { X509Certificate } from 'node:crypto';
import selfsigned from 'selfsigned';

export interface LabCertificate {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the DER certificate, upper-case hex pairs separated by ':' (as Node prints it). */
  fingerprintSha256: string;
}

export async function createLabCertificate(hostNames: string[]): Promise<LabCertificate> {
  const altNames = [
    { type: 2 as const, value: 'localhost' },
    { type: 7 as const, ip: '127.0.0.1' },
    ...hostNames.map((value) => ({ type: 2 as const, value })),
  ];
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'Aether-V Hyper-V lab' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 7 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private, fingerprintSha256: new X509Certificate(pems.cert).fingerprint256 };
}
