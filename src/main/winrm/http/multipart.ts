/**
 * The multipart/encrypted body WinRM uses for NTLM-sealed messages over plain HTTP
 * (MS-WSMV 2.2.9.1; research §2.2). The bytes written here are identical to pywinrm's, pypsrp's
 * and Go winrm's. The decoder takes bytes from the network: it never trusts a length it has not
 * checked against the body, and throws only ProtocolError.
 */
import { ProtocolError } from '../errors';
import type { NtlmSessionSecurity } from '../ntlm/session-security';

export const SPNEGO_ENCRYPTED_PROTOCOL = 'application/HTTP-SPNEGO-session-encrypted';
export const ENCRYPTED_CONTENT_TYPE = `multipart/encrypted;protocol="${SPNEGO_ENCRYPTED_PROTOCOL}";boundary="Encrypted Boundary"`;
export const SOAP_CONTENT_TYPE = 'application/soap+xml;charset=UTF-8';

const BOUNDARY = Buffer.from('--Encrypted Boundary\r\n', 'latin1');
const BOUNDARY_LOOSE = Buffer.from('-- Encrypted Boundary\r\n', 'latin1'); // seen from Exchange (pypsrp)
const TRAILER = Buffer.from('--Encrypted Boundary--', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');
/** NTLM signatures are 16 bytes; allow some room for other mechanisms but no more. */
const MAX_SIGNATURE_LENGTH = 1024;
const NTLM_SIGNATURE_LENGTH = 16;

export interface EncryptedPayload {
  signature: Buffer;
  sealed: Buffer;
  /** Byte length of the plaintext (OriginalContent Length=). */
  length: number;
  /** OriginalContent type, e.g. application/soap+xml;charset=UTF-8. */
  originalType: string;
}

/** Frames one sealed message. `length` is the plaintext byte length (not characters: WinRb #193). */
export function encodeEncryptedBody(payload: {
  signature: Buffer;
  sealed: Buffer;
  length: number;
  originalType?: string;
}): Buffer {
  const frame = allocateFrame(
    payload.signature.length,
    payload.sealed.length,
    payload.length,
    payload.originalType,
  );
  frame.body.set(payload.signature, frame.signatureAt);
  frame.body.set(payload.sealed, frame.sealedAt);
  return frame.body;
}

const FRAME_TRAILER = '--Encrypted Boundary--\r\n';

/**
 * The whole multipart body with the header, the signature length and the trailer written, and
 * where the signature and sealed bytes go, so a message is sealed straight into its frame.
 */
function allocateFrame(
  signatureLength: number,
  sealedLength: number,
  length: number,
  originalType = SOAP_CONTENT_TYPE,
): { body: Buffer; signatureAt: number; sealedAt: number } {
  const head =
    '--Encrypted Boundary\r\n' +
    `\tContent-Type: ${SPNEGO_ENCRYPTED_PROTOCOL}\r\n` +
    `\tOriginalContent: type=${originalType};Length=${length}\r\n` +
    '--Encrypted Boundary\r\n' +
    '\tContent-Type: application/octet-stream\r\n';
  const headLength = Buffer.byteLength(head, 'latin1');
  const signatureAt = headLength + 4;
  const sealedAt = signatureAt + signatureLength;
  const body = Buffer.allocUnsafe(sealedAt + sealedLength + FRAME_TRAILER.length);
  body.write(head, 0, 'latin1');
  body.writeUInt32LE(signatureLength, headLength);
  body.write(FRAME_TRAILER, sealedAt + sealedLength, 'latin1');
  return { body, signatureAt, sealedAt };
}

function startsWithAt(buf: Buffer, at: number, prefix: Buffer): boolean {
  return (
    at + prefix.length <= buf.length && buf.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0
  );
}

function expectBoundary(body: Buffer, at: number, what: string): number {
  if (startsWithAt(body, at, BOUNDARY)) return at + BOUNDARY.length;
  if (startsWithAt(body, at, BOUNDARY_LOOSE)) return at + BOUNDARY_LOOSE.length;
  throw new ProtocolError(`encrypted WinRM body: expected '--Encrypted Boundary' ${what}`);
}

export function decodeEncryptedBody(body: Buffer): EncryptedPayload {
  const parts = locateEncryptedParts(body);
  // Copies (the caller may reuse `body`); copyBytesFrom is a memcpy, Buffer.from(view) a byte loop.
  return {
    ...parts,
    signature: Buffer.copyBytesFrom(parts.signature),
    sealed: Buffer.copyBytesFrom(parts.sealed),
  };
}

/** decodeEncryptedBody without the copies: signature and sealed are views into `body`. */
function locateEncryptedParts(body: Buffer): EncryptedPayload {
  let at = expectBoundary(body, 0, 'at the start');

  // Header part: MIME header lines up to the next boundary. Ruby omits the leading TAB, so trim.
  let next = body.indexOf(BOUNDARY, at);
  // Only a loose boundary before the strict one matters: search the header part, not the data.
  const nextLoose =
    next < 0 ? body.indexOf(BOUNDARY_LOOSE, at) : body.subarray(0, next).indexOf(BOUNDARY_LOOSE, at);
  if (next < 0 || (nextLoose >= 0 && nextLoose < next)) next = nextLoose;
  if (next < 0) throw new ProtocolError('encrypted WinRM body: second boundary missing');
  const headerLines = body
    .toString('latin1', at, next)
    .split('\r\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const contentType = headerLines.find((l) => /^content-type:/i.test(l));
  if (
    contentType === undefined ||
    !contentType.toLowerCase().includes(SPNEGO_ENCRYPTED_PROTOCOL.toLowerCase())
  ) {
    throw new ProtocolError(
      `encrypted WinRM body: unsupported protocol '${contentType ?? 'none'}' (only NTLM/SPNEGO sealing is implemented)`,
    );
  }
  const original = headerLines.find((l) => /^originalcontent:/i.test(l));
  const lengthMatch =
    original === undefined ? null : /(?:^|;)\s*Length=(\d{1,10})\s*(?:;|$)/i.exec(original.slice(16));
  if (original === undefined || lengthMatch === null) {
    throw new ProtocolError('encrypted WinRM body: OriginalContent header with Length= missing');
  }
  const length = Number(lengthMatch[1]);
  const typeMatch = /type=([^;]*(?:;\s*charset=[^;]*)?)/i.exec(original);
  const originalType = typeMatch !== null ? typeMatch[1].trim() : SOAP_CONTENT_TYPE;

  // Data part: its own Content-Type line, then raw bytes.
  at = expectBoundary(body, next, 'before the data part');
  const lineEnd = body.indexOf(CRLF, at);
  if (lineEnd < 0 || lineEnd - at > 200)
    throw new ProtocolError('encrypted WinRM body: data part header missing');
  const dataType = body.toString('latin1', at, lineEnd).trim();
  if (!/^content-type:\s*application\/octet-stream$/i.test(dataType)) {
    throw new ProtocolError(`encrypted WinRM body: unexpected data part header '${dataType.slice(0, 80)}'`);
  }
  at = lineEnd + 2;

  if (at + 4 > body.length)
    throw new ProtocolError('encrypted WinRM body: truncated before the signature length');
  const sigLength = body.readUInt32LE(at);
  at += 4;
  if (sigLength > MAX_SIGNATURE_LENGTH || at + sigLength > body.length) {
    throw new ProtocolError(`encrypted WinRM body: signature length ${sigLength} is invalid`);
  }
  const signature = body.subarray(at, at + sigLength);
  at += sigLength;
  // RC4 keeps lengths, so the sealed data is exactly Length bytes; the trailer must follow it.
  if (at + length > body.length) {
    throw new ProtocolError(
      `encrypted WinRM body: Length=${length} exceeds the ${body.length - at} bytes present`,
    );
  }
  const sealed = body.subarray(at, at + length);
  at += length;
  if (!startsWithAt(body, at, TRAILER)) {
    throw new ProtocolError('encrypted WinRM body: closing boundary missing after the sealed data');
  }
  return { signature, sealed, length, originalType };
}

/** Seals a SOAP envelope with the session and frames it (encrypted straight into the frame). */
export function sealToBody(session: NtlmSessionSecurity, plaintext: Buffer): Buffer {
  const frame = allocateFrame(NTLM_SIGNATURE_LENGTH, plaintext.length, plaintext.length);
  const signature = session.sealInto(
    plaintext,
    frame.body.subarray(frame.sealedAt, frame.sealedAt + plaintext.length),
  );
  if (signature.length !== NTLM_SIGNATURE_LENGTH) throw new Error('NTLM signatures are 16 bytes');
  frame.body.set(signature, frame.signatureAt);
  return frame.body;
}

/** Unframes, unseals and verifies a body; throws ProtocolError on any mismatch. */
export function unsealFromBody(session: NtlmSessionSecurity, body: Buffer): Buffer {
  // Views are enough: unseal decrypts into a new buffer and keeps neither.
  const payload = locateEncryptedParts(body);
  const plaintext = session.unseal(payload.sealed, payload.signature);
  if (plaintext.length !== payload.length) {
    throw new ProtocolError(
      'encrypted WinRM body: decrypted length differs from Length= (message tampered with?)',
    );
  }
  return plaintext;
}

/** True if a Content-Type header announces an NTLM/SPNEGO-sealed body. */
export function isEncryptedContentType(contentType: string | undefined): boolean {
  return (
    contentType !== undefined &&
    /^multipart\/encrypted/i.test(contentType.trim()) &&
    contentType.toLowerCase().includes(SPNEGO_ENCRYPTED_PROTOCOL.toLowerCase())
  );
}
