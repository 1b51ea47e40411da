import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { createBackend } from '../../src/main/backend';
import { migrate, MigrationError } from '../../src/main/settings/migrations';
import { JsonFilePersistence } from '../../src/main/settings/persistence';
import { SettingsStore } from '../../src/main/settings/settings-store';
import type { Failure, Ok, Settings } from '../../src/shared/contract';
import { tempDir } from '../support/temp';

const temps: { cleanup(): void }[] = [];
const dir = () => {
  const t = tempDir();
  temps.push(t);
  return t.dir;
};
afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));

describe('settings', () => {
  test('a fresh data dir gets the defaults, written to disk', async () => {
    const dataDir = dir();
    const backend = await createBackend({ dataDir, runtime: 'browser' });
    const settings = (await backend.invoke('settings.get', {})) as Ok<Settings>;
    expect(settings.data.inventory).toEqual({ fullSyncIntervalS: 300, quickSyncIntervalS: 30 });
    expect(JSON.parse(readFileSync(path.join(dataDir, 'settings.json'), 'utf8')).schemaVersion).toBe(1);
    await backend.close();
  });

  test('an update persists and a restart reads it back; bad values change nothing', async () => {
    const dataDir = dir();
    let backend = await createBackend({ dataDir, runtime: 'browser' });
    await backend.invoke('settings.update', { theme: 'dark', inventory: { quickSyncIntervalS: 15 } });
    const refused = (await backend.invoke('settings.update', { agent: { installDir: "C:\\a'; Stop-Computer; '" } })) as Failure;
    expect(refused.error.details!.fields![0]!.field).toBe('agent.installDir');
    await backend.close();
    backend = await createBackend({ dataDir, runtime: 'browser' });
    const settings = (await backend.invoke('settings.get', {})) as Ok<Settings>;
    expect(settings.data.theme).toBe('dark');
    expect(settings.data.inventory.quickSyncIntervalS).toBe(15);
    expect(settings.data.agent.installDir).toBe('C:\\ProgramData\\Aether-V\\agent');
    await backend.close();
  });

  test('a corrupt settings file puts the app in diagnostic mode and is never overwritten', async () => {
    const dataDir = dir();
    const file = path.join(dataDir, 'settings.json');
    writeFileSync(file, '{"schemaVersion": 1, "settings": {');
    const backend = await createBackend({ dataDir, runtime: 'browser' });
    const health = backend.services.health();
    expect(health.mode).toBe('diagnostic');
    expect(health.problems[0]).toMatch(/settings\.json is not valid JSON.*move the file aside/);
    const update = (await backend.invoke('settings.update', { theme: 'dark' })) as Failure;
    expect(update.error.code).toBe('DIAGNOSTIC_MODE');
    const add = (await backend.invoke('hosts.add', { displayName: 'a', address: 'hv', username: 'u', password: 'p' })) as Failure;
    expect(add.error.code).toBe('DIAGNOSTIC_MODE');
    expect(existsSync(path.join(dataDir, 'secrets.json'))).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('{"schemaVersion": 1, "settings": {');
    await backend.close();
  });

  test('invalid stored values are reported with the field, the file kept', async () => {
    const dataDir = dir();
    const file = path.join(dataDir, 'settings.json');
    const body = JSON.stringify({ schemaVersion: 1, settings: { inventory: { fullSyncIntervalS: 1 } }, hosts: [] });
    writeFileSync(file, body);
    const backend = await createBackend({ dataDir, runtime: 'browser' });
    expect(backend.services.health().problems[0]).toContain('settings.inventory.fullSyncIntervalS');
    expect(readFileSync(file, 'utf8')).toBe(body);
    await backend.close();
  });

  test('a file from a newer app version is refused, not downgraded', async () => {
    const dataDir = dir();
    writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ schemaVersion: 99, settings: {}, hosts: [] }));
    const store = new SettingsStore(new JsonFilePersistence(path.join(dataDir, 'settings.json')));
    const result = await store.load();
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatch(/newer Aether-V \(schema 99/);
  });

  test('missing fields added by later versions are filled from the defaults', async () => {
    const dataDir = dir();
    writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ schemaVersion: 1, settings: { theme: 'light', agent: { installDir: 'D:\\Agent' } }, hosts: [] }));
    const store = new SettingsStore(new JsonFilePersistence(path.join(dataDir, 'settings.json')));
    expect((await store.load()).ok).toBe(true);
    expect(store.getSettings().agent).toEqual({ installDir: 'D:\\Agent', downloadAttempts: 3, downloadRetryIntervalS: 2 });
    expect(store.getSettings().theme).toBe('light');
  });

  test('migrations run in order up to the target and stamp the version', () => {
    const steps = {
      2: (d: Record<string, unknown>) => ({ ...d, renamed: d.old, old: undefined }),
      3: (d: Record<string, unknown>) => ({ ...d, added: true }),
    };
    const { document, from, changed } = migrate({ schemaVersion: 1, old: 'x' }, 3, steps);
    expect({ from, changed }).toEqual({ from: 1, changed: true });
    expect(document).toMatchObject({ schemaVersion: 3, renamed: 'x', added: true });
    expect(() => migrate({ schemaVersion: 1 }, 3, { 3: steps[3] })).toThrow(MigrationError);
    expect(migrate({ schemaVersion: 3 }, 3, steps).changed).toBe(false);
  });
});
