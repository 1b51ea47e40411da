import { useEffect, useRef, useState } from 'react';
import type { InventoryVm } from '../../../shared/contract';
import { EXPORT_CONTENT_TYPE, exportFilename, exportTable, type ExportFormat } from '../../../shared/table-export';
import type { CellColumn, CellContext } from '../../../shared/vm-cells';
import { useApp } from '../../stores/app-store';
import { usePanelSide } from './panel-side';
import { saveExport } from '../jobs/download';
import { counted } from '../../../shared/counted';

/** What the table shows right now: its rows in order, its columns in order, and the cells' context. */
export interface ShownTable {
  rows: readonly InventoryVm[];
  columns: readonly CellColumn[];
  ctx: CellContext;
}

/** Copies text: the async clipboard where allowed, else a hidden textarea and execCommand (an http:// page in browser mode). */
async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // not a secure context, or permission refused: fall back below
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('the browser refused to copy');
}

/**
 * The VM table's "Export" button: CSV or JSON as a download (Electron: the save dialog), or the
 * rows tab-separated on the clipboard for pasting into Excel. Exactly the rows, columns and order
 * on screen, through the cell formatter the table renders with (src/shared/vm-cells.ts).
 */
export function ExportMenu({ shown }: { shown: () => ShownTable }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const side = usePanelSide(open, box, 240);
  const toast = useApp((s) => s.toast);

  useEffect(() => {
    if (!open) return;
    const outside = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', outside);
    return () => window.removeEventListener('mousedown', outside);
  }, [open]);

  const download = (format: ExportFormat) => {
    const table = shown();
    const content = exportTable(table.rows, table.columns, table.ctx, format);
    saveExport({ content, contentType: EXPORT_CONTENT_TYPE[format], encoding: 'utf8', filename: exportFilename(format, new Date()) });
    setOpen(false);
  };
  const copy = async () => {
    const table = shown();
    setOpen(false);
    try {
      await copyText(exportTable(table.rows, table.columns, table.ctx, 'tsv'));
      toast('info', `Copied ${counted(table.rows.length, 'row')} with a header, tab-separated.`);
    } catch (error) {
      toast('error', `Could not copy: ${(error as Error).message}. Export as CSV instead.`);
    }
  };

  return (
    <div className="column-chooser" ref={box}>
      <button aria-expanded={open} aria-haspopup="menu" onClick={() => setOpen((o) => !o)} data-testid="export-button" title="Export the rows and columns shown">
        Export
      </button>
      {open && (
        <div
          className="column-panel export-panel"
          style={side}
          role="menu"
          aria-label="Export"
          data-testid="export-panel"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              setOpen(false);
              box.current?.querySelector('button')?.focus();
            }
          }}
        >
          <button role="menuitem" onClick={() => download('csv')} data-testid="export-csv">
            CSV file (Excel)
          </button>
          <button role="menuitem" onClick={() => download('json')} data-testid="export-json">
            JSON file
          </button>
          <button role="menuitem" onClick={() => void copy()} data-testid="export-copy">
            Copy (tab-separated)
          </button>
          <p className="muted">The rows, columns and order shown.</p>
        </div>
      )}
    </div>
  );
}
