import type { InventorySnapshotWire, VmColumn } from './contract';

/**
 * What the first screen shows (src/renderer/first-screen.ts paints it): the VM figures and the
 * first rows of the VM table, read from an inventory snapshot's wire form. Shared: the page reads
 * it from the inventory answer, and the backend computes it when it saves the start snapshot
 * (start-snapshot.ts), so the browser-mode server can put it in the page itself.
 */

/** Rows painted: more than a tall window shows (30 px rows), far fewer than a fleet holds. */
export const FIRST_SCREEN_ROWS = 40;

export interface FirstScreenRow {
  name: string;
  state: string;
  host: string;
  placeholder: boolean;
}

export interface FirstScreen {
  vms: number;
  running: number;
  /** When the last session saved the snapshot; absent when the backend itself answered. */
  cachedAt?: string;
  rows: FirstScreenRow[];
}

/**
 * When the last session saved this snapshot: the early answer (served from its file while the
 * backend starts) carries `cachedAt`; the backend's own snapshot has no such field.
 */
export function cachedAtOf(wire: InventorySnapshotWire): string | undefined {
  const at = (wire as { cachedAt?: unknown }).cachedAt;
  return typeof at === 'string' ? at : undefined;
}

/** One column of the wire snapshot, read row by row without expanding it (a dictionary stays one). */
function columnReader(column: VmColumn | undefined, count: number): ((row: number) => unknown) | undefined {
  if (!column) return undefined;
  if ('values' in column) return column.values.length === count ? (row) => column.values[row] : undefined;
  return column.index.length === count ? (row) => column.dict[column.index[row]!] : undefined;
}

/**
 * The screen's figures and its first rows, read straight from the wire form. The rows are the
 * FIRST_SCREEN_ROWS first in the VM table's default order (src/shared/vm-sort.ts `sortVms` by name,
 * ascending: the lower-cased name, then the key), kept in one pass instead of sorting every row. Undefined
 * when the payload lacks a column it needs (another version's snapshot): no first screen then,
 * the app decodes and reports it.
 */
export function firstScreenOf(wire: InventorySnapshotWire, rowLimit = FIRST_SCREEN_ROWS): FirstScreen | undefined {
  const count = wire.vms?.count;
  if (typeof count !== 'number') return undefined;
  const col = (field: string) => columnReader(wire.vms.columns[field], count);
  const name = col('name');
  const state = col('state');
  const hostId = col('hostId');
  const vmId = col('vmId');
  const placeholder = col('placeholder');
  if (!name || !state || !hostId || !vmId || !placeholder) return undefined;

  // sortVms(…, 'name', 'asc'): the lower-cased name, then the key (a name differing only in case is a tie).
  const sortKey = (row: number) => [String(name(row)).toLowerCase(), `${String(hostId(row))}:${String(vmId(row))}`] as const;
  const before = (a: readonly string[], b: readonly string[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
    return false;
  };
  let running = 0;
  // The first rows so far, in order; a row enters only if it sorts before the last of them.
  const first: { row: number; key: readonly string[] }[] = [];
  for (let row = 0; row < count; row++) {
    if (state(row) === 'Running') running++;
    if (rowLimit <= 0) continue;
    const key = sortKey(row);
    if (first.length === rowLimit && !before(key, first[first.length - 1]!.key)) continue;
    let lo = 0;
    let hi = first.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(key, first[mid]!.key)) hi = mid;
      else lo = mid + 1;
    }
    first.splice(lo, 0, { row, key });
    if (first.length > rowLimit) first.pop();
  }

  const hostNames = new Map<string, string>();
  for (const h of wire.hosts ?? []) hostNames.set(h.hostId, h.computerName ?? h.hostId);
  return {
    vms: count,
    running,
    cachedAt: cachedAtOf(wire),
    rows: first.map(({ row }) => ({
      name: String(name(row)),
      state: String(state(row)),
      host: hostNames.get(String(hostId(row))) ?? String(hostId(row)),
      placeholder: placeholder(row) === true,
    })),
  };
}

/** The id of the page's data block holding a FirstScreen as JSON (see embedFirstScreen). */
export const FIRST_SCREEN_DATA_ID = 'aetherv-first-screen-data';

/**
 * The page with `screen` in a data block in its head: `<script type="application/json">` is never
 * run (the page's CSP allows no inline script, and needs not), the first script reads it with its
 * first line. `<` is escaped so no text in a VM name can close the block.
 */
export function embedFirstScreen(html: string, screen: FirstScreen): string {
  const at = html.indexOf('</head>');
  if (at < 0) return html;
  const json = JSON.stringify(screen).replace(/</g, '\\u003c');
  return `${html.slice(0, at)}<script type="application/json" id="${FIRST_SCREEN_DATA_ID}">${json}</script>\n  ${html.slice(at)}`;
}
