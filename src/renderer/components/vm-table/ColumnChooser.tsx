import { useEffect, useRef, useState } from 'react';
import { useColumnPrefs } from './column-prefs';
import { VM_COLUMNS } from './columns';
import { usePanelSide } from '../../features/views/panel-side';

/** The "Columns" button of the VM tables: a checklist of every column, and a reset. */
export function ColumnChooser() {
  const [open, setOpen] = useState(false);
  const visible = useColumnPrefs((s) => s.visible);
  const toggle = useColumnPrefs((s) => s.toggle);
  const reset = useColumnPrefs((s) => s.reset);
  const groupBy = useColumnPrefs((s) => s.groupBy);
  const setGroupBy = useColumnPrefs((s) => s.setGroupBy);
  const box = useRef<HTMLDivElement>(null);
  // views: the filter row now wraps sooner (Export, Save view…): a panel whose button starts a line opens to the right.
  const side = usePanelSide(open, box, 360);

  useEffect(() => {
    if (!open) return;
    const outside = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', outside);
    return () => window.removeEventListener('mousedown', outside);
  }, [open]);

  return (
    <div className="column-chooser" ref={box}>
      <button aria-expanded={open} aria-haspopup="dialog" onClick={() => setOpen((o) => !o)} data-testid="columns-button">
        Columns
      </button>
      {open && (
        <div
          className="column-panel"
          style={side}
          role="dialog"
          aria-label="Columns"
          data-testid="columns-panel"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              setOpen(false);
              box.current?.querySelector('button')?.focus();
            }
          }}
        >
          <fieldset>
            <legend>Show columns</legend>
            {VM_COLUMNS.map((c) => (
              <label key={c.id} className="check">
                <input type="checkbox" checked={visible.includes(c.id)} disabled={c.id === 'name'} onChange={() => toggle(c.id)} data-testid={`column-${c.id}`} />
                {c.label}
              </label>
            ))}
          </fieldset>
          {/* views: group headers in the table (host, cluster or state) */}
          <label className="group-by">
            Group rows by{' '}
            <select value={groupBy} onChange={(e) => setGroupBy(e.target.value as typeof groupBy)} data-testid="columns-group-by">
              <option value="none">nothing</option>
              <option value="host">host</option>
              <option value="cluster">cluster</option>
              <option value="state">state</option>
            </select>
          </label>
          <button onClick={reset} data-testid="columns-reset">
            Default columns and widths
          </button>
        </div>
      )}
    </div>
  );
}
