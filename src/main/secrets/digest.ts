import { createHmac, randomBytes } from 'node:crypto';

// A key that lives only in this process: a digest cannot be checked against a guessed password
// outside it, and is worthless after a restart.
const PROCESS_KEY = randomBytes(32);

/**
 * A stand-in for a secret where code must tell "same secret?" (cache keys, change detection)
 * without keeping the secret itself: HMAC-SHA256 under a per-process random key.
 */
export function secretDigest(secret: string): string {
  return createHmac('sha256', PROCESS_KEY).update(secret, 'utf8').digest('base64url');
}
