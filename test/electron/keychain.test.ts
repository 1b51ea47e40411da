import { afterAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { AppInfo } from '../../src/shared/contract';
import { IPC_INVOKE_CHANNEL } from '../../src/shared/ipc';
import { tempDir } from '../support/temp';
import { createFakeElectron, type FakeElectron } from './fake-electron';

const fake: FakeElectron = vi.hoisted(() => ({}) as FakeElectron);
vi.mock('electron', async () => {
  Object.assign(fake, createFakeElectron());
  return fake.module;
});
// An in-memory electron-store whose settings put the artifact server on a free loopback port.
vi.mock('electron-store', async () => {
  const { DEFAULT_SETTINGS } = await import('../../src/shared/contract');
  const document = { schemaVersion: 1, settings: { ...DEFAULT_SETTINGS, artifactServer: { bindAddress: '127.0.0.1', port: 0, advertisedBaseUrl: '' } }, hosts: [] };
  return { default: class {
    private readonly values = new Map<string, unknown>([['document', document]]);
    path = 'settings.json (in memory)';
    get(key: string) {
      return this.values.get(key);
    }
    set(key: string, value: unknown) {
      this.values.set(key, value);
    }
  } };
});

const temps: Array<{ cleanup(): void }> = [];
afterAll(() => temps.forEach((t) => t.cleanup()));
const dir = () => {
  const t = tempDir('aetherv-keychain-');
  temps.push(t);
  return t.dir;
};

beforeEach(async () => {
  await import('electron');
  fake.module.safeStorage.encryptionAvailable = true;
  fake.module.safeStorage.storageBackend = 'gnome_libsecret';
});

describe('safeStorage on Linux: basic_text is not a keychain', () => {
  test('gnome_libsecret and kwallet are keychains; passwords go through safeStorage', async () => {
    const { safeStorageCipher } = await import('../../src/main/electron/safe-storage-cipher');
    for (const backend of ['gnome_libsecret', 'kwallet5']) {
      fake.module.safeStorage.storageBackend = backend;
      const { cipher, keychain } = safeStorageCipher(dir(), 'linux');
      expect(keychain).toEqual({ available: true, detail: backend });
      expect(cipher.encrypt('pw').toString('utf8')).toBe('v10pw');
    }
  });

  test('basic_text and unknown count as no keychain: a key file encrypts, and a password sealed earlier with basic_text still opens', async () => {
    const { safeStorageCipher } = await import('../../src/main/electron/safe-storage-cipher');
    for (const backend of ['basic_text', 'unknown']) {
      fake.module.safeStorage.storageBackend = backend;
      const { cipher, keychain } = safeStorageCipher(dir(), 'linux');
      expect(keychain.available).toBe(false);
      expect(keychain.detail).toContain(`"${backend}"`);
      expect(cipher.protection).toMatch(/AES-256-GCM; key in .*secret\.key.*no OS keychain/);
      const sealed = cipher.encrypt('Pa55word!');
      expect(sealed.toString('utf8')).not.toContain('Pa55word!');
      expect(cipher.decrypt(sealed)).toBe('Pa55word!');
      expect(cipher.decrypt(fake.module.safeStorage.encryptString('older'))).toBe('older');
    }
  });

  test('Windows and macOS keychains do not depend on the Linux backend', async () => {
    const { keychainState } = await import('../../src/main/electron/safe-storage-cipher');
    fake.module.safeStorage.storageBackend = 'basic_text';
    expect(keychainState('win32')).toEqual({ available: true, detail: 'DPAPI' });
    expect(keychainState('darwin')).toEqual({ available: true, detail: 'macOS Keychain' });
    fake.module.safeStorage.encryptionAvailable = false;
    expect(keychainState('win32').available).toBe(false);
  });

  test('the Electron shell registers app:// before ready, serves the bundle on it, and Diagnostics (app.info) says there is no keychain', async () => {
    const data = dir();
    fake.module.safeStorage.storageBackend = 'basic_text';
    const { startElectronApp } = await import('../../src/main/electron/app');
    process.argv.push(`--data-dir=${data}`);
    try {
      await startElectronApp('/app/main');
      expect(fake.privilegedSchemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true }, beforeReady: true }]);
      expect([...fake.protocolHandlers.keys()]).toEqual(['app']);
      const win = fake.createdWindows.at(-1)!;
      expect(win.loaded).toBe('app://bundle/index.html');
      const answer = (await fake.handlers.get(IPC_INVOKE_CHANNEL)!({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, 'app.info', {})) as { ok: true; data: AppInfo };
      expect(answer.ok).toBe(true);
      expect(answer.data.keychain).toMatchObject({ available: false });
      expect(answer.data.keychain!.detail).toContain('basic_text');
      expect(answer.data.secretStorage).toContain('no OS keychain');
    } finally {
      process.argv.splice(process.argv.indexOf(`--data-dir=${data}`), 1);
      const exited = new Promise<void>((resolve) => Object.assign(fake.module.app, { exit: () => resolve() }));
      fake.module.app.emit('will-quit', { preventDefault: () => undefined });
      await exited;
    }
  });
});
