import { describe, expect, test } from 'vitest';
import type { Backend } from '../../src/main/backend';
import { whenStarted } from '../../src/main/backend-connection';
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
