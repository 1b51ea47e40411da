import type { SavedView } from '../../../shared/contract';
import { MAX_SAVED_VIEWS } from '../../../shared/saved-view-limits';
import { CELL_COLUMNS, isCellColumn } from '../../../shared/vm-cells';

/**
 * Saved views (issue 16): a named query with its columns, sort and grouping, kept in the
 * settings (ui.views) in the sidebar's order. Pure rules here; views-store.ts saves them.
 */
export type GroupBy = SavedView['groupBy']; // the same as column-prefs GroupBy
export const GROUP_BY: readonly GroupBy[] = ['none', 'host', 'cluster', 'state'];
export const VIEWS_FILE_KIND = 'aether-v.views';

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Why a name cannot be used (empty, too long, taken by another view), or undefined. */
export function viewNameProblem(name: string, views: readonly SavedView[], except?: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return 'Give the view a name.';
  if (trimmed.length > 60) return `A view name has at most 60 characters (this one has ${trimmed.length}).`;
  if (views.some((v) => sameName(v.name, trimmed) && !(except !== undefined && sameName(v.name, except)))) return `A view named "${trimmed}" exists already: choose another name.`;
  return undefined;
}

/** "Name (2)", "Name (3)"…: the first name no view has (an imported duplicate keeps both). */
export function uniqueName(name: string, views: readonly SavedView[]): string {
  if (!views.some((v) => sameName(v.name, name))) return name;
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`;
    const candidate = name.slice(0, 60 - suffix.length) + suffix;
    if (!views.some((v) => sameName(v.name, candidate))) return candidate;
  }
}

/** Adds a view, or replaces the one of the same name (Save view… over an existing name asks first). */
export function upsertView(views: readonly SavedView[], view: SavedView): SavedView[] {
  const i = views.findIndex((v) => sameName(v.name, view.name));
  return i < 0 ? [...views, view] : views.map((v, j) => (j === i ? view : v));
}

export function renameView(views: readonly SavedView[], from: string, to: string): SavedView[] {
  return views.map((v) => (v.name === from ? { ...v, name: to.trim() } : v));
}

export function deleteView(views: readonly SavedView[], name: string): SavedView[] {
  return views.filter((v) => v.name !== name);
}

/** Moves a view one place up (-1) or down (+1); at either end nothing changes. */
export function moveView(views: readonly SavedView[], name: string, by: -1 | 1): SavedView[] {
  const i = views.findIndex((v) => v.name === name);
  const j = i + by;
  if (i < 0 || j < 0 || j >= views.length) return [...views];
  const next = [...views];
  [next[i], next[j]] = [next[j]!, next[i]!];
  return next;
}

/** The file "Export views" writes: a kind marker so an unrelated JSON file is refused on import. */
export function viewsFile(views: readonly SavedView[]): string {
  return JSON.stringify({ kind: VIEWS_FILE_KIND, version: 1, views }, null, 2) + '\n';
}

const COLUMN_ID = /^[A-Za-z][A-Za-z0-9]{0,39}$/;

/** One entry of an imported file, checked field by field; the problem names the field. */
function checkEntry(entry: unknown): { view: SavedView } | { problem: string } {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return { problem: 'is not an object' };
  const e = entry as Record<string, unknown>;
  const known = new Set(['name', 'query', 'columns', 'sort', 'groupBy']);
  const extra = Object.keys(e).filter((k) => !known.has(k));
  if (extra.length) return { problem: `has unknown field "${extra[0]}"` };
  if (typeof e.name !== 'string' || e.name.trim() === '' || e.name.trim().length > 60) return { problem: 'name: must be 1–60 characters' };
  if (typeof e.query !== 'string' || e.query.length > 2000) return { problem: 'query: must be text of at most 2000 characters' };
  if (!Array.isArray(e.columns) || e.columns.length === 0 || e.columns.length > 64 || !e.columns.every((c) => typeof c === 'string' && COLUMN_ID.test(c))) {
    return { problem: `columns: must be a list of column ids such as ${CELL_COLUMNS.slice(0, 3).join(', ')}` };
  }
  const sort = e.sort as Record<string, unknown> | undefined;
  if (typeof sort !== 'object' || sort === null || typeof sort.column !== 'string' || !COLUMN_ID.test(sort.column) || (sort.dir !== 'asc' && sort.dir !== 'desc') || Object.keys(sort).length !== 2) {
    return { problem: 'sort: must be { "column": a column id, "dir": "asc" or "desc" }' };
  }
  const groupBy = e.groupBy ?? 'none';
  if (!GROUP_BY.includes(groupBy as GroupBy)) return { problem: `groupBy: must be ${GROUP_BY.join(', ')}` };
  return { view: { name: e.name.trim(), query: e.query, columns: e.columns as string[], sort: { column: sort.column, dir: sort.dir }, groupBy: groupBy as GroupBy } };
}

export type ViewsImport = { ok: true; views: SavedView[]; added: number; renamed: Array<{ from: string; to: string }> } | { ok: false; problem: string };

/**
 * Reads a views file and adds its views after the existing ones. All or nothing: a wrong entry
 * refuses the whole file, naming the entry and its field, and nothing stored changes. A name
 * already taken gets " (2)" (the existing view is never replaced or dropped).
 */
export function importViews(existing: readonly SavedView[], text: string): ViewsImport {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { ok: false, problem: `The file is not JSON: ${(error as Error).message}` };
  }
  const entries = Array.isArray(doc) ? doc : (doc as { kind?: unknown; views?: unknown } | null)?.kind === VIEWS_FILE_KIND ? (doc as { views: unknown }).views : undefined;
  if (!Array.isArray(entries)) return { ok: false, problem: 'The file is not an Aether-V views file (exported with "Export views").' };
  const views = [...existing];
  const renamed: Array<{ from: string; to: string }> = [];
  for (const [index, entry] of entries.entries()) {
    const checked = checkEntry(entry);
    const label = typeof (entry as { name?: unknown })?.name === 'string' ? `"${(entry as { name: string }).name}"` : `number ${index + 1}`;
    if ('problem' in checked) return { ok: false, problem: `View ${label} (entry ${index + 1}) ${checked.problem}. Nothing was imported.` };
    const name = uniqueName(checked.view.name, views);
    if (name !== checked.view.name) renamed.push({ from: checked.view.name, to: name });
    views.push({ ...checked.view, name });
  }
  if (views.length > MAX_SAVED_VIEWS) return { ok: false, problem: `That would make ${views.length} views; at most ${MAX_SAVED_VIEWS} are kept. Nothing was imported.` };
  return { ok: true, views, added: entries.length, renamed };
}

/** The view's columns this version knows (a column a later version dropped is skipped); the name column is always there. */
export function knownColumns(view: Pick<SavedView, 'columns'>): Array<(typeof CELL_COLUMNS)[number]> {
  const known = [...new Set(view.columns.filter(isCellColumn))];
  if (!known.includes('name')) known.unshift('name');
  return known;
}
