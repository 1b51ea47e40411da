import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent, type MouseEvent, type PointerEvent } from 'react';
import { useApp } from '../../stores/app-store';
import { useClusterByHost, useHostNames } from '../../stores/inventory-derived';
import { useInventory } from '../../stores/inventory-store';
import { useVmSelection } from '../../stores/selection-store';
import { compareNatural } from '../natural-compare';
import { useThrottled } from '../useThrottled';
import { VirtualList } from '../VirtualList';
import { ColumnChooser } from './ColumnChooser';
import { COLUMN_BY_ID, gridTemplate, minRowWidth, type VmColumn } from './columns';
import { useColumnPrefs } from './column-prefs';
import { isContextMenuKey, openContextMenu } from '../ContextMenu';
import { vmMenuItems } from '../../features/shell/context-menu-items';
import { BulkActionBar } from '../../features/jobs/BulkActionBar'; // jobs: actions on the selection
import { filterAndSort, LIVE_COLUMNS, nextSort, type SortSpec, type TableContext, type VmFilter } from './table-model';
import { counted } from '../../../shared/counted';
import { reachOf, useReachability } from '../../features/connect/reach-store'; // connect: RDP/SSH columns and filter
import { REACH_FILTERS, type ReachFilter } from '../../features/connect/reach-words';
import { QUERY_EXAMPLE, readQueryInput } from '../../features/search/query-input'; // query: the filter box speaks the query language
import { QueryErrorLine } from '../../features/search/QueryErrorLine';
import { ExportMenu } from '../../features/views/ExportMenu'; // views: export what is shown
import { SaveViewButton } from '../../features/views/SaveViewButton'; // views: saved views
import { useViewRequest } from '../../features/views/views-store';
import { isCellColumn } from '../../../shared/vm-cells';
import { cellContext } from './columns';
import { groupRows } from '../../features/views/grouping';
import { viewQueryText } from '../../features/views/view-query';
import type { QueryError } from '../../../shared/query';

export type VmScope = { kind: 'all' } | { kind: 'host'; hostId: string } | { kind: 'cluster'; cluster: string };

const ROW_HEIGHT = 30;
const STATES = ['Running', 'Off', 'Saved', 'Paused', 'Starting', 'Stopping', 'Creating', 'Unknown'] as const;

function scopeId(scope: VmScope): string {
  return scope.kind === 'all' ? 'all' : scope.kind === 'host' ? `host:${scope.hostId}` : `cluster:${scope.cluster}`;
}

/**
 * The VM table used by the overview, cluster and host views: virtualized, sortable, filterable
 * by state, host and cluster, with file-manager multi-select (click, Ctrl/Shift-click, Ctrl+A).
 *
 * Under a stream of hot-state deltas the table itself does not re-render: each visible row
 * subscribes to its own VM and re-renders when that VM changes. The table re-renders when VMs
 * come or go, when the sort or filter changes, and — throttled — when it sorts or filters by a
 * live value. Memoised on its scope, so a parent re-rendering does not re-render it either.
 */
export const VmTable = memo(VmTableView, (a, b) => scopeId(a.scope) === scopeId(b.scope) && a.height === b.height);

