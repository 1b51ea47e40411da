import type { HostEntry } from './hosts';

// Plain values and rules, no schemas: the renderer imports these without TypeBox.

/**
 * The fields that decide where (and how) a stored password is sent. Changing any of them on an
 * existing host needs the password again: otherwise an edit, by mistake or by someone at an
 * unlocked workstation, could send the saved password to an address it was never meant for. The
 * pinned certificate is one of them: a new pin trusts a different server at the same address.
 */
export const CREDENTIAL_BOUND_FIELDS = ['address', 'port', 'transport', 'auth', 'allowUnencryptedBasic', 'tlsFingerprintSha256'] as const;
export type CredentialBoundField = (typeof CREDENTIAL_BOUND_FIELDS)[number];

/** The words each field has on the host form. */
export const CREDENTIAL_BOUND_LABELS: Record<CredentialBoundField, string> = {
  address: 'address',
  port: 'port',
  transport: 'transport',
  auth: 'authentication',
  allowUnencryptedBasic: '"allow unencrypted Basic"',
  tlsFingerprintSha256: 'pinned certificate',
};

/** A fingerprint as compared: colons and letter case are spelling, not a different pin. */
const pinOf = (value: unknown): string => (typeof value === 'string' ? value.replace(/:/g, '').toLowerCase() : '');

/** Which credential-bound fields differ between a stored host and its edited form (one rule for backend and UI). */
export function credentialBoundChanges(
  stored: Pick<HostEntry, CredentialBoundField>,
  next: Pick<HostEntry, CredentialBoundField>,
): CredentialBoundField[] {
  return CREDENTIAL_BOUND_FIELDS.filter((field) =>
    field === 'tlsFingerprintSha256' ? pinOf(stored[field]) !== pinOf(next[field]) : stored[field] !== next[field],
  );
}

/** "address, port and authentication": the changed fields in the form's words. */
export function credentialBoundList(changed: readonly CredentialBoundField[]): string {
  const names = changed.map((f) => CREDENTIAL_BOUND_LABELS[f]);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : (names[0] ?? '');
}

/** The sentence shown when such a change comes without the password. */
export function passwordRequiredMessage(hostName: string, changed: readonly CredentialBoundField[]): string {
  const list = credentialBoundList(changed);
  return `password: changing the ${list} of ${hostName} needs the password again, so the saved password is only ever sent where it was entered for; enter it and save again`;
}
