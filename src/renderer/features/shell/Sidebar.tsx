import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useApp } from '../../stores/app-store';
import { StatusDot } from '../../components/StatusDot';
import { isDisconnected, useClusterByHost, useHostCounts } from '../../stores/inventory-derived';
import { useInventory } from '../../stores/inventory-store';
import { treeRows, type TreeRow } from './tree-rows';

export { groupHosts } from './tree-rows';

/** Clusters → hosts → VMs with state dots and counts, collapsible and keyboard navigable (WAI-ARIA tree). */
export function Sidebar() {
  const hosts = useApp((s) => s.hosts);
  const view = useApp((s) => s.view);
  const navigate = useApp((s) => s.navigate);
  const clusterByHost = useClusterByHost();
  const counts = useHostCounts();
  const version = useInventory((s) => s.version);
  const model = useInventory((s) => s.model);
  const [collapsedGroups, setCollapsedGroups] = useState<Set<string>>(new Set());
  const [expandedHosts, setExpandedHosts] = useState<Set<string>>(new Set());
  const [focusKey, setFocusKey] = useState<string | undefined>();
  const refs = useRef(new Map<string, HTMLLIElement>());

  const rows = useMemo(
    () =>
      treeRows({
        hosts: Object.values(hosts),
        clusterOf: (h) => clusterByHost.get(h.id),
        counts,
        vmsOf: (id) => [...(model.byHost.get(id) ?? [])].map((k) => model.vms.get(k)!),
        collapsedGroups,
        expandedHosts,
      }),
    // version: VM states shown as dots change with every delta.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [hosts, clusterByHost, counts, model, version, collapsedGroups, expandedHosts],
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

  const moveFocus = (index: number) => {
    const row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    if (!row) return;
    setFocusKey(row.key);
    refs.current.get(row.key)?.focus();
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
    else return;
    e.preventDefault();
  };

  const selectedKey =
    view.name === 'host' ? `h:${view.id}` : view.name === 'cluster' ? `g:${view.label}` : view.name === 'vm' ? `v:${view.key}` : undefined;

  return (
    <nav className="sidebar" aria-label="Inventory">
      {disconnected > 0 && (
        <button className={`sidebar-alert ${view.name === 'disconnected' ? 'selected' : ''}`} onClick={() => navigate({ name: 'disconnected' })} data-testid="nav-disconnected">
          <span className="dot dot-unreachable" aria-hidden="true" /> Disconnected hosts <span className="count">{disconnected}</span>
        </button>
      )}
      {rows.length === 0 ? (
        <p className="muted sidebar-empty">
          No hosts yet. <button className="link" onClick={() => navigate({ name: 'settings' })}>Add a host</button>
        </p>
      ) : (
        <ul role="tree" className="tree" aria-label="Clusters, hosts and VMs">
          {rows.map((row, index) => (
            <li
              key={row.key}
              ref={(el) => {
                if (el) refs.current.set(row.key, el);
                else refs.current.delete(row.key);
              }}
              role="treeitem"
              aria-level={row.depth + 1}
              aria-expanded={row.expandable ? row.expanded : undefined}
              aria-selected={row.key === selectedKey}
              tabIndex={(focusKey && rows.some((r) => r.key === focusKey) ? focusKey : rows[0]!.key) === row.key ? 0 : -1}
              className={`tree-row depth-${row.depth} ${row.key === selectedKey ? 'selected' : ''} ${row.stale ? 'stale' : ''}`}
              data-testid={`tree-${row.key}`}
              onClick={() => {
                setFocusKey(row.key);
                navigate(row.view);
              }}
              onKeyDown={(e) => onKeyDown(e, row, index)}
            >
              <span
                className="twisty"
                onClick={(e) => {
                  if (!row.expandable) return;
                  e.stopPropagation();
                  toggle(row);
                }}
              >
                {row.expandable ? (row.expanded ? '▾' : '▸') : ''}
              </span>
              {row.status && <StatusDot status={row.status} />}
              {row.vmState && <span className={`dot vm-dot-${row.vmState === 'Running' ? 'ok' : row.vmState === 'Off' ? 'off' : 'busy'}`} role="img" aria-label={row.vmState} title={row.vmState} />}
              <span className="tree-label">{row.label}</span>
              {row.count !== undefined && <span className="count">{row.count}</span>}
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
