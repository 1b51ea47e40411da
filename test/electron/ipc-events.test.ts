import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { EventHub } from '../../src/main/events/event-hub';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type PreloadApi } from '../../src/shared/ipc';
import type { StateEvent } from '../../src/shared/contract';
import { createFakeElectron, type FakeElectron } from './fake-electron';

// One fake for the whole file: vitest keeps a mocked module for the file's lifetime.
const fake: FakeElectron = vi.hoisted(() => ({}) as FakeElectron);
vi.mock('electron', async () => {
  Object.assign(fake, createFakeElectron());
  return fake.module;
});
// electron-store would load the real electron package (no binary here).
vi.mock('electron-store', () => ({ default: class {} }));

const APP_URL = 'file:///app/renderer/index.html';

/** Our window plus a backend whose events come from a real EventHub. */
async function setup() {
  await import('electron');
  const { registerIpc } = await import('../../src/main/electron/ipc');
  const { createMainWindow } = await import('../../src/main/electron/window');
  const win = createMainWindow('/p.cjs', APP_URL, (url) => url === APP_URL) as unknown as InstanceType<FakeElectron['FakeBrowserWindow']>;
  const hub = new EventHub();
  const backend = {
    // A command that causes an event, as hosts.add does.
    invoke: async () => {
      hub.publishDelta('hosts', { upsert: [], remove: ['caused-by-command'] });
      return { ok: true, data: 'done' };
    },
    subscribe: (listener: (e: StateEvent) => void) => hub.subscribe(listener),
    log: { warn: () => undefined },
  };
  const unregister = registerIpc(
    fake.module.ipcMain as never,
    backend as never,
    () => win as never,
    (url) => url === APP_URL,
  );
  const eventMessages = () => win.webContents.sent.filter(([channel]) => channel === IPC_EVENT_CHANNEL).map(([, batch]) => batch as StateEvent[]);
  return { win, hub, eventMessages, unregister };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Electron transport: state events in batches (fake electron)', () => {
  test('a burst of hub events crosses as one IPC message carrying them in order', async () => {
    const { hub, eventMessages, unregister } = await setup();
    for (let i = 0; i < 5; i++) hub.publishDelta('hosts', { upsert: [], remove: [`h${i}`] });
    expect(eventMessages()).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(eventMessages()).toHaveLength(1);
    expect(eventMessages()[0]!.map((e) => e.revision)).toEqual([1, 2, 3, 4, 5]);
    unregister();
  });

  test('events a command caused are sent before its result is returned', async () => {
    const { win, eventMessages, unregister } = await setup();
    const handler = fake.handlers.get(IPC_INVOKE_CHANNEL)!;
    const result = await handler({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, 'hosts.add', {});
    // No timer has run: the handler flushed the batch itself.
    expect(eventMessages()).toHaveLength(1);
    expect(eventMessages()[0]![0]).toMatchObject({ topic: 'hosts', payload: { remove: ['caused-by-command'] } });
    expect(result).toEqual({ ok: true, data: 'done' });
    unregister();
  });

  test('a result that is JSON text already (the early inventory snapshot) reaches the window as an object', async () => {
    await import('electron');
    const { registerIpc } = await import('../../src/main/electron/ipc');
    const { createMainWindow } = await import('../../src/main/electron/window');
    const { PreSerialized } = await import('../../src/main/transport/early-inventory');
    const win = createMainWindow('/p.cjs', APP_URL, (url) => url === APP_URL) as unknown as InstanceType<FakeElectron['FakeBrowserWindow']>;
    const data = { topic: 'inventory', revision: 0, payload: { cachedAt: '2026-01-01T00:00:00.000Z', hosts: [] } };
    let sent = 0;
    const backend = { invoke: async () => ({ ok: true, data: new PreSerialized(JSON.stringify(data), () => sent++) }), subscribe: () => () => undefined, log: { warn: () => undefined } };
    const unregister = registerIpc(fake.module.ipcMain as never, backend as never, () => win as never, (url) => url === APP_URL);
    const handler = fake.handlers.get(IPC_INVOKE_CHANNEL)!;
    expect(await handler({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, 'events.snapshot', { topic: 'inventory' })).toEqual({ ok: true, data });
    expect(sent).toBe(1); // served: the backend's stores may open now
    unregister();
  });

  test('nothing is sent to a destroyed window, and unregistering stops forwarding', async () => {
    const { win, hub, eventMessages, unregister } = await setup();
    win.destroyed = true;
    hub.publishDelta('hosts', { upsert: [], remove: ['a'] });
    expect(() => vi.runAllTimers()).not.toThrow();
    expect(eventMessages()).toEqual([]);
    win.destroyed = false;
    unregister();
    hub.publishDelta('hosts', { upsert: [], remove: ['b'] });
    vi.runAllTimers();
    expect(eventMessages()).toEqual([]);
  });

  test('the preload hands each event of a batch to every onEvent listener, in order', async () => {
    await import('electron');
    const ipcListeners: ((e: unknown, payload: unknown) => void)[] = [];
    fake.module.ipcRenderer.on = ((channel: string, fn: (e: unknown, payload: unknown) => void) => {
      if (channel === IPC_EVENT_CHANNEL) ipcListeners.push(fn);
    }) as never;
    await import('../../src/preload/index');
    const api = fake.exposed.aetherv as PreloadApi;
    const seen: number[] = [];
    const unsubscribe = api.onEvent((e) => seen.push(e.revision));
    expect(ipcListeners).toHaveLength(1);
    const event = (revision: number) => ({ topic: 'hosts', revision, kind: 'delta', payload: { upsert: [], remove: [] } });
    ipcListeners[0]!({}, [event(7), event(8), event(9)]);
    ipcListeners[0]!({}, [event(10)]);
    expect(seen).toEqual([7, 8, 9, 10]);
    unsubscribe();
  });
});
