import { memo, useCallback, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { VirtualList } from '../../components/VirtualList';
import { useApp } from '../../stores/app-store';
import { StatusDot, VmStateDot } from '../../components/StatusDot';
import { isContextMenuKey, openContextMenu } from '../../components/ContextMenu';
import { groupMenuItems, hostMenuItems, vmMenuItems } from './context-menu-items';
import { useCountsPace } from '../../stores/counts-pace';
import { useHostCountsOnScreen } from '../../components/use-host-counts';
import { isDisconnected, useClusterByHost, useHostNames } from '../../stores/inventory-derived';
import type { HostView } from '../../../shared/contract';
import { useInventory } from '../../stores/inventory-store';
import { groupHosts, sameRow, treeRows, type TreeRow } from './tree-rows';
import { SidebarViews } from '../views/SidebarViews'; // views: saved views with live counts

export { groupHosts } from './tree-rows';

/**
 * Clusters → hosts → VMs with state dots and counts, collapsible and keyboard navigable (WAI-ARIA tree).
 *
 * Under a stream of VM deltas the tree is rebuilt only at the counts' pace (useCountsPace, a few
 * times a second), and then only rows whose text changed re-render. VM state dots stay live: each
 * VM row subscribes to its own VM.
 */
export function Sidebar() {
  const hosts = useApp((s) => s.hosts);
  const view = useApp((s) => s.view);
  const navigate = useApp((s) => s.navigate);
  const clusterByHost = useClusterByHost();
  const countsPace = useCountsPace('tree');
  useInventory((s) => s.hostsVersion); // sync state: the "Disconnected hosts" count
  const model = useInventory((s) => s.model);
  const [collapsedGroups, setCollapsedGroups] = useState<Set<string>>(new Set());
  const [expandedHosts, setExpandedHosts] = useState<Set<string>>(new Set());
  const [focusKey, setFocusKey] = useState<string | undefined>();
  const refs = useRef(new Map<string, HTMLLIElement>());

  // Grouped and sorted by name once per change of names or clusters, not per host status event
  // (2,000 hosts: hundreds of those a minute while hosts are down); each event only maps ids to records.
  const hostNames = useHostNames();
  const groupedIds = useMemo(
    () => groupHosts(Object.values(useApp.getState().hosts), (h) => clusterByHost.get(h.id)).map(([g, members]) => [g, members.map((h) => h.id)] as const),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [hostNames, clusterByHost],
  );
  const groups = useMemo(
    () => groupedIds.map(([g, ids]): [string, HostView[]] => [g, ids.flatMap((id) => (hosts[id] ? [hosts[id]] : []))]),
    [groupedIds, hosts],
  );
  const rows = useMemo(
    () =>
      treeRows({
        groups,
        hosts: Object.values(hosts),
        clusterOf: (h) => clusterByHost.get(h.id),
        counts: model.counts,
        vmsOf: (id) => [...(model.byHost.get(id) ?? [])].map((k) => model.vms.get(k)!),
        collapsedGroups,
        expandedHosts,
      }),
    // countsPace: counts, VM names and membership are read from the (mutable) model.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [groups, hosts, clusterByHost, model, countsPace, collapsedGroups, expandedHosts],
  );
  const disconnected = Object.values(hosts).filter((h) => isDisconnected(h, model.hosts.get(h.id))).length;

  const toggle = (row: TreeRow, open?: boolean) => {
    const setter = row.depth === 0 ? setCollapsedGroups : setExpandedHosts;
    setter((prev) => {
      const next = new Set(prev);
      const isOpen = row.depth === 0 ? !next.has(row.key) : next.has(row.key);
      const want = open ?? !isOpen;
      // Groups are tracked by "collapsed", hosts by "expanded".
      if ((row.depth === 0) === want) next.delete(row.key);
      else next.add(row.key);
      return next;
    });
  };

  // A windowed tree may not have rendered the row yet: it is focused once it is (see the effect below).
  const pendingFocus = useRef<string | undefined>(undefined);
  const moveFocus = (index: number) => {
    const row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    if (!row) return;
    setFocusKey(row.key);
    const el = refs.current.get(row.key);
    if (el) el.focus();
    else pendingFocus.current = row.key;
  };

  const onKeyDown = (e: KeyboardEvent, row: TreeRow, index: number) => {
    if (e.key === 'ArrowDown') moveFocus(index + 1);
    else if (e.key === 'ArrowUp') moveFocus(index - 1);
    else if (e.key === 'Home') moveFocus(0);
    else if (e.key === 'End') moveFocus(rows.length - 1);
    else if (e.key === 'ArrowRight' && row.expandable) {
      if (row.expanded) moveFocus(index + 1);
      else toggle(row, true);
    } else if (e.key === 'ArrowLeft') {
      if (row.expandable && row.expanded) toggle(row, false);
      else moveFocus(rows.findLastIndex((r, i) => i < index && r.depth < row.depth));
    } else if (e.key === 'Enter' || e.key === ' ') navigate(row.view);
    else if (isContextMenuKey(e)) contextMenu(e, row);
    else return;
    e.preventDefault();
  };

  const activate = (row: TreeRow) => {
    setFocusKey(row.key);
    navigate(row.view);
  };

  // Right-click (or the context-menu key): the actions allowed on that VM or host.
  const contextMenu = (e: MouseEvent | KeyboardEvent, row: TreeRow) => {
    setFocusKey(row.key);
    if (row.vmKey) {
      const vm = useInventory.getState().model.vms.get(row.vmKey);
      if (vm) openContextMenu(e, vm.name, vmMenuItems(vm));
    } else if (row.depth === 1 && row.view.name === 'host') {
      const host = hosts[row.view.id];
      if (host) openContextMenu(e, host.displayName, hostMenuItems(host));
    } else if (row.depth === 0) openContextMenu(e, row.label, groupMenuItems(row.label, row.view));
  };

  // Rows get handlers of one identity, so a memoised row skips re-rendering; they call the latest closures.
  const latest = useRef({ onKeyDown, toggle, activate, contextMenu });
  useLayoutEffect(() => {
    latest.current = { onKeyDown, toggle, activate, contextMenu };
  });
  const handlers = useMemo<TreeHandlers>(
    () => ({
      register: (key, el) => {
        if (el) refs.current.set(key, el);
        else refs.current.delete(key);
        // The row keyboard focus moved to, rendered now that the windowed tree scrolled to it.
        if (el && pendingFocus.current === key) {
          pendingFocus.current = undefined;
          el.focus();
        }
      },
      activate: (row) => latest.current.activate(row),
      keyDown: (e, row, index) => latest.current.onKeyDown(e, row, index),
      toggle: (row) => latest.current.toggle(row),
      contextMenu: (e, row) => latest.current.contextMenu(e, row),
    }),
    [],
  );

  const tabbableKey = focusKey && rows.some((r) => r.key === focusKey) ? focusKey : rows[0]?.key;
  const selectedKey =
    view.name === 'host' ? `h:${view.id}` : view.name === 'cluster' ? `g:${view.label}` : view.name === 'vm' ? `v:${view.key}` : undefined;

  const focusIndex = focusKey === undefined ? -1 : rows.findIndex((r) => r.key === focusKey);
  const renderRow = (index: number) => {
    const row = rows[index]!;
    const item = { row, index, selected: row.key === selectedKey, tabbable: row.key === tabbableKey, handlers };
    return row.vmKey ? <VmTreeItem key={row.key} vmKey={row.vmKey} {...item} /> : <TreeItem key={row.key} {...item} />;
  };

  return (
    <nav className="sidebar" aria-label="Inventory">
      {/* The scroller, not the nav (a flex item), is where layout of a changed count stops: see styles.css. */}
      <div className="sidebar-scroll">
        {disconnected > 0 && (
          <button className={`sidebar-alert ${view.name === 'disconnected' ? 'selected' : ''}`} onClick={() => navigate({ name: 'disconnected' })} data-testid="nav-disconnected">
            <span className="dot dot-unreachable" aria-hidden="true" /> Disconnected hosts <span className="count">{disconnected}</span>
          </button>
        )}
        <button className={`sidebar-link ${view.name === 'hygiene' ? 'selected' : ''}`} onClick={() => navigate({ name: 'hygiene' })} data-testid="nav-hygiene">
          Hygiene checks
        </button>
        {/* In the sidebar, not the header: the header has no room left at 1024 px. */}
        <button className={`sidebar-link ${view.name === 'sync-health' ? 'selected' : ''}`} onClick={() => navigate({ name: 'sync-health' })} data-testid="nav-sync-health">
          Sync health
        </button>
        <SidebarViews />
        {rows.length === 0 ? (
          <p className="muted sidebar-empty">
            No hosts yet. <button className="link" onClick={() => navigate({ name: 'settings' })}>Add a host</button>
          </p>
        ) : (
          rows.length > WINDOWED_TREE_FROM ? (
            <VirtualList
              count={rows.length}
              rowHeight={TREE_ROW_HEIGHT}
              height={TREE_VIEWPORT_HEIGHT}
              renderRow={renderRow}
              revealIndex={focusIndex >= 0 ? focusIndex : undefined}
              className="tree tree-windowed"
              role="tree"
              label="Clusters, hosts and VMs"
              testId="tree-rows"
              scrollKey="sidebar:tree"
            />
          ) : (
            <ul role="tree" className="tree" aria-label="Clusters, hosts and VMs">
              {rows.map((_, index) => renderRow(index))}
            </ul>
          )
        )}
      </div>
    </nav>
  );
}

/**
 * Above this many rows the tree is windowed: only the rows in view exist in the DOM (2,000 hosts:
 * every counts tick and every host event otherwise re-rendered, laid out and painted 2,000 rows).
 * Smaller trees keep the plain list, which grows with the sidebar's own scroller.
 */
export const WINDOWED_TREE_FROM = 300;
const TREE_ROW_HEIGHT = 26;
const TREE_VIEWPORT_HEIGHT = TREE_ROW_HEIGHT * 24;

interface TreeHandlers {
  register(key: string, el: HTMLLIElement | null): void;
  activate(row: TreeRow): void;
  keyDown(e: KeyboardEvent, row: TreeRow, index: number): void;
  toggle(row: TreeRow): void;
  contextMenu(e: MouseEvent, row: TreeRow): void;
}

interface TreeItemProps {
  row: TreeRow;
  index: number;
  selected: boolean;
  tabbable: boolean;
  handlers: TreeHandlers;
}

/** A VM row: its state dot and stale dimming follow its VM live, whatever the tree's pace. */
const VmTreeItem = memo(function VmTreeItem({ vmKey, ...item }: TreeItemProps & { vmKey: string }) {
  const vmState = useInventory((s) => s.model.vms.get(vmKey)?.state ?? item.row.vmState);
  const stale = useInventory((s) => s.model.vms.get(vmKey)?.stale ?? item.row.stale);
  return <TreeItem {...item} vmState={vmState} stale={stale} />;
}, sameItem);

interface LiveFields {
  vmKey?: string;
  vmState?: TreeRow['vmState'];
  stale?: boolean;
}

const TreeItem = memo(function TreeItem({ row, index, selected, tabbable, handlers, vmState = row.vmState, stale = row.stale }: TreeItemProps & LiveFields) {
  const { key } = row;
  const ref = useCallback((el: HTMLLIElement | null) => handlers.register(key, el), [handlers, key]);
  return (
    <li
      ref={ref}
      role="treeitem"
      aria-level={row.depth + 1}
      aria-expanded={row.expandable ? row.expanded : undefined}
      aria-selected={selected}
      tabIndex={tabbable ? 0 : -1}
      className={`tree-row depth-${row.depth} ${selected ? 'selected' : ''} ${stale ? 'stale' : ''}`}
      data-testid={`tree-${key}`}
      onClick={() => handlers.activate(row)}
      onKeyDown={(e) => handlers.keyDown(e, row, index)}
      onContextMenu={(e) => handlers.contextMenu(e, row)}
      // Double-click opens or closes a group or host, as in a file manager (the click already opened its page).
      onDoubleClick={() => row.expandable && handlers.toggle(row)}
    >
      <span
        className="twisty"
        onClick={(e) => {
          if (!row.expandable) return;
          e.stopPropagation();
          handlers.toggle(row);
        }}
      >
        {row.expandable ? (row.expanded ? '▾' : '▸') : ''}
      </span>
      {row.status && <StatusDot status={row.status} />}
      {vmState && <VmStateDot state={vmState} />}
      <span className="tree-label" title={row.label}>
        {row.label}
      </span>
      {row.depth === 1 && row.view.name === 'host' ? (
        <TreeHostCount hostId={row.view.id} />
      ) : (
        row.count !== undefined && <span className="count">{row.count}</span>
      )}
    </li>
  );
}, sameItem);

/** A host row's "running/total": follows the counts while on screen only (useHostCountsOnScreen). */
function TreeHostCount({ hostId }: { hostId: string }) {
  const { box, counts: c } = useHostCountsOnScreen<HTMLSpanElement>(hostId, 'tree');
  return (
    <span ref={box} className="count">
      {c ? `${c.running}/${c.total}` : ''}
    </span>
  );
}

/**
 * Rows are rebuilt as new objects whenever the tree is; a row whose shown fields are equal need not
 * re-render. A host row's count is not compared: its TreeHostCount follows the counts itself.
 */
function sameItem(a: TreeItemProps & LiveFields, b: TreeItemProps & LiveFields): boolean {
  const hostRow = a.row.depth === 1 && b.row.depth === 1 && a.row.view.name === 'host';
  return (
    a.index === b.index &&
    a.selected === b.selected &&
    a.tabbable === b.tabbable &&
    a.handlers === b.handlers &&
    a.vmKey === b.vmKey &&
    a.vmState === b.vmState &&
    a.stale === b.stale &&
    (hostRow ? sameRow({ ...a.row, count: undefined }, { ...b.row, count: undefined }) : sameRow(a.row, b.row))
  );
}
