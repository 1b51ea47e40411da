/** `aether-v export`: the VM table's export (CSV, TSV, JSON) from the store on disk, for scripts. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultDataDir } from '../../main/data-dir';
import { readInventorySnapshot, StoreNotReadable } from '../../main/store';
import { EXPORT_FORMATS, exportTable, type ExportFormat } from '../../shared/table-export';
import { CELL_COLUMNS, isCellColumn, type CellColumn, type CellContext } from '../../shared/vm-cells';
import { caretLines, queryRows } from '../../shared/view-rows';
import { parseArgs } from '../args';
import { UsageError, type CliCommand } from '../command';

/** The table's default columns (components/vm-table/columns.tsx DEFAULT_VISIBLE) minus Freshness, which ages while you look. */
const DEFAULT_COLUMNS: readonly CellColumn[] = ['name', 'state', 'host', 'cpu', 'memory', 'ip'];

interface StoredSettings {
  hostNames: Map<string, string>;
  reachEnabled: boolean;
  views: Array<{ name: string; query: string; columns: string[]; sort: { column: string; dir: 'asc' | 'desc' } }>;
}

/** Host display names, the reachability switch and saved views from settings.json (browser mode: the document; Electron: under "document"). */
function readSettings(dataDir: string): StoredSettings {
  const file = path.join(dataDir, 'settings.json');
  const empty: StoredSettings = { hostNames: new Map(), reachEnabled: true, views: [] };
  if (!existsSync(file)) return empty;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  const doc = ((raw as { document?: unknown }).document ?? raw) as { hosts?: Array<{ id?: unknown; displayName?: unknown }>; settings?: { reachability?: { enabled?: unknown }; ui?: { views?: unknown } } };
  const hostNames = new Map<string, string>();
  for (const h of doc.hosts ?? []) if (typeof h.id === 'string' && typeof h.displayName === 'string') hostNames.set(h.id, h.displayName);
  const views = Array.isArray(doc.settings?.ui?.views) ? (doc.settings.ui.views as StoredSettings['views']) : [];
  return { hostNames, reachEnabled: doc.settings?.reachability?.enabled !== false, views };
}

function columnList(raw: string): CellColumn[] {
  const ids = raw.split(',').map((c) => c.trim()).filter(Boolean);
  if (ids.length === 0) throw new UsageError('--columns needs at least one column');
  const unknown = ids.filter((c) => !isCellColumn(c));
  if (unknown.length) throw new UsageError(`unknown column ${unknown.map((c) => `"${c}"`).join(', ')}; columns: ${CELL_COLUMNS.join(', ')}`);
  return ids as CellColumn[];
}

function sortSpec(raw: string): { column: CellColumn; dir: 'asc' | 'desc' } {
  const [column = '', dir = 'asc', ...extra] = raw.split(':');
  if (!isCellColumn(column)) throw new UsageError(`--sort: unknown column "${column}"; columns: ${CELL_COLUMNS.join(', ')}`);
  if ((dir !== 'asc' && dir !== 'desc') || extra.length) throw new UsageError(`--sort: write COLUMN or COLUMN:desc (got "${raw}")`);
  return { column, dir };
}

export const command: CliCommand = {
  name: 'export',
  summary: 'export the VMs a query selects as CSV, TSV or JSON, as the VM table does',
  help: `Usage: aether-v export [--query QUERY | --view NAME] [--format csv|tsv|json] [--columns a,b,c] [--sort COLUMN[:desc]] [--data-dir DIR]

Writes the VMs a query selects to stdout, with the same rows, cell text and encoding as the VM
table's Export menu (Finding and exporting in the README). Reads the inventory store of the data
directory without changing it; the app may be running.

Options:
  --query QUERY      the table's query language, e.g. 'state:running host:hv0* mem>8GB' (default: every VM)
  --view NAME        a saved view: its query, columns and sort (the options above override them)
  --format FORMAT    csv (UTF-8 with BOM, RFC 4180), tsv (the clipboard's text) or json (default: csv)
  --columns LIST     column ids in order (default: ${DEFAULT_COLUMNS.join(',')}); all: ${CELL_COLUMNS.join(',')}
  --sort COLUMN      sort by a column, ascending; COLUMN:desc for descending (default: name)
  --data-dir DIR     where the app keeps its store (default: ${defaultDataDir()})
  --help             show this help

Exit codes: 0 written, 1 the store could not be read, 2 a usage or query error.
`,
  async run(args) {
    const parsed = parseArgs(args, { valueFlags: ['query', 'view', 'format', 'columns', 'sort', 'data-dir'] });
    if (parsed.positionals.length) throw new UsageError(`unexpected argument "${parsed.positionals[0]}" (quote the query and pass it with --query)`);
    const flag = (name: string) => parsed.flags.get(name) as string | undefined;
    const format = (flag('format') ?? 'csv') as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) throw new UsageError(`--format must be csv, tsv or json (got "${format}")`);
    const dataDir = path.resolve(flag('data-dir') ?? defaultDataDir());
    const settings = readSettings(dataDir);

    let query = flag('query');
    let columns = flag('columns') === undefined ? undefined : columnList(flag('columns')!);
    let sort = flag('sort') === undefined ? undefined : sortSpec(flag('sort')!);
    const viewName = flag('view');
    if (viewName !== undefined) {
      const view = settings.views.find((v) => v.name.toLowerCase() === viewName.trim().toLowerCase());
      if (!view) throw new UsageError(`no saved view named "${viewName}" in ${path.join(dataDir, 'settings.json')}${settings.views.length ? `; saved views: ${settings.views.map((v) => v.name).join(', ')}` : ''}`);
      query ??= view.query;
      columns ??= view.columns.filter(isCellColumn);
      sort ??= isCellColumn(view.sort.column) ? { column: view.sort.column, dir: view.sort.dir } : undefined;
    }

    const storeFile = path.join(dataDir, 'inventory.db');
    let snapshot;
    try {
      snapshot = readInventorySnapshot(storeFile);
    } catch (error) {
      if (error instanceof StoreNotReadable) {
        process.stderr.write(`aether-v export: ${error.message}\nLooked in the data directory ${dataDir}; pass --data-dir to read another.\n`);
        return 1;
      }
      throw error;
    }
    const clusters = new Map(snapshot.hosts.map((h) => [h.hostId, h.cluster]));
    const hosts = new Map(snapshot.hosts.map((h) => [h.hostId, h]));
    const ctx: CellContext = {
      hostName: (id) => settings.hostNames.get(id) ?? id,
      clusterOf: (id) => clusters.get(id) ?? null,
      host: (id) => hosts.get(id),
      reachEnabled: settings.reachEnabled,
      now: Date.now(),
    };
    const text = query ?? '';
    const rows = queryRows(snapshot.vms, text, sort ?? { column: 'name', dir: 'asc' }, ctx);
    if (!rows.ok) {
      process.stderr.write(`aether-v export: the query is not valid: ${rows.error.message}\n${caretLines(text, rows.error)}\n`);
      return 2;
    }
    process.stdout.write(exportTable(rows.vms, columns ?? DEFAULT_COLUMNS, ctx, format));
    return 0;
  },
};
