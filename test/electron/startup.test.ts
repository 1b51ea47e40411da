import { afterAll, expect, test, vi } from 'vitest';
import { IPC_INVOKE_CHANNEL } from '../../src/shared/ipc';
import { tempDir } from '../support/temp';
import { createFakeElectron, type FakeElectron } from './fake-electron';

// One fake for the whole file: vitest keeps a mocked module for the file's lifetime.
const fake: FakeElectron = vi.hoisted(() => ({}) as FakeElectron);
vi.mock('electron', async () => {
  Object.assign(fake, createFakeElectron());
  return fake.module;
});
// electron-store needs the real electron (no binary here): an in-memory store with its API.
vi.mock('electron-store', () => ({
  default: class {
    private readonly values = new Map<string, unknown>();
    path = 'settings.json (in memory)';
    get(key: string) {
      return this.values.get(key);
    }
    set(key: string, value: unknown) {
      this.values.set(key, value);
    }
  },
}));

const data = tempDir();
afterAll(() => data.cleanup());

test('the window opens while the backend is still starting, and its first command waits for it', async () => {
  await import('electron');
  const { startElectronApp } = await import('../../src/main/electron/app');
  process.argv.push(`--data-dir=${data.dir}`);
  let ready = false;
  const starting = startElectronApp('/app/main').then(() => (ready = true));
  try {
    for (let i = 0; i < 50 && fake.createdWindows.length === 0; i++) await Promise.resolve();
    expect(fake.createdWindows).toHaveLength(1);
    expect(ready).toBe(false); // the backend has not finished opening its stores

    const win = fake.createdWindows[0]!;
    const answer = await fake.handlers.get(IPC_INVOKE_CHANNEL)!({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, 'app.info', {});
    expect(answer).toMatchObject({ ok: true, data: { runtime: 'electron', dataDir: data.dir } });
    await starting;
    expect(ready).toBe(true);
  } finally {
    process.argv.splice(process.argv.indexOf(`--data-dir=${data.dir}`), 1);
    // Quit as the tray's Quit does, so the backend closes its stores before the temp dir goes.
    const exited = new Promise<void>((resolve) => Object.assign(fake.module.app, { exit: () => resolve() }));
    fake.module.app.emit('will-quit', { preventDefault: () => undefined });
    await exited;
  }
});
