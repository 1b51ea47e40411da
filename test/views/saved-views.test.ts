import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { SavedView } from '../../src/shared/contract';
import { DEFAULT_SETTINGS, SettingsPatch } from '../../src/shared/contract';
import { compile } from '../../src/main/validation/validator';
import { SettingsStore } from '../../src/main/settings/settings-store';
import { JsonFilePersistence } from '../../src/main/settings/persistence';
import { deleteView, importViews, knownColumns, moveView, renameView, uniqueName, upsertView, viewNameProblem, viewsFile } from '../../src/renderer/features/views/view-model';
import { tempDir } from '../support/temp';
import { groupRows } from '../../src/renderer/features/views/grouping';
import { makeVm } from '../renderer/fixtures';

const view = (name: string, over: Partial<SavedView> = {}): SavedView => ({ name, query: 'state:running', columns: ['name', 'state'], sort: { column: 'name', dir: 'asc' }, groupBy: 'none', ...over });

describe('saved views: names, order, import', () => {
  const views = [view('Running'), view('Big', { query: 'mem>8GB' }), view('Old')];

  test('names are 1–60 characters and unique regardless of case', () => {
    expect(viewNameProblem('  ', views)).toMatch(/Give the view a name/);
    expect(viewNameProblem('x'.repeat(61), views)).toMatch(/at most 60/);
    expect(viewNameProblem('running', views)).toMatch(/exists already/);
    expect(viewNameProblem('RUNNING', views, 'Running')).toBeUndefined(); // renaming a view to itself
    expect(viewNameProblem('New', views)).toBeUndefined();
    expect(uniqueName('Big', views)).toBe('Big (2)');
    expect(uniqueName('Big', [...views, view('Big (2)')])).toBe('Big (3)');
    expect(uniqueName('y'.repeat(60), [view('y'.repeat(60))])).toHaveLength(60);
  });

  test('move up/down, rename, delete, replace keep the others in order', () => {
    expect(moveView(views, 'Big', -1).map((v) => v.name)).toEqual(['Big', 'Running', 'Old']);
    expect(moveView(views, 'Old', 1).map((v) => v.name)).toEqual(['Running', 'Big', 'Old']);
    expect(renameView(views, 'Big', ' Huge ').map((v) => v.name)).toEqual(['Running', 'Huge', 'Old']);
    expect(deleteView(views, 'Big').map((v) => v.name)).toEqual(['Running', 'Old']);
    expect(upsertView(views, view('big', { query: 'mem>16GB' })).map((v) => [v.name, v.query])).toEqual([['Running', 'state:running'], ['big', 'mem>16GB'], ['Old', 'state:running']]);
  });

  test('import adds after the existing views, renames duplicates with " (2)", and reports them', () => {
    const result = importViews(views, viewsFile([view('Big', { query: 'mem>32GB' }), view('Windows', { query: 'os:windows' })]));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.views.map((v) => v.name)).toEqual(['Running', 'Big', 'Old', 'Big (2)', 'Windows']);
    expect(result.views[1]!.query).toBe('mem>8GB'); // the existing view is never replaced
    expect(result.renamed).toEqual([{ from: 'Big', to: 'Big (2)' }]);
    expect(result.added).toBe(2);
  });

  test('a wrong entry refuses the whole file, naming the entry and the field; nothing changes', () => {
    const bad = JSON.stringify({ kind: 'aether-v.views', version: 1, views: [view('Fine'), { ...view('Broken'), sort: { column: 'name', dir: 'up' } }] });
    expect(importViews(views, bad)).toEqual({ ok: false, problem: 'View "Broken" (entry 2) sort: must be { "column": a column id, "dir": "asc" or "desc" }. Nothing was imported.' });
    expect(importViews(views, '{ nope')).toMatchObject({ ok: false, problem: expect.stringMatching(/^The file is not JSON/) });
    expect(importViews(views, '{"hosts": []}')).toMatchObject({ ok: false, problem: expect.stringMatching(/not an Aether-V views file/) });
    expect(importViews(views, JSON.stringify([{ ...view('x'), name: '' }]))).toMatchObject({ ok: false, problem: expect.stringMatching(/entry 1\) name: must be 1–60/) });
    expect(importViews(views, JSON.stringify([{ ...view('x'), colour: 'red' }]))).toMatchObject({ ok: false, problem: expect.stringMatching(/unknown field "colour"/) });
    expect(importViews(views, JSON.stringify([{ ...view('x'), columns: ['name; drop'] }]))).toMatchObject({ ok: false, problem: expect.stringMatching(/columns:/) });
    expect(views.map((v) => v.name)).toEqual(['Running', 'Big', 'Old']);
  });

  test('a column a later version dropped is skipped; the name column is always there', () => {
    expect(knownColumns({ columns: ['state', 'hologram', 'host', 'state'] })).toEqual(['name', 'state', 'host']);
  });
});

