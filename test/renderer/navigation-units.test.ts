// @vitest-environment jsdom
import { afterEach, describe, expect, test } from 'vitest';
import { isVmEditOperation } from '../../src/shared/contract/vm-operations';
import { hashToView, startRouter, urlForView, viewToHash } from '../../src/renderer/router';
import { useApp, type View } from '../../src/renderer/stores/app-store';
import { COLUMN_PREFS_KEY, parsePrefs, toggleColumn, defaultPrefs, useColumnPrefs } from '../../src/renderer/components/vm-table/column-prefs';
import { DEFAULT_VISIBLE, gridTemplate, minRowWidth, uptimeText, VM_COLUMNS } from '../../src/renderer/components/vm-table/columns';
import { isMacPlatform, keyHint } from '../../src/renderer/components/shortcuts';
import { hostStatusTone, vmStateTone } from '../../src/renderer/components/StatusDot';
import { cpuUsageText, heldMemoryText } from '../../src/renderer/components/vm-usage';
import { vmMenuItems } from '../../src/renderer/features/shell/context-menu-items';
import { makeVm } from './fixtures';

describe('routes', () => {
  const views: View[] = [
    { name: 'overview' },
    { name: 'settings' },
    { name: 'diagnostics' },
    { name: 'disconnected' },
    { name: 'create-vm' },
    { name: 'jobs' },
    { name: 'host', id: '3f2c0e1a-0000-4000-8000-000000000001' },
    { name: 'cluster', label: 'CLU A/β #1' },
    { name: 'vm', key: '3f2c0e1a-0000-4000-8000-000000000001:9a8b7c6d-0000-4000-8000-000000000002' },
    { name: 'job', id: 'job-42' },
  ];

  test('every view has a hash that names it back', () => {
    for (const view of views) expect(hashToView(viewToHash(view))).toEqual(view);
    expect(new Set(views.map(viewToHash)).size).toBe(views.length);
  });

  test('a cluster label with a slash or a space stays one path segment', () => {
    expect(viewToHash({ name: 'cluster', label: 'CLU A/β #1' })).toBe('#/clusters/CLU%20A%2F%CE%B2%20%231');
  });

  test('hashes that name no page are refused, not guessed', () => {
    for (const hash of ['#/nope', '#/hosts/', '#/hosts/a/b', '#/vms/%E0%A4%A', '#/settings/x']) expect(hashToView(hash), hash).toBeUndefined();
    expect(hashToView('')).toEqual({ name: 'overview' });
    expect(hashToView('#')).toEqual({ name: 'overview' });
  });

  test('a copied link keeps the origin, the path and the access token', () => {
    const url = urlForView({ name: 'host', id: 'h1' }, { origin: 'http://127.0.0.1:4000', pathname: '/', search: '?token=abc' });
    expect(url).toBe('http://127.0.0.1:4000/?token=abc#/hosts/h1');
    expect(urlForView({ name: 'jobs' }, { origin: 'app://bundle', pathname: '/index.html', search: '' })).toBe('app://bundle/index.html#/jobs');
  });
});

describe('router', () => {
  let stop: (() => void) | undefined;
  afterEach(() => {
    stop?.();
    stop = undefined;
    history.replaceState(null, '', '/');
  });

  test('the first load opens the page in the URL; navigate() pushes history; a hash change sets the view', () => {
    history.replaceState(null, '', '/?token=t#/jobs/j7');
    useApp.setState({ view: { name: 'overview' } });
    stop = startRouter(window).stop;
    expect(useApp.getState().view).toEqual({ name: 'job', id: 'j7' });
    const before = history.length;
    useApp.getState().navigate({ name: 'settings' });
    expect(location.hash).toBe('#/settings');
    expect(location.search).toBe('?token=t');
    expect(history.length).toBe(before + 1);
    // The same page again is not a new history entry.
    useApp.getState().navigate({ name: 'settings' });
    expect(history.length).toBe(before + 1);
    location.hash = '#/hosts/h9';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(useApp.getState().view).toEqual({ name: 'host', id: 'h9' });
  });

  test('an unknown hash on load opens the overview and is replaced', () => {
    history.replaceState(null, '', '/#/gone/away/far');
    useApp.setState({ view: { name: 'settings' } });
    stop = startRouter(window).stop;
    expect(location.hash).toBe('#/');
    expect(useApp.getState().view).toEqual({ name: 'settings' }); // the store's view is untouched until the app mounts
  });
});

