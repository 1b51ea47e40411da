import { expect, test, vi } from 'vitest';
import { ContractError } from '../../src/shared/contract';

// electron-store (conf) writes atomically; here its write fails the way a full disk makes it fail.
const state = vi.hoisted(() => ({ failWith: undefined as NodeJS.ErrnoException | undefined, stored: undefined as unknown }));
vi.mock('electron-store', () => ({
  default: class {
    path = '/data/settings.json';
    get() {
      return state.stored;
    }
    set(_key: string, value: unknown) {
      if (state.failWith) throw state.failWith;
      state.stored = value;
    }
  },
}));

test('a full disk under electron-store becomes DISK_FULL with what to do, and the stored document stays', async () => {
  const { ElectronStorePersistence } = await import('../../src/main/electron/electron-store-persistence');
  const persistence = new ElectronStorePersistence('/data');
  await persistence.write({ theme: 'dark' });
  state.failWith = Object.assign(new Error("ENOSPC: no space left on device, write '/data/settings.json.tmp'"), { code: 'ENOSPC' });
  const failed = await persistence.write({ theme: 'light' }).catch((e: unknown) => e);
  expect(failed).toBeInstanceOf(ContractError);
  expect(failed).toMatchObject({ code: 'DISK_FULL' });
  expect((failed as Error).message).toBe('Could not save settings to /data/settings.json: the disk is full. Free some space and try again; the settings saved before are unchanged.');
  await expect(persistence.read()).resolves.toEqual({ theme: 'dark' });

  state.failWith = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
  await expect(persistence.write({ theme: 'light' })).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('EACCES') });
});