describe('saved views in the settings (ui.views)', () => {
  test('stored, validated (unique names, 1–60 characters), and an older settings file loads with none', async () => {
    const temp = tempDir();
    try {
      const file = path.join(temp.dir, 'settings.json');
      const { views: _views, ...oldUi } = DEFAULT_SETTINGS.ui;
      writeFileSync(file, JSON.stringify({ schemaVersion: 1, settings: { ...DEFAULT_SETTINGS, ui: oldUi }, hosts: [] }));
      const store = new SettingsStore(new JsonFilePersistence(file));
      expect((await store.load()).ok).toBe(true);
      expect(store.getSettings().ui.views).toEqual([]);

      // The contract checks each view at the boundary: 1–60 characters, known fields, a direction.
      const patchValid = compile(SettingsPatch);
      expect(patchValid({ ui: { views: [view('Running')] } })).toBe(true);
      expect(patchValid({ ui: { views: [view('x'.repeat(61))] } })).toBe(false);
      expect(patchValid({ ui: { views: [view('')] } })).toBe(false);
      expect(patchValid({ ui: { views: [{ ...view('x'), sort: { column: 'name', dir: 'sideways' } }] } })).toBe(false);
      await store.updateSettings({ ui: { views: [view('Running'), view('Big')] } });
      await expect(store.updateSettings({ ui: { views: [view('Dup'), view('DUP')] } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/"DUP" is used twice/) });
      // Another ui setting saved later keeps the views.
      await store.updateSettings({ ui: { confirmDestructiveActions: false } });
      const reloaded = new SettingsStore(new JsonFilePersistence(file));
      expect((await reloaded.load()).ok).toBe(true);
      expect(reloaded.getSettings().ui.views!.map((v) => v.name)).toEqual(['Running', 'Big']);
      expect(JSON.parse(readFileSync(file, 'utf8')).settings.ui.confirmDestructiveActions).toBe(false);
    } finally {
      temp.cleanup();
    }
  });
});

describe('grouping', () => {
  test('groups in natural order of their labels, rows keeping the sort inside, a header line per group', () => {
    const vms = new Map([makeVm('h10', 1), makeVm('h2', 2), makeVm('h10', 3), makeVm('h2', 4, { state: 'Off' })].map((v) => [v.key, v]));
    const sorted = [...vms.keys()].reverse();
    const ctx = { hostName: (id: string) => `hv-${id}`, clusterOf: () => undefined };
    const byHost = groupRows(sorted, 'host', (k) => vms.get(k), ctx);
    expect(byHost.order.map((k) => vms.get(k)!.hostId)).toEqual(['h2', 'h2', 'h10', 'h10']);
    expect(byHost.order.filter((k) => vms.get(k)!.hostId === 'h2')).toEqual(sorted.filter((k) => vms.get(k)!.hostId === 'h2'));
    expect(byHost.lines).toEqual([
      { kind: 'head', label: 'hv-h2', count: 2 },
      { kind: 'row', index: 0 },
      { kind: 'row', index: 1 },
      { kind: 'head', label: 'hv-h10', count: 2 },
      { kind: 'row', index: 2 },
      { kind: 'row', index: 3 },
    ]);
    expect(byHost.lineOf(2)).toBe(4);
    expect(groupRows(sorted, 'cluster', (k) => vms.get(k), ctx).lines![0]).toEqual({ kind: 'head', label: 'No cluster', count: 4 });
    expect(groupRows(sorted, 'state', (k) => vms.get(k), ctx).lines!.filter((l) => l.kind === 'head').map((l) => (l as { label: string }).label)).toEqual(['Off', 'Running']);
    const none = groupRows(sorted, 'none', (k) => vms.get(k), ctx);
    expect(none.order).toBe(sorted);
    expect(none.lines).toBeUndefined();
  });
});

describe('the query a view stores', () => {
  test('the page and the drop-downs become terms; an OR query is grouped; values are quoted when needed', async () => {
    const { viewQueryText } = await import('../../src/renderer/features/views/view-query');
    const { parseQuery } = await import('../../src/shared/query');
    expect(viewQueryText('  mem>8GB ', {})).toBe('mem>8GB');
    expect(viewQueryText('', { hostName: 'hv01', state: 'Running' })).toBe('host:hv01 state:running');
    expect(viewQueryText('name:a OR name:b', { cluster: 'CLU A' })).toBe('cluster:"CLU A" (name:a OR name:b)');
    expect(viewQueryText('', { hostName: 'odd "name" \\ here', state: 'stale' })).toBe('host:"odd \\"name\\" \\\\ here" state:stale');
    for (const q of ['host:hv01 state:running', 'cluster:"CLU A" (name:a OR name:b)', 'host:"odd \\"name\\" \\\\ here" state:stale']) expect(parseQuery(q).ok, q).toBe(true);
  });
});
