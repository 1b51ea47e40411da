import { useMemo, useRef, useState } from 'react';
import type { SavedView } from '../../../shared/contract';
import { compileQuery, parseQuery, type VmPredicate } from '../../../shared/query';
import { useApp } from '../../stores/app-store';
import { useClusterByHost, useHostNames } from '../../stores/inventory-derived';
import { useInventory } from '../../stores/inventory-store';
import { useThrottled } from '../../components/useThrottled';
import { saveExport } from '../jobs/download';
import { deleteView, importViews, moveView, renameView, viewNameProblem, viewsFile } from './view-model';
import { openView, saveViews, useSavedViews, useViewRequest } from './views-store';

/** How often the counts follow the live inventory at most: a query over 50,000 VMs costs tens of ms per view. */
const COUNT_EVERY_MS = 2_000;

/** Each view's count of matching VMs now (undefined: its query no longer parses). */
function useViewCounts(views: readonly SavedView[]): Map<string, number | undefined> {
  // Without views, no subscription to the inventory's deltas at all.
  const version = useThrottled(useInventory((s) => (views.length ? s.version : 0)), COUNT_EVERY_MS);
  const model = useInventory((s) => s.model);
  const hostNames = useHostNames();
  const clusterByHost = useClusterByHost();
  const predicates = useMemo(() => {
    const map = new Map<string, VmPredicate | undefined>();
    for (const v of views) {
      const parsed = parseQuery(v.query);
      map.set(v.name, parsed.ok ? compileQuery(parsed.query) : undefined);
    }
    return map;
  }, [views]);
  return useMemo(() => {
    const ctx = { hostName: (h: string) => hostNames.get(h) ?? h, clusterOf: (h: string) => clusterByHost.get(h) ?? null, tags: () => [], now: Date.now() };
    const counts = new Map<string, number | undefined>();
    for (const [name, matches] of predicates) {
      if (!matches) {
        counts.set(name, undefined);
        continue;
      }
      let n = 0;
      for (const vm of model.vms.values()) if (matches(vm, ctx)) n++;
      counts.set(name, n);
    }
    return counts;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [predicates, model, version, hostNames, clusterByHost]);
}

/**
 * The sidebar's saved views: click opens the overview table with the view; each shows its live
 * count. Manage: move up/down, rename, delete, and export or import the list as a JSON file.
 */
export function SidebarViews() {
  const views = useSavedViews();
  const active = useViewRequest((s) => s.active);
  const view = useApp((s) => s.view);
  const toast = useApp((s) => s.toast);
  const counts = useViewCounts(views);
  const [managing, setManaging] = useState(false);
  const [renaming, setRenaming] = useState<{ from: string; to: string; error?: string } | undefined>();
  const [confirmDelete, setConfirmDelete] = useState<string | undefined>();
  const fileInput = useRef<HTMLInputElement>(null);

  const store = async (next: SavedView[], done?: string) => {
    const failed = await saveViews(next);
    if (failed) toast('error', `Views not saved: ${failed}`);
    else if (done) toast('info', done);
    return !failed;
  };
  const rename = async () => {
    if (!renaming) return;
    const problem = viewNameProblem(renaming.to, views, renaming.from);
    if (problem) return setRenaming({ ...renaming, error: problem });
    if (await store(renameView(views, renaming.from, renaming.to))) {
      if (active === renaming.from) useViewRequest.getState().setActive(renaming.to.trim());
      setRenaming(undefined);
    }
  };
  const importFile = async (file: File) => {
    const result = importViews(views, await file.text());
    if (!result.ok) return toast('error', `Import refused: ${result.problem}`);
    const renamed = result.renamed.length ? ` Renamed to keep names unique: ${result.renamed.map((r) => `"${r.from}" → "${r.to}"`).join(', ')}.` : '';
    await store(result.views, `Imported ${result.added} view${result.added === 1 ? '' : 's'}.${renamed}`);
  };

  return (
    <section className="sidebar-views" aria-label="Saved views" data-testid="sidebar-views">
      <div className="sidebar-views-head">
        <span>Views</span>
        <button className="link" onClick={() => setManaging((m) => !m)} aria-pressed={managing} data-testid="views-manage">
          {managing ? 'Done' : 'Manage'}
        </button>
      </div>
      {views.length === 0 && <p className="muted sidebar-views-empty">Save a table's query with "Save view…".</p>}
      <ul className="sidebar-views-list">
        {views.map((v, i) => {
          const count = counts.get(v.name);
          const selected = view.name === 'overview' && active === v.name;
          return (
            <li key={v.name} data-testid="saved-view" data-name={v.name}>
              {renaming?.from === v.name ? (
                <form
                  className="view-rename"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void rename();
                  }}
                >
                  <input autoFocus aria-label={`New name for ${v.name}`} value={renaming.to} maxLength={60} onChange={(e) => setRenaming({ from: v.name, to: e.target.value })} onKeyDown={(e) => e.key === 'Escape' && setRenaming(undefined)} data-testid="view-rename-input" />
                  <button type="submit">Rename</button>
                  {renaming.error && <span className="error">{renaming.error}</span>}
                </form>
              ) : (
                <button className={`view-open ${selected ? 'selected' : ''}`} onClick={() => openView(v)} title={v.query || 'every VM'} data-testid="view-open">
                  <span className="view-name">{v.name}</span>
                  <span className="count" data-testid="view-count" title={count === undefined ? 'The query is not valid' : undefined}>
                    {count ?? '!'}
                  </span>
                </button>
              )}
              {managing && renaming?.from !== v.name && (
                <span className="view-tools">
                  <button aria-label={`Move ${v.name} up`} disabled={i === 0} onClick={() => void store(moveView(views, v.name, -1))} data-testid="view-up">
                    ↑
                  </button>
                  <button aria-label={`Move ${v.name} down`} disabled={i === views.length - 1} onClick={() => void store(moveView(views, v.name, 1))} data-testid="view-down">
                    ↓
                  </button>
                  <button onClick={() => setRenaming({ from: v.name, to: v.name })} data-testid="view-rename">
                    Rename
                  </button>
                  {confirmDelete === v.name ? (
                    <button className="danger" onClick={() => void store(deleteView(views, v.name), `View "${v.name}" deleted.`).then(() => setConfirmDelete(undefined))} data-testid="view-delete-confirm">
                      Delete "{v.name}"
                    </button>
                  ) : (
                    <button onClick={() => setConfirmDelete(v.name)} data-testid="view-delete">
                      Delete…
                    </button>
                  )}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {managing && (
        <div className="view-file-tools">
          <button disabled={views.length === 0} onClick={() => saveExport({ content: viewsFile(views), contentType: 'application/json', encoding: 'utf8', filename: 'aether-v-views.json' })} data-testid="views-export">
            Export views
          </button>
          <button onClick={() => fileInput.current?.click()} data-testid="views-import">
            Import views…
          </button>
          <input
            ref={fileInput}
            type="file"
            accept=".json,application/json"
            hidden
            data-testid="views-import-file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void importFile(file);
            }}
          />
        </div>
      )}
    </section>
  );
}