function VmTableView({ scope, height = 420 }: { scope: VmScope; height?: number }) {
  const membership = useInventory((s) => s.membershipVersion);
  const model = useInventory((s) => s.model);
  const navigate = useApp((s) => s.navigate);
  const clusterByHost = useClusterByHost();
  const id = scopeId(scope);
  const selection = useVmSelection((s) => (s.scope === id ? s.selection : undefined));
  const dispatch = useVmSelection((s) => s.dispatch);
  const [sort, setSort] = useState<SortSpec>({ column: 'name', dir: 'asc' });
  const [filter, setFilter] = useState<VmFilter>({});
  // views: the query box's text (for "Save view…"), and a saved view opened from the sidebar (overview table only).
  const queryText = useRef('');
  const viewRequest = useViewRequest((s) => (scope.kind === 'all' ? s.request : undefined));
  useEffect(() => {
    if (!viewRequest) return;
    const { sort: viewSort } = viewRequest.view;
    if (isCellColumn(viewSort.column)) setSort({ column: viewSort.column, dir: viewSort.dir });
    setFilter((f) => ({ query: f.query })); // the drop-downs go back to "All": the view's query (set by the box as it mounts) says what it selects
  }, [viewRequest]);
  const [cursor, setCursor] = useState<number | undefined>();
  const visibleIds = useColumnPrefs((s) => s.visible);
  const widths = useColumnPrefs((s) => s.widths);
  const columns = useMemo(() => visibleIds.map((c) => COLUMN_BY_ID.get(c)!), [visibleIds]);
  const template = gridTemplate(columns, widths);
  const rowWidth = minRowWidth(columns, widths);

  const hostNames = useHostNames();
  // Built from maps that keep their identity until a name or cluster really changes, so a host's
  // status update does not re-sort 10,000 rows.
  const ctx: TableContext = useMemo(
    () => ({ vms: model.vms, hostName: (h) => hostNames.get(h) ?? h, clusterOf: (h) => clusterByHost.get(h), host: (h) => model.hosts.get(h), reach: reachOf }),
    [model, hostNames, clusterByHost],
  );
  // Live columns and the state filter follow every delta, throttled; other orders change only
  // when VMs are added, removed or move. Only then does the table subscribe to every delta.
  // A query may test hot values (state, CPU, memory, uptime, heartbeat), so it follows deltas too.
  const live = LIVE_COLUMNS.has(sort.column) || filter.state !== undefined || filter.reach !== undefined || filter.query !== undefined;
  const version = useInventory((s) => (live ? s.version : 0));
  const reachVersion = useReachability((s) => (filter.reach || sort.column === 'rdp' || sort.column === 'ssh' ? s.version : 0));
  const liveVersion = useThrottled(version + reachVersion, 500);
  const previousOrder = useRef<readonly string[]>([]);
  const sortedOrder = useMemo(() => {
    const keys =
      scope.kind === 'all'
        ? model.vms.keys()
        : scope.kind === 'host'
          ? (model.byHost.get(scope.hostId) ?? [])
          : [...model.byHost.entries()].filter(([h]) => clusterByHost.get(h) === scope.cluster).flatMap(([, k]) => [...k]);
    return filterAndSort(keys, filter, sort, ctx, previousOrder.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [model, membership, liveVersion, scope.kind, scope.kind === 'host' ? scope.hostId : scope.kind === 'cluster' ? scope.cluster : '', filter, sort, ctx, clusterByHost]);
  useEffect(() => {
    previousOrder.current = sortedOrder;
  }, [sortedOrder]);
  // views: grouped under host, cluster or state headers (Columns › Group rows by, or a saved view); `order` is the rows as shown.
  const groupBy = useColumnPrefs((s) => s.groupBy);
  const grouped = useMemo(() => groupRows(sortedOrder, groupBy, (k) => model.vms.get(k), ctx), [sortedOrder, groupBy, model, ctx]);
  const order = grouped.order;

  // A VM deleted on its host leaves the selection too, so bulk actions never target it.
  useEffect(() => {
    if (selection && [...selection.keys].some((k) => !model.vms.has(k))) dispatch(id, { type: 'retain', present: (k) => model.vms.has(k) });
  }, [membership, selection, model, dispatch, id]);

  const total = scope.kind === 'host' ? (model.byHost.get(scope.hostId)?.size ?? 0) : scope.kind === 'all' ? model.vms.size : undefined;
  const selected = selection?.keys ?? NO_KEYS;
  const click = useCallback(
    (key: string, e: MouseEvent | KeyboardEvent) => dispatch(id, { type: 'click', key, ctrl: e.ctrlKey || e.metaKey, shift: e.shiftKey, order }),
    [dispatch, id, order],
  );
  // Row handlers keep one identity for the table's lifetime so memoised rows skip re-rendering;
  // they call the latest `click` (which closes over the current order).
  const latestClick = useRef(click);
  useLayoutEffect(() => {
    latestClick.current = click;
  }, [click]);
  const onRowClick = useCallback((index: number, key: string, e: MouseEvent) => {
    setCursor(index);
    latestClick.current(key, e);
  }, []);
  const onRowOpen = useCallback((key: string) => navigate({ name: 'vm', key }), [navigate]);
  // Right-click: the VM's allowed actions, or the selection's when it is part of one.
  const onRowMenu = useCallback((key: string, e: MouseEvent | KeyboardEvent) => {
    const vm = useInventory.getState().model.vms.get(key);
    if (vm) openContextMenu(e, vm.name, vmMenuItems(vm, useVmSelection.getState().scope === id ? useVmSelection.getState().selection.keys : undefined));
  }, [id]);

  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'a') dispatch(id, { type: 'all', order });
    else if (e.key === 'Escape') dispatch(id, { type: 'clear' });
    else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const next = Math.max(0, Math.min(order.length - 1, (cursor ?? -1) + (e.key === 'ArrowDown' ? 1 : -1)));
      setCursor(next);
      if (order[next]) click(order[next], e);
    } else if (e.key === 'Enter' && cursor !== undefined && order[cursor]) navigate({ name: 'vm', key: order[cursor] });
    else if (isContextMenuKey(e) && cursor !== undefined && order[cursor]) onRowMenu(order[cursor], e);
    else return;
    e.preventDefault();
  };

  const hostOptions = useMemo(() => {
    if (scope.kind === 'host') return [];
    return [...hostNames]
      .filter(([hostId]) => scope.kind === 'all' || clusterByHost.get(hostId) === scope.cluster)
      .map(([hostId, displayName]) => ({ id: hostId, displayName }))
      .sort((a, b) => compareNatural(a.displayName, b.displayName));
  }, [hostNames, scope, clusterByHost]);
  const clusterOptions = useMemo(() => [...new Set([...clusterByHost.values()].filter((c): c is string => !!c))].sort(), [clusterByHost]);

  const renderLine = (line: number) => {
    const item = grouped.lines?.[line];
    if (item?.kind === 'head') {
      return (
        <div key={`group:${item.label}`} className="vm-group-head" role="presentation" style={{ height: ROW_HEIGHT }} data-testid="vm-group-head">
          {item.label} <span className="count">{item.count}</span>
        </div>
      );
    }
    const index = item ? item.index : line;
    const key = order[index]!;
    return (
      <VmRow key={key} vmKey={key} index={index} ctx={ctx} columns={columns} selected={selected.has(key)} cursor={cursor === index} onClick={onRowClick} onOpen={onRowOpen} onMenu={onRowMenu} />
    );
  };

  return (
    <div className="vm-table" data-testid="vm-table">
      <div className="vm-filters" role="group" aria-label="Filter VMs">
        <QueryBox key={viewRequest?.nonce ?? 0} initial={viewRequest?.view.query} onText={(t) => (queryText.current = t)} onChange={setFilter} />
        <select aria-label="State" value={filter.reach ? `reach:${filter.reach}` : (filter.state ?? '')} onChange={(e) => setFilter((f) => ({ ...f, ...stateOrReach(e.target.value) }))}>
          <option value="">All states</option>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
          <option value="stale">Stale</option>
          {/* connect: reachability in the same list (only Running VMs are probed), so the filter row does not grow */}
          {REACH_FILTERS.map((r) => (
            <option key={r.value} value={`reach:${r.value}`}>
              {r.label}
            </option>
          ))}
        </select>
        {scope.kind !== 'host' && (
          <select aria-label="Host" value={filter.hostId ?? ''} onChange={(e) => setFilter((f) => ({ ...f, hostId: e.target.value || undefined }))}>
            <option value="">All hosts</option>
            {hostOptions.map((h) => (
              <option key={h.id} value={h.id}>
                {h.displayName}
              </option>
            ))}
          </select>
        )}
        {scope.kind === 'all' && clusterOptions.length > 0 && (
          <select aria-label="Cluster" value={filter.cluster ?? ''} onChange={(e) => setFilter((f) => ({ ...f, cluster: e.target.value || undefined }))}>
            <option value="">All clusters</option>
            {clusterOptions.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        )}
        <span className="muted" data-testid="vm-table-summary">
          {total !== undefined && total !== order.length ? `${order.length} of ${counted(total, 'VM')}` : counted(order.length, 'VM')}
          {selected.size ? ` · ${selected.size} selected` : ''}
        </span>
        <ColumnChooser />
        <ExportMenu shown={() => ({ rows: order.map((k) => model.vms.get(k)!).filter(Boolean), columns: visibleIds, ctx: cellContext(ctx, Date.now(), useApp.getState().settings?.reachability?.enabled ?? true) })} />
        <SaveViewButton
          current={() => ({
            // The page's host or cluster and the drop-downs become terms: the view opens on the overview.
            query: viewQueryText(queryText.current, {
              hostName: scope.kind === 'host' ? ctx.hostName(scope.hostId) : filter.hostId ? ctx.hostName(filter.hostId) : undefined,
              cluster: scope.kind === 'cluster' ? scope.cluster : filter.cluster,
              state: filter.state,
            }),
            columns: [...visibleIds],
            sort: { column: sort.column, dir: sort.dir },
            groupBy,
          })}
        />
      </div>
      {/* Wider than its box (many columns, a narrow window), the table scrolls sideways inside its own frame; the page does not. */}
      <div className="vm-grid-frame" data-testid="vm-grid-frame">
        <div
          className="vm-grid"
          role="grid"
          aria-multiselectable="true"
          aria-rowcount={order.length + 1}
          tabIndex={0}
          onKeyDown={onKeyDown}
          onMouseDown={focusWithoutScrolling}
          style={{ '--vm-columns': template, minWidth: rowWidth } as CSSProperties}
        >
          <div className="vm-row vm-head" role="row">
            {columns.map((c) => (
              <HeaderCell key={c.id} column={c} width={widths[c.id] ?? c.width} sort={sort} onSort={() => setSort((s) => nextSort(s, c.id))} />
            ))}
          </div>
          {order.length === 0 ? (
            <p className="muted vm-empty">{total === 0 || model.vms.size === 0 ? 'No VMs.' : 'No VMs match these filters.'}</p>
          ) : (
            <VirtualList
              count={grouped.lines?.length ?? order.length}
              rowHeight={ROW_HEIGHT}
              height={Math.min(height, (grouped.lines?.length ?? order.length) * ROW_HEIGHT + 2)}
              renderRow={renderLine}
              revealIndex={cursor === undefined ? undefined : grouped.lineOf(cursor)}
              testId="vm-rows"
              scrollKey={`vm-table:${id}`}
            />
          )}
        </div>
      </div>
      {/*
        Below the rows, not above them: a selection that brings the bar in must not move the rows
        (the second click of a double-click would land on another one). Sticky, so it stays in view
        under a table taller than the window.
      */}
      <div className="bulk-slot">
        <BulkActionBar scope={id} /> {/* jobs */}
      </div>
    </div>
  );
}

