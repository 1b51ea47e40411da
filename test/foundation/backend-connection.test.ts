import { describe, expect, test } from 'vitest';
import type { Backend } from '../../src/main/backend';
import { FirstPaintGate, whenStarted } from '../../src/main/backend-connection';
import type { StateEvent } from '../../src/shared/contract';

function fakeBackend() {
  const listeners = new Set<(e: StateEvent) => void>();
  const backend = {
    invoke: async (command: string) => ({ ok: true as const, data: { command } }),
    subscribe: (listener: (e: StateEvent) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  } as unknown as Backend;
  return { backend, listeners };
}

describe('a transport connected before the backend has started', () => {
  test('commands wait for the backend and event subscriptions attach once it is up', async () => {
    const { backend, listeners } = fakeBackend();
    let start!: (b: Backend) => void;
    const connection = whenStarted(new Promise<Backend>((resolve) => (start = resolve)));
    const received: StateEvent[] = [];
    connection.subscribe((e) => received.push(e));
    const cancelled = connection.subscribe(() => received.push({} as StateEvent));
    cancelled();
    let answered = false;
    const pending = connection.invoke('app.info', {}).then((r) => ((answered = true), r));
    await new Promise((r) => setTimeout(r, 10));
    expect(answered).toBe(false);
    start(backend);
    expect(await pending).toEqual({ ok: true, data: { command: 'app.info' } });
    expect(listeners.size).toBe(1); // the cancelled subscription never attached
    const event = { topic: 'hosts', revision: 1, kind: 'delta', payload: { upsert: [], remove: [] } } as StateEvent;
    for (const l of listeners) l(event);
    expect(received).toEqual([event]);
  });

  test('a backend that fails to start answers every command with UNAVAILABLE and the reason', async () => {
    const connection = whenStarted(Promise.reject(new Error('disk full')));
    connection.subscribe(() => undefined);
    const result = await connection.invoke('app.info', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect(!result.ok && result.error.message).toMatch(/did not start: disk full.*Restart the app/);
  });
});

describe('the first-paint gate: host contact after the page has its cached inventory', () => {
  const settled = (p: Promise<void>) => {
    let done = false;
    void p.then(() => (done = true));
    return () => done;
  };

  test('opens once the inventory snapshot has been answered, not for other commands', async () => {
    const gate = new FirstPaintGate(60_000);
    const open = settled(gate.hostContact);
    const connection = gate.connect(Promise.resolve(fakeBackend().backend));
    await connection.invoke('events.snapshot', { topic: 'hosts' });
    await connection.invoke('app.info', {});
    await new Promise((r) => setImmediate(r));
    expect(open()).toBe(false);
    await connection.invoke('events.snapshot', { topic: 'inventory' });
    await new Promise((r) => setImmediate(r));
    expect(open()).toBe(true);
  });

  test('opens after its wait when no page asks, and at once when the backend failed to start', async () => {
    const quiet = new FirstPaintGate(30);
    quiet.connect(Promise.resolve(fakeBackend().backend));
    const started = Date.now();
    await quiet.hostContact;
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);

    const failed = new FirstPaintGate(60_000);
    const starting = Promise.reject(new Error('disk full'));
    const connection = failed.connect(starting);
    await failed.hostContact;
    expect(await connection.invoke('app.info', {})).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });
});
