import { safeStorage } from 'electron';
import type { SecretCipher } from '../secrets/secret-store';

/** Passwords encrypted with the OS keychain (DPAPI, Keychain, libsecret) through safeStorage. */
export function safeStorageCipher(): SecretCipher {
  if (!safeStorage.isEncryptionAvailable()) {
    throw new Error('the OS keychain is not available to Electron safeStorage; passwords cannot be stored safely');
  }
  return {
    protection: `Electron safeStorage (${process.platform === 'win32' ? 'DPAPI' : process.platform === 'darwin' ? 'Keychain' : 'libsecret/kwallet'})`,
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (sealed) => safeStorage.decryptString(sealed),
  };
}
