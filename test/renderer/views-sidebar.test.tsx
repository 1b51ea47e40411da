// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, test } from 'vitest';
import { DEFAULT_SETTINGS, type SavedView, type Settings } from '../../src/shared/contract';
import { SidebarViews } from '../../src/renderer/features/views/SidebarViews';
import { useViewRequest } from '../../src/renderer/features/views/views-store';
import { useColumnPrefs } from '../../src/renderer/components/vm-table/column-prefs';
import { useApp } from '../../src/renderer/stores/app-store';
import { domPerTest, loadFleet, stubBackend } from './dom-harness';
import { fleet } from './fixtures';

const dom = domPerTest();
const view = (name: string, query: string, over: Partial<SavedView> = {}): SavedView => ({ name, query, columns: ['name', 'state', 'vcpu'], sort: { column: 'vcpu', dir: 'desc' }, groupBy: 'none', ...over });

/** A backend whose settings.update stores ui.views the way the settings store merges them. */
function settingsBackend(views: SavedView[]) {
  let settings: Settings = { ...DEFAULT_SETTINGS, ui: { ...DEFAULT_SETTINGS.ui, views } };
  const updates: SavedView[][] = [];
  const backend = stubBackend((async (command: string, request: { ui?: { views?: SavedView[] } }) => {
    if (command !== 'settings.update') return { ok: true, data: null };
    updates.push(request.ui!.views!);
    settings = { ...settings, ui: { ...settings.ui, ...request.ui } };
    return { ok: true, data: settings };
  }) as never);
  return { backend, updates, settings: () => settings };
}

const names = () => [...dom.container.querySelectorAll('[data-testid="saved-view"]')].map((li) => li.getAttribute('data-name'));
const countOf = (name: string) => dom.container.querySelector(`[data-name="${name}"] [data-testid="view-count"]`)!.textContent;
const click = async (el: Element | null) => act(async () => (el as HTMLElement).click());

describe('the sidebar’s saved views', () => {
  test('live counts, open, move, rename, delete', async () => {
    const f = fleet(2, 9); // 18 VMs, a third of them Off
    const { backend, updates, settings } = settingsBackend([view('Running', 'state:running'), view('Off', 'state:off', { groupBy: 'state' }), view('Broken', 'mem>>')]);
    loadFleet(f, backend);
    useApp.getState().setSettings(settings());
    dom.render(<SidebarViews />);
    expect(names()).toEqual(['Running', 'Off', 'Broken']);
    const off = f.vms.filter((v) => v.state === 'Off').length;
    expect(countOf('Running')).toBe(String(f.vms.length - off));
    expect(countOf('Off')).toBe(String(off));
    expect(countOf('Broken')).toBe('!');

    await click(dom.container.querySelector('[data-name="Off"] [data-testid="view-open"]'));
    expect(useApp.getState().view).toEqual({ name: 'overview' });
    expect(useViewRequest.getState().request?.view.name).toBe('Off');
    expect(useColumnPrefs.getState().visible).toEqual(['name', 'state', 'vcpu']);
    expect(useColumnPrefs.getState().groupBy).toBe('state');

    await click(dom.container.querySelector('[data-testid="views-manage"]'));
    await click(dom.container.querySelector('[data-name="Off"] [data-testid="view-up"]'));
    expect(updates.at(-1)!.map((v) => v.name)).toEqual(['Off', 'Running', 'Broken']);
    expect(names()).toEqual(['Off', 'Running', 'Broken']);

    await click(dom.container.querySelector('[data-name="Broken"] [data-testid="view-rename"]'));
    const input = dom.container.querySelector<HTMLInputElement>('[data-testid="view-rename-input"]')!;
    await act(async () => {
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      setter.call(input, 'off');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(async () => input.form!.requestSubmit());
    expect(dom.container.textContent).toContain('A view named "off" exists already');
    expect(updates).toHaveLength(1); // refused before saving

    await click(dom.container.querySelector('[data-name="Running"] [data-testid="view-delete"]'));
    expect(updates).toHaveLength(1); // asks first
    await click(dom.container.querySelector('[data-name="Running"] [data-testid="view-delete-confirm"]'));
    expect(updates.at(-1)!.map((v) => v.name)).toEqual(['Off', 'Broken']);
    expect(names()).toEqual(['Off', 'Broken']);
  });
});
