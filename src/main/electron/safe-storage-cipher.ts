import path from 'node:path';
import { safeStorage } from 'electron';
import { keyFileCipher, type SecretCipher } from '../secrets/secret-store';

export interface KeychainState {
  available: boolean;
  /** In words, for Diagnostics. */
  detail: string;
}

/**
 * Linux backends that are no keychain at all: `basic_text` encrypts with a key hard-coded in
 * Chromium (anyone who can read the file can decrypt it), `unknown` means none was selected.
 */
const NOT_A_KEYCHAIN = new Set(['basic_text', 'unknown']);

/** Whether safeStorage is backed by a real OS keychain (call after the app is ready). */
export function keychainState(platform: NodeJS.Platform = process.platform): KeychainState {
  if (!safeStorage.isEncryptionAvailable()) return { available: false, detail: 'Electron safeStorage reports no OS keychain' };
  if (platform === 'win32') return { available: true, detail: 'DPAPI' };
  if (platform === 'darwin') return { available: true, detail: 'macOS Keychain' };
  let backend = 'unknown';
  try {
    backend = safeStorage.getSelectedStorageBackend();
  } catch {
    // Older Electron or not ready: treat as unknown, i.e. no keychain.
  }
  if (NOT_A_KEYCHAIN.has(backend)) {
    return {
      available: false,
      detail: `Electron safeStorage would use "${backend}" (no Secret Service or KWallet running), which is not a keychain; passwords are encrypted with a key file instead`,
    };
  }
  return { available: true, detail: backend };
}

/**
 * Passwords encrypted with the OS keychain (DPAPI, Keychain, libsecret/KWallet) through
 * safeStorage. Without a real keychain (including Linux's basic_text) they are encrypted with a
 * key file in the data directory, as in browser mode; passwords saved earlier with basic_text
 * still decrypt (then are re-encrypted with the key file whenever they are saved again).
 */
export function safeStorageCipher(dataDir: string, platform: NodeJS.Platform = process.platform): { cipher: SecretCipher; keychain: KeychainState } {
  const keychain = keychainState(platform);
  if (keychain.available) {
    return {
      keychain,
      cipher: {
        protection: `Electron safeStorage (${keychain.detail})`,
        encrypt: (plain) => safeStorage.encryptString(plain),
        decrypt: (sealed) => safeStorage.decryptString(sealed),
      },
    };
  }
  const keyFile = keyFileCipher(path.join(dataDir, 'secret.key'));
  const legacy = safeStorage.isEncryptionAvailable();
  return {
    keychain,
    cipher: {
      protection: `${keyFile.protection}; no OS keychain`,
      encrypt: (plain) => keyFile.encrypt(plain),
      decrypt: (sealed) => {
        try {
          return keyFile.decrypt(sealed);
        } catch (error) {
          if (!legacy) throw error;
          return safeStorage.decryptString(sealed);
        }
      },
    },
  };
}
