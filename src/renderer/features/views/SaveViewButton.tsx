import { useEffect, useRef, useState } from 'react';
import type { SavedView } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { usePanelSide } from './panel-side';
import { upsertView, viewNameProblem } from './view-model';
import { saveViews, useSavedViews, useViewRequest } from './views-store';

/**
 * "Save view…": names the table's query, columns, sort and grouping as a saved view. A
 * name already used asks to replace that view (a second click on "Replace").
 */
export function SaveViewButton({ current }: { current: () => Omit<SavedView, 'name'> }) {
  const views = useSavedViews();
  const active = useViewRequest((s) => s.active);
  const toast = useApp((s) => s.toast);
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const side = usePanelSide(open, box, 240);

  useEffect(() => {
    if (!open) return;
    const outside = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', outside);
    return () => window.removeEventListener('mousedown', outside);
  }, [open]);

  const existing = views.find((v) => v.name.trim().toLowerCase() === name.trim().toLowerCase());
  const show = () => {
    const start = views.find((v) => v.name === active);
    setName(start?.name ?? '');
    setError(undefined);
    setOpen((o) => !o);
  };
  const save = async () => {
    const problem = viewNameProblem(name, views, existing?.name);
    if (problem) return setError(problem);
    setBusy(true);
    const view: SavedView = { ...current(), name: name.trim() };
    const failed = await saveViews(upsertView(views, view));
    setBusy(false);
    if (failed) return setError(failed);
    useViewRequest.getState().setActive(view.name);
    toast('info', existing ? `View "${view.name}" replaced.` : `View "${view.name}" saved: it is in the sidebar.`);
    setOpen(false);
  };

  return (
    <div className="column-chooser" ref={box}>
      <button aria-expanded={open} aria-haspopup="dialog" onClick={show} data-testid="save-view-button" title="Save this query, its columns and sort as a view in the sidebar">
        Save view…
      </button>
      {open && (
        <form
          className="column-panel save-view-panel"
          style={side}
          role="dialog"
          aria-label="Save view"
          data-testid="save-view-panel"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false);
          }}
        >
          <label>
            Name
            <input autoFocus value={name} maxLength={60} onChange={(e) => (setName(e.target.value), setError(undefined))} data-testid="save-view-name" />
          </label>
          {error && (
            <p className="error" role="alert" data-testid="save-view-error">
              {error}
            </p>
          )}
          <button type="submit" disabled={busy} data-testid="save-view-save">
            {existing ? `Replace "${existing.name}"` : 'Save'}
          </button>
        </form>
      )}
    </div>
  );
}
