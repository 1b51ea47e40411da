import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Failure, HostView, Ok, StateEvent } from '../../src/shared/contract';
import { startTestBackend } from '../support/backend';
import { filesContaining } from '../support/temp';

const PASSWORD = 'Very-Secret-Hyper-V-Pa55';

describe('hosts, secrets and events', () => {
  let t: Awaited<ReturnType<typeof startTestBackend>>;
  let events: StateEvent[];
  beforeEach(async () => {
    t = await startTestBackend();
    events = [];
    t.backend.subscribe((e) => events.push(e));
  });
  afterEach(() => t.close());

  const add = async (extra: Record<string, unknown> = {}) =>
    (await t.backend.invoke('hosts.add', { displayName: 'HV 01', address: 'HV01.corp.local', username: 'CORP\\admin', password: PASSWORD, ...extra })) as Ok<HostView>;

  test('a host gets defaults (HTTPS 5986, NTLM) and its password only goes to the secret store, encrypted', async () => {
    const added = await add();
    expect(added.ok).toBe(true);
    expect(added.data).toMatchObject({ address: 'hv01.corp.local', port: 5986, transport: 'https', auth: 'ntlm', enabled: true, hasPassword: true });
    expect(JSON.stringify(added.data)).not.toContain(PASSWORD);
    expect(filesContaining(t.dataDir, PASSWORD)).toEqual([]);
    const settings = JSON.parse(readFileSync(path.join(t.dataDir, 'settings.json'), 'utf8'));
    expect(settings.hosts[0].credentialRef).toMatch(/^host:/);
    expect(statSync(path.join(t.dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(t.dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(await t.backend.services.hosts.credentials(added.data.id)).toEqual({ username: 'CORP\\admin', password: PASSWORD });
  });

  test('Basic over plain HTTP is refused unless explicitly allowed', async () => {
    const refused = (await t.backend.invoke('hosts.add', {
      displayName: 'hv',
      address: 'hv02',
      transport: 'http',
      auth: 'basic',
      username: 'a',
      password: 'b',
    })) as Failure;
    expect(refused.error.code).toBe('VALIDATION_FAILED');
    expect(refused.error.details!.fields![0]!.field).toBe('auth');
    expect(refused.error.message).toMatch(/clear text/);
    const allowed = await add({ address: 'hv02', transport: 'http', auth: 'basic', allowUnencryptedBasic: true });
    expect(allowed.ok).toBe(true);
    expect(allowed.data.port).toBe(5985);
  });

  test('a duplicate address and port is a conflict naming the existing entry', async () => {
    await add();
    const duplicate = (await t.backend.invoke('hosts.add', { displayName: 'Other', address: 'hv01.corp.local', username: 'x', password: 'y' })) as Failure;
    expect(duplicate.error.code).toBe('CONFLICT');
    expect(duplicate.error.message).toContain('"HV 01"');
  });

  test('update keeps the password unless a new one is given; remove deletes it', async () => {
    const { data } = await add();
    const renamed = (await t.backend.invoke('hosts.update', { id: data.id, displayName: 'HV One', cluster: 'C1' })) as Ok<HostView>;
    expect(renamed.data).toMatchObject({ displayName: 'HV One', cluster: 'C1' });
    expect((await t.backend.services.hosts.credentials(data.id)).password).toBe(PASSWORD);
    await t.backend.invoke('hosts.update', { id: data.id, password: 'new-one', cluster: null });
    expect((await t.backend.services.hosts.credentials(data.id)).password).toBe('new-one');
    expect(t.backend.services.hosts.list()[0]!.cluster).toBeUndefined();
    const removed = await t.backend.invoke('hosts.remove', { id: data.id });
    expect(removed).toEqual({ ok: true, data: { removed: true } });
    const secrets = JSON.parse(readFileSync(path.join(t.dataDir, 'secrets.json'), 'utf8'));
    expect(Object.keys(secrets.entries)).toEqual([]);
    const missing = (await t.backend.invoke('hosts.remove', { id: data.id })) as Failure;
    expect(missing.error.code).toBe('NOT_FOUND');
  });

  test('host changes are published as deltas with consecutive revisions', async () => {
    // Disabled, so no service (deployment, inventory) publishes status changes for it meanwhile.
    const { data } = await add({ enabled: false });
    await t.backend.invoke('hosts.update', { id: data.id, displayName: 'HV renamed' });
    await t.backend.invoke('hosts.remove', { id: data.id });
    const hostEvents = events.filter((e) => e.topic === 'hosts');
    expect(hostEvents.map((e) => e.revision)).toEqual([1, 2, 3]);
    expect(hostEvents.every((e) => e.kind === 'delta')).toBe(true);
    expect(hostEvents[1]!.payload).toMatchObject({ upsert: [{ id: data.id, status: 'disabled', displayName: 'HV renamed' }] });
    expect(hostEvents[2]!.payload).toEqual({ upsert: [], remove: [data.id] });
    const snapshot = await t.backend.invoke('events.snapshot', { topic: 'hosts' });
    expect(snapshot).toEqual({ ok: true, data: { topic: 'hosts', revision: 3, payload: [] } });
  });

  test('notifications: list, mark read, dismiss, with events', async () => {
    const n1 = t.backend.services.notifications.notify({ level: 'warning', title: 'Host unreachable', message: 'hv01 timed out' });
    t.backend.services.notifications.notify({ level: 'info', title: 'Deploy', message: '1/2', key: 'deploy' });
    t.backend.services.notifications.notify({ level: 'info', title: 'Deploy', message: '2/2', key: 'deploy' });
    const list = (await t.backend.invoke('notifications.list', {})) as Ok<{ id: string; message: string; read: boolean }[]>;
    expect(list.data.map((n) => n.message)).toEqual(['2/2', 'hv01 timed out']);
    expect(await t.backend.invoke('notifications.markRead', { ids: [n1.id] })).toEqual({ ok: true, data: { updated: 1 } });
    expect(await t.backend.invoke('notifications.markRead', { ids: [] })).toEqual({ ok: true, data: { updated: 1 } });
    expect(await t.backend.invoke('notifications.dismiss', { id: n1.id })).toEqual({ ok: true, data: { dismissed: true } });
    const after = (await t.backend.invoke('notifications.list', {})) as Ok<{ read: boolean }[]>;
    expect(after.data).toHaveLength(1);
    expect(after.data[0]!.read).toBe(true);
    expect(events.filter((e) => e.topic === 'notifications').map((e) => e.revision)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
