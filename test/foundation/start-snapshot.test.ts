import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/main/backend';
import { createBackend } from '../../src/main/backend';
import { withEarlyInventory, PreSerialized } from '../../src/main/transport/early-inventory';
import { asCachedAtStart, START_SNAPSHOT_FILE, takeStartSnapshot, writeStartSnapshot } from '../../src/main/transport/start-snapshot';
import { APP_VERSION } from '../../src/main/version';
import type { InventorySnapshot, StateEvent } from '../../src/shared/contract';
import { tempDir } from '../support/temp';

const dirs: { cleanup(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
function dataDir(): string {
  const d = tempDir('aetherv-start-snapshot-');
  dirs.push(d);
  return d.dir;
}

/**
 * A real backend (no host contact) with one host configured and a placeholder VM, closed: it
 * leaves its start snapshot. A placeholder does not outlive its session (the next start has
 * none), so the snapshot it leaves differs from what the next backend says.
 */
async function sessionWithPlaceholder(dir: string, name: string | undefined): Promise<void> {
  const backend = await createBackend({ dataDir: dir, runtime: 'browser', hostContact: new Promise(() => undefined) });
  const api = backend.modules.get('inventory')!.api as { addPlaceholder(input: { hostId: string; name: string }): unknown };
  let hostId = (backend.services.hosts.list()[0] as { id?: string } | undefined)?.id;
  if (!hostId) {
    // Port 9 on 127.0.0.1: nothing answers there, and host contact never starts in these tests anyway.
    const added = await backend.invoke('hosts.add', { displayName: 'h1', address: '127.0.0.1', port: 9, transport: 'http', auth: 'ntlm', username: 'u', password: 'p' });
    if (!added.ok) throw new Error(added.error.message);
    hostId = (added.data as { id: string }).id;
  }
  await new Promise((r) => setTimeout(r, 20)); // the inventory mirrors the new host on the next microtask
  if (name) api.addPlaceholder({ hostId, name });
  await backend.close();
}

const startBackend = (dir: string) => createBackend({ dataDir: dir, runtime: 'browser', hostContact: new Promise(() => undefined) });

describe('start snapshot file', () => {
  it('is what the next start of the same store serves, and is used once', async () => {
    const dir = dataDir();
    await sessionWithPlaceholder(dir, undefined);
    const early = takeStartSnapshot(dir, APP_VERSION);
    expect(early).toBeDefined();
    const backend = await startBackend(dir);
    try {
      const now = await backend.invoke('events.snapshot', { topic: 'inventory' });
      expect(now.ok && JSON.stringify((now.data as { payload: unknown }).payload)).toBe(early!.json);
    } finally {
      await backend.close();
    }
    expect(takeStartSnapshot(dir, APP_VERSION)).toBeDefined(); // the close above wrote a new one
    expect(takeStartSnapshot(dir, APP_VERSION)).toBeUndefined(); // and taking it removed it
  });

  it('carries the first screen of its rows (figures, first rows by name, its age), computed when written', async () => {
    const dir = dataDir();
    await sessionWithPlaceholder(dir, 'vm-b');
    const early = takeStartSnapshot(dir, APP_VERSION)!;
    const wire = JSON.parse(early.json) as { vms: { count: number } };
    expect(early.firstScreen).toEqual({
      vms: wire.vms.count,
      running: 0,
      cachedAt: early.savedAt,
      rows: [{ name: 'vm-b', state: expect.any(String), host: expect.any(String), placeholder: true }],
    });
  });

  it('is refused when the store changed after it was written, for another app version, or when damaged', async () => {
    const dir = dataDir();
    await sessionWithPlaceholder(dir, 'vm');
    expect(takeStartSnapshot(dir, 'another-version')).toBeUndefined();

    await sessionWithPlaceholder(dir, 'vm-2');
    // Another writer after the snapshot was saved (a session that crashed, another tool).
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(path.join(dir, 'inventory.db'));
    db.exec('CREATE TABLE IF NOT EXISTS outside_write (x INTEGER); INSERT INTO outside_write VALUES (1);');
    db.close();
    expect(takeStartSnapshot(dir, APP_VERSION)).toBeUndefined();

    writeFileSync(path.join(dir, START_SNAPSHOT_FILE), 'not a header');
    expect(takeStartSnapshot(dir, APP_VERSION)).toBeUndefined();
  });

  it('writes nothing for a data directory without an inventory database', () => {
    const dir = dataDir();
    expect(writeStartSnapshot(dir, { hosts: [], vms: [] }, APP_VERSION)).toBe(false);
    expect(takeStartSnapshot(dir, APP_VERSION)).toBeUndefined();
  });

  it('presents hosts that were fresh, and their VMs, as stale since their last success', () => {
    const host = { hostId: 'h1', sync: { state: 'fresh', lastSuccessAt: '2026-01-01T00:00:00.000Z' } };
    const vm = { key: 'h1:v1', hostId: 'h1', vmId: 'v1', stale: false, staleSince: null, placeholder: false };
    const out = asCachedAtStart({ hosts: [host], vms: [vm] } as unknown as InventorySnapshot);
    expect(out.hosts[0]!.sync.state).toBe('stale');
    expect(out.vms[0]).toMatchObject({ stale: true, staleSince: '2026-01-01T00:00:00.000Z' });
  });
});

describe('early inventory answer', () => {
  async function startWithEarly(dir: string) {
    const early = takeStartSnapshot(dir, APP_VERSION);
    let resolve!: (b: Backend) => void;
    const starting = new Promise<Backend>((r) => (resolve = r));
    const { whenStarted } = await import('../../src/main/backend-connection');
    const connection = withEarlyInventory(whenStarted(starting), starting, early);
    return { connection, start: async () => resolve(await startBackend(dir)), starting };
  }

  it('answers before the backend starts, marked cached, then confirms with a delta that continues the revision', async () => {
    const dir = dataDir();
    await sessionWithPlaceholder(dir, undefined);
    const { connection, start, starting } = await startWithEarly(dir);
    const events: StateEvent[] = [];
    connection.subscribe((e) => events.push(e));
    expect(connection.early()).toBe(true); // the page may carry the snapshot's first screen
    expect(connection.firstScreen()?.cachedAt).toEqual(expect.any(String));
    const answer = await connection.invoke('events.snapshot', { topic: 'inventory' });
    expect(answer.ok && answer.data instanceof PreSerialized).toBe(true);
    const parsed = JSON.parse((answer as { data: PreSerialized }).data.json) as { revision: number; payload: { cachedAt?: string; hosts: unknown[] } };
    expect(parsed.revision).toBe(0);
    expect(typeof parsed.payload.cachedAt).toBe('string');
    expect(parsed.payload.hosts).toHaveLength(1);
    await start();
    expect(await connection.outcome).toBe('confirmed');
    expect(connection.early()).toBe(false); // from now on the backend answers: no first screen in the page
    expect(connection.firstScreen()).toBeUndefined();
    expect(events).toEqual([{ topic: 'inventory', kind: 'delta', revision: 1, payload: { hosts: { upsert: [], remove: [] }, vms: { upsert: [], remove: [] } } }]);
    await (await starting).close();
  });

  it("replaces the early rows with the backend's when the store differs (a VM gone since)", async () => {
    const dir = dataDir();
    // The placeholder VM is in the snapshot the session left, not in the store the next backend opens.
    await sessionWithPlaceholder(dir, 'vm');
    const early = takeStartSnapshot(dir, APP_VERSION)!;
    expect((JSON.parse(early.json) as { vms: { count: number } }).vms.count).toBe(1);
    let resolve!: (b: Backend) => void;
    const starting = new Promise<Backend>((r) => (resolve = r));
    const { whenStarted } = await import('../../src/main/backend-connection');
    const connection = withEarlyInventory(whenStarted(starting), starting, early);
    const events: StateEvent[] = [];
    connection.subscribe((e) => events.push(e));
    await connection.invoke('events.snapshot', { topic: 'inventory' });
    resolve(await startBackend(dir));
    expect(await connection.outcome).toBe('replaced');
    expect(events[0]).toMatchObject({ topic: 'inventory', kind: 'snapshot' });
    expect(events[0]!.revision).toBeGreaterThan(0);
    expect((events[0]!.payload as { vms: { count: number } }).vms.count).toBe(0);
    await (await starting).close();
  });

  it('counts as served only once the transport has written the answer out (the stores open after that)', async () => {
    const dir = dataDir();
    await sessionWithPlaceholder(dir, undefined);
    const { connection, start, starting } = await startWithEarly(dir);
    let served = false;
    void connection.served.then(() => (served = true));
    const answer = (await connection.invoke('events.snapshot', { topic: 'inventory' })) as { ok: true; data: PreSerialized };
    await new Promise((resolve) => setTimeout(resolve, 20)); // turns of the event loop: asked is not written
    expect(served).toBe(false);
    answer.data.onSent!();
    await connection.served;
    expect(served).toBe(true);
    await start();
    await (await starting).close();
  });

  it('over the WebSocket, a large pre-serialized answer reports itself written once the socket took all of it', async () => {
    const { startBrowserServer } = await import('../../src/main/transport/ws-server');
    const { WebSocket } = await import('ws');
    const json = JSON.stringify({ topic: 'inventory', revision: 0, payload: { filler: 'x'.repeat(4_000_000) } }); // far beyond a socket buffer
    let sent = 0;
    const connection = {
      invoke: () => Promise.resolve({ ok: true as const, data: new PreSerialized(json, () => sent++) }),
      subscribe: () => () => undefined,
    };
    const renderer = dataDir();
    writeFileSync(path.join(renderer, 'index.html'), '<!doctype html>');
    const server = await startBrowserServer({ backend: connection as never, rendererDir: renderer, port: 0 });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
      const received = new Promise<string>((resolve, reject) => {
        ws.on('message', (data) => resolve(String(data)));
        ws.on('error', reject);
      });
      await new Promise((resolve) => ws.on('open', resolve));
      ws.send(JSON.stringify({ id: 1, command: 'events.snapshot', request: { topic: 'inventory' } }));
      const text = await received;
      expect(text.length).toBeGreaterThan(json.length);
      expect((JSON.parse(text) as { response: { data: unknown } }).response.data).toEqual(JSON.parse(json));
      expect(sent).toBe(1);
      ws.close();
    } finally {
      await server.close();
    }
  });

  it('answers from the backend once it has started, and without a snapshot file', async () => {
    const dir = dataDir();
    const { connection, start, starting } = await startWithEarly(dir); // no previous session: no file
    await start();
    expect(await connection.outcome).toBe('unused');
    const answer = await connection.invoke('events.snapshot', { topic: 'inventory' });
    expect(answer.ok && !(answer.data instanceof PreSerialized)).toBe(true);
    await (await starting).close();
  });
});
