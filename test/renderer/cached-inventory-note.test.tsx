// @vitest-environment jsdom
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, expect, test } from 'vitest';
import { CachedInventoryNote } from '../../src/renderer/app-root';
import { InventoryFeed, useInventory } from '../../src/renderer/stores/inventory-store';
import type { InventorySnapshotWire } from '../../src/shared/contract';
import { encodeInventorySnapshot } from '../../src/shared/inventory-wire';
import { fleet } from './fixtures';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
afterEach(() => (document.body.innerHTML = ''));

const emptyDelta = { hosts: { upsert: [], remove: [] }, vms: { upsert: [], remove: [] } };

test('rows from the last session are marked "Cached, as of" until the backend confirms or replaces them', async () => {
  const feed = new InventoryFeed(useInventory.getState().model, (flush) => flush());
  const wire = encodeInventorySnapshot(fleet(2, 3));
  const container = document.body.appendChild(document.createElement('div'));
  const root = createRoot(container);
  await act(async () => root.render(<CachedInventoryNote />));

  // The early snapshot carries when the last session saved it: the note shows that time.
  await act(async () => feed.snapshot({ ...wire, cachedAt: '2026-03-01T10:00:00.000Z' } as InventorySnapshotWire));
  expect(useInventory.getState().cachedAt).toBe('2026-03-01T10:00:00.000Z');
  expect(container.querySelector('[data-testid="inventory-cached"]')?.textContent).toContain(new Date('2026-03-01T10:00:00.000Z').toLocaleString());

  // The backend's first delta continues that snapshot: confirmed, the note goes.
  await act(async () => feed.delta(emptyDelta as never));
  expect(container.querySelector('[data-testid="inventory-cached"]')).toBeNull();

  // Early again, then the backend's own snapshot (no cachedAt) replaces it: the note goes too.
  await act(async () => feed.snapshot({ ...wire, cachedAt: '2026-03-01T10:00:00.000Z' } as InventorySnapshotWire));
  expect(container.querySelector('[data-testid="inventory-cached"]')).not.toBeNull();
  await act(async () => feed.snapshot(wire));
  expect(container.querySelector('[data-testid="inventory-cached"]')).toBeNull();
  expect(useInventory.getState().cachedAt).toBeUndefined();
  root.unmount();
});
