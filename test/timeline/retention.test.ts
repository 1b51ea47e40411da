import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { InventoryStore } from '../../src/main/store';
import { DEFAULT_SETTINGS } from '../../src/shared/contract';
import { startTestBackend } from '../support/backend';
import { tempDir } from '../support/temp';

// The timeline service prunes what is older than timeline.retentionDays when the backend starts,
// and its commands refuse bad requests with the field named (no host configured, none contacted).
const temps: Array<ReturnType<typeof tempDir>> = [];
afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));

test('at start, entries older than timeline.retentionDays go and newer ones stay; bad requests are refused by name', async () => {
  const temp = tempDir();
  temps.push(temp);
  const settings = { ...DEFAULT_SETTINGS, artifactServer: { bindAddress: '127.0.0.1', port: 0, advertisedBaseUrl: '' }, timeline: { retentionDays: 7 } };
  writeFileSync(path.join(temp.dir, 'settings.json'), JSON.stringify({ schemaVersion: 1, settings, hosts: [] }));
  const vmId = '0b7a1c2d-3e4f-4a5b-8c6d-7e8f90a1b2c3';
  const days = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
  const store = InventoryStore.open(path.join(temp.dir, 'inventory.db'));
  const entry = { hostId: 'h1', vmId, vmName: 'web-20', kind: 'state', field: 'state', from: 'Off', to: 'Running', sync: 'quick' as const, detail: null };
  store.timeline.addAll([
    { ...entry, at: days(8) },
    { ...entry, at: days(6) },
    { ...entry, vmId: null, vmName: null, kind: 'sync-failed', at: days(10) },
    { ...entry, vmId: null, vmName: null, kind: 'sync-recovered', at: days(1) },
  ]);
  store.close();

  const app = await startTestBackend({ dataDir: temp.dir, hostContact: new Promise<void>(() => undefined) });
  try {
    const page = await app.backend.invoke('timeline.vm', { hostId: 'h1', vmId, limit: 10 });
    expect(page).toMatchObject({ ok: true, data: { entries: [{ kind: 'state', from: 'Off', to: 'Running' }], more: false } });
    const hostPage = await app.backend.invoke('timeline.host', { hostId: 'h1', limit: 10 });
    // A host removed from Settings keeps its history until retention prunes it.
    expect(hostPage).toMatchObject({ ok: true, data: { entries: [{ kind: 'sync-recovered' }], more: false } });
    const tooFew = await app.backend.invoke('timeline.vm', { hostId: 'h1', vmId, limit: 0 });
    expect(!tooFew.ok && JSON.stringify(tooFew.error)).toContain('limit');
    const tooMany = await app.backend.invoke('tags.update', { targets: Array.from({ length: 5001 }, () => ({ hostId: 'h1', vmId })), add: ['prod'] });
    expect(!tooMany.ok && tooMany.error.code).toBe('VALIDATION_FAILED');
    expect(!tooMany.ok && JSON.stringify(tooMany.error.details)).toContain('targets');
    const badTag = await app.backend.invoke('tags.update', { targets: [{ hostId: 'h1', vmId }], add: ['a,b'] });
    expect(!badTag.ok && badTag.error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('"a,b"') });
  } finally {
    await app.close();
  }
}, 30_000);
