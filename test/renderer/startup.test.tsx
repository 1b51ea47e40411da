// @vitest-environment jsdom
import { act } from 'react';
import { afterEach, describe, expect, test } from 'vitest';
import { mountApp } from '../../src/renderer/app-root';
import type { Backend, ConnectionState } from '../../src/renderer/backend/backend';
import { withPrefetch } from '../../src/renderer/backend/prefetch';
import { STARTUP_CALLS } from '../../src/renderer/stores/startup-calls';
import { useInventory } from '../../src/renderer/stores/inventory-store';
import type { CommandName, Result, StateEvent } from '../../src/shared/contract';
import { encodeInventorySnapshot } from '../../src/shared/inventory-wire';
import { fleet } from './fixtures';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** What the backend answers at start-up: a snapshot of the right shape for each topic, info, settings. */
function startupAnswer(command: string, request: unknown): Result<unknown> {
  if (command === 'events.snapshot') {
    const topic = (request as { topic: string }).topic;
    const f = fleet(2, 3);
    const payload =
      topic === 'inventory'
        ? encodeInventorySnapshot({ hosts: f.hosts, vms: f.vms })
        : topic === 'health'
          ? { mode: 'normal', healthy: true, problems: [], services: [] }
          : topic === 'hosts'
            ? f.views
            : topic === 'jobOutput'
              ? {}
              : [];
    return { ok: true, data: { topic, revision: 5, payload } };
  }
  if (command === 'metrics.trends') return { ok: true, data: { hosts: [] } };
  return { ok: true, data: command === 'settings.get' ? { theme: 'system' } : { name: 'Aether-V Desktop' } };
}

/** A backend that records calls, answers when `release()` is called, and lets the test push events. */
function fakeBackend(options: { connection?: ConnectionState } = {}) {
  const calls: Array<[string, unknown]> = [];
  const waiting: Array<() => void> = [];
  let released = false;
  const eventListeners = new Set<(e: StateEvent) => void>();
  const backend: Backend = {
    kind: 'browser',
    invoke: ((command: CommandName, request: unknown) => {
      calls.push([command, request]);
      return new Promise<Result<unknown>>((resolve) => {
        const answer = () => resolve(startupAnswer(command, request));
        if (released) answer();
        else waiting.push(answer);
      });
    }) as Backend['invoke'],
    onEvent: (listener) => {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onConnection: (listener) => {
      listener(options.connection ?? 'open');
      return () => undefined;
    },
  };
  return {
    backend,
    calls,
    release: () => {
      released = true;
      waiting.splice(0).forEach((answer) => answer());
    },
    emit: (event: StateEvent) => eventListeners.forEach((l) => l(event)),
  };
}

const key = ([command, request]: readonly [string, unknown]) => `${command} ${JSON.stringify(request)}`;

describe('start-up: requests sent before the app loads', () => {
  test('each early answer goes to the first identical call; later and other calls reach the backend', async () => {
    const fake = fakeBackend();
    const backend = withPrefetch(fake.backend, [['events.snapshot', { topic: 'hosts' }], ['app.info', {}]]);
    expect(fake.calls.map(key)).toEqual(['events.snapshot {"topic":"hosts"}', 'app.info {}']);
    fake.release();
    const first = await backend.invoke('events.snapshot', { topic: 'hosts' });
    expect(first).toMatchObject({ ok: true, data: { topic: 'hosts', revision: 5 } });
    expect(fake.calls).toHaveLength(2); // answered from the early request
    await backend.invoke('events.snapshot', { topic: 'hosts' });
    await backend.invoke('settings.get', {});
    expect(fake.calls.map(key).slice(2)).toEqual(['events.snapshot {"topic":"hosts"}', 'settings.get {}']);
  });

  test('events that arrive before the app listens are held for its first listener, in order', () => {
    const fake = fakeBackend();
    const backend = withPrefetch(fake.backend, []);
    const event = (revision: number) => ({ topic: 'hosts', revision, kind: 'delta', payload: { upsert: [], remove: [] } }) as StateEvent;
    fake.emit(event(6));
    fake.emit(event(7));
    const seen: number[] = [];
    backend.onEvent((e) => seen.push(e.revision));
    expect(seen).toEqual([6, 7]);
    fake.emit(event(8));
    expect(seen).toEqual([6, 7, 8]);
  });

  test('STARTUP_CALLS is exactly what the app asks for when it connects', async () => {
    const fake = fakeBackend();
    fake.release();
    const container = document.createElement('div');
    await act(() => mountApp(container, fake.backend, 5_000));
    expect(new Set(fake.calls.map(key))).toEqual(new Set(STARTUP_CALLS.map(key)));
    expect(fake.calls).toHaveLength(STARTUP_CALLS.length);
  });
});

describe('start-up: the app renders once its first data is in', () => {
  const containers: HTMLElement[] = [];
  afterEach(() => containers.splice(0).forEach((c) => c.remove()));
  const mount = () => {
    const c = document.createElement('div');
    document.body.appendChild(c);
    containers.push(c);
    return c;
  };

  test('a loading line until every startup answer is applied, then the app with the inventory', async () => {
    const fake = fakeBackend();
    const container = mount();
    let mounted: Promise<void> | undefined;
    await act(async () => {
      mounted = mountApp(container, withPrefetch(fake.backend, STARTUP_CALLS), 5_000);
      await new Promise((r) => setTimeout(r, 20));
    });
    expect(container.textContent).toBe('Loading the inventory…');
    expect(container.querySelector('nav[aria-label="Inventory"]')).toBeNull();
    await act(async () => {
      fake.release();
      await mounted;
    });
    expect(container.querySelector('nav[aria-label="Inventory"]')).not.toBeNull();
    expect(useInventory.getState().model.vms.size).toBe(6);
    expect(fake.calls).toHaveLength(STARTUP_CALLS.length); // the app's own calls were answered by the early ones
  });

  test('a backend that does not answer in time gets the app anyway, showing its connection state', async () => {
    const fake = fakeBackend({ connection: 'connecting' });
    const container = mount();
    await act(() => mountApp(container, fake.backend, 30));
    expect(container.querySelector('nav[aria-label="Inventory"]')).not.toBeNull();
  });
});