/**
 * A click on a row focuses the grid (for the keyboard) without scrolling it into view: the browser
 * would otherwise scroll a partly visible table so its top shows, moving the row away between the
 * two clicks of a double-click.
 */
function focusWithoutScrolling(e: MouseEvent<HTMLDivElement>) {
  if (e.button !== 0 || (e.target as Element).closest('button, input, select, [tabindex="0"]:not([role=grid])')) return;
  e.preventDefault();
  e.currentTarget.focus({ preventScroll: true });
}

/** A column's header: sorts on click; its right edge drags (or ←/→ when focused) to resize, remembered. */
function HeaderCell({ column, width, sort, onSort }: { column: VmColumn; width: number; sort: SortSpec; onSort(): void }) {
  const preview = useColumnPrefs((s) => s.preview);
  const commitWidth = useColumnPrefs((s) => s.commitWidth);
  const startDrag = (e: PointerEvent<HTMLSpanElement>) => {
    e.preventDefault();
    e.stopPropagation();
    const handle = e.currentTarget;
    handle.setPointerCapture(e.pointerId);
    const startX = e.clientX;
    let latest = width;
    const move = (m: globalThis.PointerEvent) => {
      latest = width + m.clientX - startX;
      preview(column.id, latest);
    };
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      handle.removeEventListener('pointercancel', up);
      commitWidth(column.id, latest);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
    handle.addEventListener('pointercancel', up);
  };
  return (
    <div role="columnheader" className={column.numeric ? 'numeric' : undefined} aria-sort={sort.column === column.id ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'} data-column={column.id}>
      <button className="sort" onClick={onSort} title={`Sort by ${column.label.toLowerCase()}`}>
        {column.short ?? column.label}
        {sort.column === column.id ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
      <span
        className="col-resize"
        role="separator"
        aria-orientation="vertical"
        aria-label={`Resize ${column.label}`}
        aria-valuenow={width}
        aria-valuemin={column.min}
        tabIndex={0}
        onPointerDown={startDrag}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
          e.preventDefault();
          e.stopPropagation();
          commitWidth(column.id, width + (e.key === 'ArrowRight' ? 10 : -10));
        }}
        data-testid={`resize-${column.id}`}
      />
    </div>
  );
}

