import { create } from 'zustand';
import type { SortColumn } from './table-model';
import { COLUMN_BY_ID, DEFAULT_VISIBLE, VM_COLUMNS } from './columns';

/**
 * Which columns the VM tables show, in which order, and how wide: one choice for every VM table,
 * remembered on this workstation in localStorage. A display preference belongs to the screen it
 * was made on (a 1024 px laptop and a 2560 px desk want different columns), not to the settings
 * every window and backend share; the Electron app's origin (app://bundle) is stable, and browser
 * mode keeps it per `aether-v serve --port`.
 */
export interface ColumnPrefs {
  visible: SortColumn[];
  widths: Partial<Record<SortColumn, number>>;
  /** views: rows grouped under host, cluster or state headers, or not. */
  groupBy: GroupBy;
}

export type GroupBy = 'none' | 'host' | 'cluster' | 'state';
const GROUPINGS: readonly GroupBy[] = ['none', 'host', 'cluster', 'state'];

export const COLUMN_PREFS_KEY = 'aetherv.vmTable.columns.v1';
const MAX_WIDTH = 800;

export function defaultPrefs(): ColumnPrefs {
  return { visible: [...DEFAULT_VISIBLE], widths: {}, groupBy: 'none' };
}

/** Stored prefs, checked: unknown columns and absurd widths are dropped, the name column is always there. */
export function parsePrefs(raw: string | null): ColumnPrefs {
  if (!raw) return defaultPrefs();
  try {
    const value = JSON.parse(raw) as { visible?: unknown; widths?: unknown; groupBy?: unknown };
    const visible = Array.isArray(value.visible) ? value.visible.filter((id): id is SortColumn => COLUMN_BY_ID.has(id as SortColumn)) : [...DEFAULT_VISIBLE];
    const unique = [...new Set(visible)];
    if (!unique.includes('name')) unique.unshift('name');
    const widths: ColumnPrefs['widths'] = {};
    if (value.widths && typeof value.widths === 'object') {
      for (const [id, w] of Object.entries(value.widths as Record<string, unknown>)) {
        const column = COLUMN_BY_ID.get(id as SortColumn);
        if (column && typeof w === 'number' && Number.isFinite(w)) widths[column.id] = clampWidth(column.id, w);
      }
    }
    const groupBy = GROUPINGS.includes(value.groupBy as GroupBy) ? (value.groupBy as GroupBy) : 'none';
    return { visible: unique, widths, groupBy };
  } catch {
    return defaultPrefs(); // damaged: the defaults, and the next change overwrites it
  }
}

export function clampWidth(id: SortColumn, width: number): number {
  return Math.round(Math.max(COLUMN_BY_ID.get(id)?.min ?? 40, Math.min(MAX_WIDTH, width)));
}

/** Shows or hides a column; a shown column takes its place in the catalogue's order. The name column stays. */
export function toggleColumn(prefs: ColumnPrefs, id: SortColumn): ColumnPrefs {
  if (id === 'name') return prefs;
  const shown = new Set(prefs.visible);
  if (shown.has(id)) shown.delete(id);
  else shown.add(id);
  return { ...prefs, visible: VM_COLUMNS.map((c) => c.id).filter((c) => shown.has(c)) };
}

function read(): ColumnPrefs {
  try {
    return parsePrefs(globalThis.localStorage?.getItem(COLUMN_PREFS_KEY) ?? null);
  } catch {
    return defaultPrefs();
  }
}

function write(prefs: ColumnPrefs): void {
  try {
    globalThis.localStorage?.setItem(COLUMN_PREFS_KEY, JSON.stringify(prefs));
  } catch {
    // Storage disabled or full: the choice holds until the page is closed.
  }
}

interface ColumnPrefsState extends ColumnPrefs {
  toggle(id: SortColumn): void;
  /** While dragging: the width on screen, not yet stored. */
  preview(id: SortColumn, width: number): void;
  /** At the end of a drag or a key press: stored. */
  commitWidth(id: SortColumn, width: number): void;
  reset(): void;
  /** views: a saved view's columns, in its order (the name column is kept), and its grouping. */
  applyView(ids: readonly SortColumn[], groupBy: GroupBy): void;
  setGroupBy(groupBy: GroupBy): void;
}

const pick = (s: ColumnPrefs): ColumnPrefs => ({ visible: s.visible, widths: s.widths, groupBy: s.groupBy });

export const useColumnPrefs = create<ColumnPrefsState>((set, get) => {
  const save = (next: ColumnPrefs) => {
    set(next);
    write(next);
  };
  return {
    ...read(),
    toggle: (id) => save(toggleColumn(get(), id)),
    preview: (id, width) => set((s) => ({ widths: { ...s.widths, [id]: clampWidth(id, width) } })),
    commitWidth: (id, width) => save({ ...pick(get()), widths: { ...get().widths, [id]: clampWidth(id, width) } }),
    reset: () => save(defaultPrefs()),
    applyView: (ids, groupBy) => save({ visible: parsePrefs(JSON.stringify({ visible: ids })).visible, widths: get().widths, groupBy }),
    setGroupBy: (groupBy) => save({ ...pick(get()), groupBy }),
  };
});
