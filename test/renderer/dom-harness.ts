import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach } from 'vitest';
import type { Backend } from '../../src/renderer/backend/backend';
import type { InventoryVm } from '../../src/shared/contract';
import { useApp } from '../../src/renderer/stores/app-store';
import { InventoryModel } from '../../src/renderer/stores/inventory-model';
import { useInventory } from '../../src/renderer/stores/inventory-store';
import { useVmSelection } from '../../src/renderer/stores/selection-store';
import type { fleet } from './fixtures';

// What the jsdom view tests share: a React root per test, a fleet loaded into the stores as a
// snapshot would, and deltas applied the way InventoryFeed applies them.

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** What the chart panels read: an empty history, as a backend with a fresh metrics.db answers. */
const NO_METRICS: Record<string, unknown> = {
  'metrics.history': { t: [], cpuPercent: [], memoryAssignedMb: [], memoryDemandMb: [], memoryUsedMb: [], retentionHours: 48 },
  'metrics.trends': { hosts: [] },
};

/**
 * A backend for views that only read the stores: every command succeeds with no data, except the
 * charts' reads, which get an empty history (the views under test are not about charts).
 */
export function stubBackend(invoke: Backend['invoke'] = (async () => ({ ok: true, data: null })) as Backend['invoke']): Backend {
  const answer = (async (command: string, request: unknown) =>
    command in NO_METRICS ? { ok: true, data: NO_METRICS[command] } : (invoke as (c: string, r: unknown) => Promise<unknown>)(command, request)) as Backend['invoke'];
  return { kind: 'browser', invoke: answer, onEvent: () => () => undefined, onConnection: () => () => undefined };
}

/** The fleet as a loaded snapshot, its hosts configured, on the overview; returns the model. */
export function loadFleet(f: ReturnType<typeof fleet>, backend: Backend = stubBackend()): InventoryModel {
  const model = new InventoryModel();
  model.replace({ hosts: f.hosts, vms: f.vms });
  useInventory.setState({ model, version: model.version, membershipVersion: model.membershipVersion, hostsVersion: model.hostsVersion, loaded: true });
  useApp.setState({ backend, hosts: Object.fromEntries(f.views.map((h) => [h.id, h])), notifications: {}, view: { name: 'overview' }, toasts: [] });
  return model;
}

/** VM upserts applied the way InventoryFeed does (mutate the model, publish its counters), in one act. */
export function upsertVms(model: InventoryModel, vms: InventoryVm[]): void {
  act(() => {
    model.apply([{ hosts: { upsert: [], remove: [] }, vms: { upsert: vms, remove: [] } }]);
    useInventory.setState({ version: model.version, membershipVersion: model.membershipVersion, hostsVersion: model.hostsVersion });
  });
}

/** A fresh container and React root for each test (unmounted after it), and lookups in it. */
export function domPerTest() {
  let root: Root | undefined;
  let container: HTMLDivElement | undefined;
  beforeEach(() => {
    container = document.createElement('div');
    document.body.appendChild(container);
    root = createRoot(container);
    useVmSelection.setState({ scope: '', selection: { keys: new Set() } });
  });
  afterEach(() => {
    act(() => root!.unmount());
    container!.remove();
  });
  return {
    get container(): HTMLDivElement {
      return container!;
    },
    get root(): Root {
      return root!;
    },
    render: (node: ReactNode) => act(() => root!.render(node)),
    text: (testId: string) => container!.querySelector(`[data-testid="${testId}"]`)!.textContent,
    rows: () => [...container!.querySelectorAll('[role="row"][data-key]')] as HTMLElement[],
  };
}