/**
 * The query box (src/shared/query): plain words filter by name, IP, GUID or notes; fields and
 * comparisons narrow further. A wrong query is shown under the box with the bad part marked, and
 * the table keeps the last good result meanwhile. Escape clears. Its own component: React
 * re-applies an input's attributes whenever the input re-renders, which would dirty style and
 * layout on every table render.
 */
const QueryBox = memo(function QueryBox({ onChange, initial, onText }: { onChange(update: (f: VmFilter) => VmFilter): void; initial?: string; onText?(text: string): void }) {
  const [text, setText] = useState(initial ?? '');
  const [error, setError] = useState<QueryError | null>(null);
  const apply = (next: string) => {
    setText(next);
    onText?.(next); // views: Save view… stores the text as typed
    const input = readQueryInput(next);
    if (input.kind === 'error') {
      setError(input.error);
      return; // the rows stay as the last good query left them
    }
    setError(null);
    const query = input.kind === 'ok' ? input.predicate : undefined;
    onChange((f) => ({ ...f, text: undefined, query }));
  };
  // views: a saved view opened from the sidebar mounts the box with its query (keyed by the request).
  useEffect(() => {
    if (initial !== undefined) apply(initial);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <div className="query-box">
      <input
        type="search"
        value={text}
        placeholder={`Filter: name, IP or ${QUERY_EXAMPLE}`}
        aria-label="Filter by name or IP, or a query"
        aria-invalid={error !== null}
        title={'Words match name, IP, GUID or notes. Fields: name: state: host: cluster: os: ip: tag: heartbeat: notes:, ' +
          'numbers mem cpu vcpu uptime age checkpoints with > >= < <= = (mem>8GB, uptime>30d). OR between terms, - negates, "quotes" for spaces. Escape clears.'}
        spellCheck={false}
        data-testid="vm-query"
        onChange={(e) => apply(e.target.value)}
        onKeyDown={(e) => {
          if (e.key !== 'Escape' || text === '') return;
          e.preventDefault();
          e.stopPropagation();
          apply('');
        }}
      />
      {error && <QueryErrorLine text={text} error={error} testId="vm-query-error" />}
    </div>
  );
});

const NO_KEYS: ReadonlySet<string> = new Set();

/** The State list's value: a state (or "stale"), or `reach:<filter>` for RDP/SSH reachability. */
function stateOrReach(value: string): Pick<VmFilter, 'state' | 'reach'> {
  if (value.startsWith('reach:')) return { state: undefined, reach: value.slice(6) as ReachFilter };
  return { state: (value || undefined) as VmFilter['state'], reach: undefined };
}

interface VmRowProps {
  vmKey: string;
  index: number;
  ctx: TableContext;
  columns: readonly VmColumn[];
  selected: boolean;
  cursor: boolean;
  onClick(index: number, key: string, e: MouseEvent): void;
  onOpen(key: string): void;
  onMenu(key: string, e: MouseEvent): void;
}

/** One row, subscribed to its own VM: a delta for another VM does not re-render it. */
const VmRow = memo(function VmRow({ vmKey, index, ctx, columns, selected, cursor, onClick, onOpen, onMenu }: VmRowProps) {
  const vm = useInventory((s) => s.model.vms.get(vmKey));
  if (!vm) return null;
  return (
    <div
      role="row"
      aria-selected={selected}
      data-key={vm.key}
      className={`vm-row ${vm.stale ? 'stale' : ''} ${selected ? 'selected' : ''} ${cursor ? 'cursor' : ''} ${vm.placeholder ? 'placeholder' : ''}`}
      style={{ height: ROW_HEIGHT }}
      onClick={(e) => onClick(index, vmKey, e)}
      onDoubleClick={() => onOpen(vmKey)}
      onContextMenu={(e) => onMenu(vmKey, e)}
    >
      {columns.map((c) => (
        <div key={c.id} role="gridcell" className={c.id === 'name' ? 'vm-name' : c.numeric ? 'numeric' : undefined} data-column={c.id}>
          {c.id === 'name' ? (
            <button
              className="link"
              onClick={(e) => {
                e.stopPropagation();
                onOpen(vmKey);
              }}
            >
              {vm.name}
            </button>
          ) : (
            c.render(vm, ctx)
          )}
        </div>
      ))}
    </div>
  );
});
