import type { InventoryVm } from './contract';
import { cellText, COLUMN_TITLES, type CellColumn, type CellContext } from './vm-cells';

/**
 * The VM table's exports: the rows and columns shown, in their order, as CSV, TSV (the clipboard)
 * or JSON. The GUI and `aether-v export` both call exportTable, so the same rows, columns and
 * context give the same bytes.
 */
export type ExportFormat = 'csv' | 'tsv' | 'json';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'tsv', 'json'];

/** Excel reads a CSV file without it as the ANSI code page and garbles every non-ASCII name. */
export const UTF8_BOM = '\uFEFF';

/**
 * A spreadsheet runs a cell that starts with = + - or @ as a formula (and a leading tab or CR can
 * hide one): such a cell gets a leading ' so it stays text (OWASP "CSV injection"). Applied to CSV
 * and TSV, which are opened in spreadsheets; JSON is for programs and keeps the text as shown.
 */
export function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF; quotes doubled. */
export function csvField(text: string): string {
  const guarded = guardFormula(text);
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** RFC 4180: CRLF between records and after the last; a BOM first so Excel reads UTF-8. */
export function encodeCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return UTF8_BOM + [header, ...rows].map((r) => r.map(csvField).join(',') + '\r\n').join('');
}

/**
 * Tab-separated, for the clipboard: Excel and Google Sheets paste it into cells. A tab or line
 * break inside a value would split the cell, so it becomes a space.
 */
export function encodeTsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const field = (t: string) => guardFormula(t).replace(/[\t\r\n]+/g, ' ');
  return [header, ...rows].map((r) => r.map(field).join('\t') + '\r\n').join('');
}

/** An array of objects keyed by column id (stable for scripts; the titles may be reworded), values the cells' text. */
export function encodeJson(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const objects = rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? ''])));
  return JSON.stringify(objects, null, 2) + '\n';
}

/** The cells' text, row by row, for these columns. */
export function tableCells(vms: readonly InventoryVm[], columns: readonly CellColumn[], ctx: CellContext): string[][] {
  return vms.map((vm) => columns.map((c) => cellText(c, vm, ctx)));
}

/** The whole file (or clipboard text) for these rows and columns, in this order. */
export function exportTable(vms: readonly InventoryVm[], columns: readonly CellColumn[], ctx: CellContext, format: ExportFormat): string {
  const rows = tableCells(vms, columns, ctx);
  if (format === 'json') return encodeJson(columns, rows);
  const header = columns.map((c) => COLUMN_TITLES[c]);
  return format === 'csv' ? encodeCsv(header, rows) : encodeTsv(header, rows);
}

export const EXPORT_CONTENT_TYPE: Record<ExportFormat, string> = {
  csv: 'text/csv;charset=utf-8',
  tsv: 'text/tab-separated-values;charset=utf-8',
  json: 'application/json',
};

/** "aether-v-vms-2026-12-04-0312.csv": sorts by time in a downloads folder. */
export function exportFilename(format: ExportFormat, now: Date, prefix = 'aether-v-vms'): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${prefix}-${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}.${format}`;
}