describe('VM table columns', () => {
  test('the defaults fit beside the tree at 1024 px', () => {
    const shown = VM_COLUMNS.filter((c) => DEFAULT_VISIBLE.includes(c.id));
    // 1024 - 220 (tree) - 28 (page padding) - 2 (frame) - 15 (a scrollbar)
    expect(minRowWidth(shown, {})).toBeLessThanOrEqual(1024 - 220 - 28 - 2 - 15);
  });

  test('the inventory offers the columns admins ask for', () => {
    const ids = VM_COLUMNS.map((c) => c.id);
    for (const id of ['name', 'state', 'host', 'cpu', 'memory', 'uptime', 'vcpu', 'os', 'generation', 'demand', 'disks', 'created', 'ip', 'heartbeat'] as const) expect(ids).toContain(id);
  });

  test('stored preferences are checked: unknown columns and absurd widths dropped, the name kept', () => {
    const prefs = parsePrefs(JSON.stringify({ visible: ['state', 'bogus', 'cpu', 'cpu'], widths: { cpu: 5, host: 99_999, nope: 10, ip: 'wide' } }));
    expect(prefs.visible).toEqual(['name', 'state', 'cpu']);
    expect(prefs.widths).toEqual({ cpu: 44, host: 800 });
    expect(parsePrefs('{not json')).toEqual(defaultPrefs());
    expect(parsePrefs(null)).toEqual(defaultPrefs());
  });

  test('a shown column takes its place in the catalogue order; the name column cannot be hidden', () => {
    const prefs = toggleColumn(defaultPrefs(), 'vcpu');
    expect(prefs.visible).toEqual(['name', 'state', 'host', 'cpu', 'memory', 'vcpu', 'ip', 'observed']);
    expect(toggleColumn(prefs, 'name')).toBe(prefs);
    expect(toggleColumn(prefs, 'vcpu').visible).toEqual([...DEFAULT_VISIBLE]);
  });

  test('choices and committed widths are stored; a drag in progress is not', () => {
    localStorage.removeItem(COLUMN_PREFS_KEY);
    useColumnPrefs.getState().reset();
    useColumnPrefs.getState().toggle('uptime');
    useColumnPrefs.getState().preview('host', 180);
    expect(parsePrefs(localStorage.getItem(COLUMN_PREFS_KEY)).widths.host).toBeUndefined();
    useColumnPrefs.getState().commitWidth('host', 190);
    const stored = parsePrefs(localStorage.getItem(COLUMN_PREFS_KEY));
    expect(stored.visible).toContain('uptime');
    expect(stored.widths.host).toBe(190);
    expect(gridTemplate(VM_COLUMNS.filter((c) => c.id === 'name' || c.id === 'host'), stored.widths)).toBe('minmax(140px, 1fr) 190px');
    useColumnPrefs.getState().reset();
  });

  test('uptime reads as days, hours and minutes, and not at all for a VM that is off', () => {
    expect(uptimeText({ state: 'Running', uptimeS: 3 * 86_400 + 4 * 3600 + 60 })).toBe('3 d 4 h');
    expect(uptimeText({ state: 'Running', uptimeS: 2 * 3600 + 5 * 60 })).toBe('2 h 5 min');
    expect(uptimeText({ state: 'Off', uptimeS: 0 })).toBe('—');
  });
});

describe('states and words', () => {
  test('one tone per state: transitions busy, Unknown and critical states trouble, Off and Saved idle', () => {
    expect(['Running', 'Off', 'Saved', 'Paused', 'Starting', 'Saving', 'Creating', 'Unknown', 'RunningCritical'].map(vmStateTone)).toEqual([
      'ok',
      'idle',
      'idle',
      'warn',
      'busy',
      'busy',
      'busy',
      'bad',
      'bad',
    ]);
    expect(hostStatusTone('connected')).toBe(vmStateTone('Running'));
    expect(hostStatusTone('unreachable')).toBe('bad');
  });

  test("an Unknown VM's CPU and memory read as no value", () => {
    expect(cpuUsageText({ state: 'Unknown', cpuPercent: 12 })).toBe('—');
    expect(heldMemoryText({ state: 'Unknown' }, 2048)).toBe('—');
  });

  test('keyboard hints say Ctrl off macOS and ⌘ on it', () => {
    expect(keyHint('Ctrl+K', false)).toBe('Ctrl+K');
    expect(keyHint('Ctrl+Shift+P', false)).toBe('Ctrl+Shift+P');
    expect(keyHint('Ctrl+Shift+P', true)).toBe('⇧⌘P');
    expect(isMacPlatform({ platform: 'Win32' })).toBe(false);
    expect(isMacPlatform({ platform: 'Linux x86_64' })).toBe(false);
    expect(isMacPlatform({ platform: 'MacIntel' })).toBe(true);
    expect(isMacPlatform({ userAgentData: { platform: 'macOS' } })).toBe(true);
  });

  test("a VM's context menu lists only what its state allows, like the VM page's buttons", () => {
    // By id: the labels of destructive actions may gain a "…" when they ask first.
    // Edits and checkpoints (the one table) are listed too, greyed when the state does not allow them: counted here by what runs.
    const ids = (state: string) =>
      vmMenuItems(makeVm('h1', 1, { state: state as never, name: 'web-20' }))
        .filter((i) => !i.disabled && !isVmEditOperation(i.id))
        .map((i) => i.id);
    expect(ids('Running')).toEqual(['open', 'shutdown', 'turnoff', 'restart', 'save', 'pause', 'delete', 'copy-link', 'copy-ps']);
    expect(ids('Off')).toEqual(['open', 'start', 'delete', 'copy-link', 'copy-ps']);
    expect(ids('Paused')).toEqual(['open', 'start', 'turnoff', 'resume', 'delete', 'copy-link', 'copy-ps']);
    expect(vmMenuItems(makeVm('h1', 1, { state: 'Running', name: 'web-20' }))[0]!.label).toBe('Open web-20');
    // A stale VM (host unreachable) offers no actions: its state may be out of date.
    expect(vmMenuItems(makeVm('h1', 1, { state: 'Running', name: 'web-20', stale: true })).filter((i) => !i.disabled).map((i) => i.id)).toEqual(['open', 'copy-link', 'copy-ps']);
  });
});
