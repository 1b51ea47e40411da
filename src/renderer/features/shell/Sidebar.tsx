import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { HostView } from '../../../shared/contract';
import { useApp, type View } from '../../stores/app-store';
import { StatusDot } from '../../components/StatusDot';

interface TreeRow {
  key: string;
  depth: number;
  label: string;
  count?: number;
  status?: HostView['status'];
  expandable: boolean;
  view: View;
}

const STANDALONE = 'Standalone hosts';

/** Groups hosts under their cluster label; hosts without one under "Standalone hosts". */
export function groupHosts(hosts: HostView[]): [string, HostView[]][] {
  const groups = new Map<string, HostView[]>();
  for (const host of [...hosts].sort((a, b) => a.displayName.localeCompare(b.displayName))) {
    const key = host.cluster ?? STANDALONE;
    groups.set(key, [...(groups.get(key) ?? []), host]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a === STANDALONE ? 1 : b === STANDALONE ? -1 : a.localeCompare(b)));
}

/** Clusters → hosts (→ VMs once the inventory lands), collapsible and keyboard navigable. */
export function Sidebar() {
  const hosts = useApp((s) => s.hosts);
  const view = useApp((s) => s.view);
  const navigate = useApp((s) => s.navigate);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [focusKey, setFocusKey] = useState<string | undefined>();
  const refs = useRef(new Map<string, HTMLLIElement>());

  const rows = useMemo(() => {
    const out: TreeRow[] = [];
    for (const [group, members] of groupHosts(Object.values(hosts))) {
      const key = `g:${group}`;
      out.push({
        key,
        depth: 0,
        label: group,
        count: members.length,
        expandable: true,
        view: group === STANDALONE ? { name: 'overview' } : { name: 'cluster', label: group },
      });
      if (collapsed.has(key)) continue;
      for (const h of members) out.push({ key: `h:${h.id}`, depth: 1, label: h.displayName, status: h.status, expandable: false, view: { name: 'host', id: h.id } });
    }
    return out;
  }, [hosts, collapsed]);

  const toggle = (key: string, open?: boolean) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      const isOpen = !next.has(key);
      if (open === undefined ? isOpen : !open) next.add(key);
      else next.delete(key);
      return next;
    });

  const moveFocus = (index: number) => {
    const row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    if (!row) return;
    setFocusKey(row.key);
    refs.current.get(row.key)?.focus();
  };

  const onKeyDown = (e: KeyboardEvent, row: TreeRow, index: number) => {
    if (e.key === 'ArrowDown') moveFocus(index + 1);
    else if (e.key === 'ArrowUp') moveFocus(index - 1);
    else if (e.key === 'ArrowRight' && row.expandable) toggle(row.key, true);
    else if (e.key === 'ArrowLeft') {
      if (row.expandable) toggle(row.key, false);
      else moveFocus(rows.findLastIndex((r, i) => i < index && r.depth === 0));
    } else if (e.key === 'Enter' || e.key === ' ') navigate(row.view);
    else return;
    e.preventDefault();
  };

  const selectedKey = view.name === 'host' ? `h:${view.id}` : view.name === 'cluster' ? `g:${view.label}` : undefined;

  return (
    <nav className="sidebar" aria-label="Inventory">
      {rows.length === 0 ? (
        <p className="muted sidebar-empty">
          No hosts yet. <button className="link" onClick={() => navigate({ name: 'settings' })}>Add a host</button>
        </p>
      ) : (
        <ul role="tree" className="tree">
          {rows.map((row, index) => (
            <li
              key={row.key}
              ref={(el) => {
                if (el) refs.current.set(row.key, el);
                else refs.current.delete(row.key);
              }}
              role="treeitem"
              aria-level={row.depth + 1}
              aria-expanded={row.expandable ? !collapsed.has(row.key) : undefined}
              aria-selected={row.key === selectedKey}
              tabIndex={(focusKey ?? rows[0]!.key) === row.key ? 0 : -1}
              className={`tree-row depth-${row.depth} ${row.key === selectedKey ? 'selected' : ''}`}
              onClick={() => {
                setFocusKey(row.key);
                navigate(row.view);
              }}
              onKeyDown={(e) => onKeyDown(e, row, index)}
            >
              {row.expandable && (
                <span
                  className="twisty"
                  onClick={(e) => {
                    e.stopPropagation();
                    toggle(row.key);
                  }}
                >
                  {collapsed.has(row.key) ? '▸' : '▾'}
                </span>
              )}
              {row.status && <StatusDot status={row.status} />}
              <span className="tree-label">{row.label}</span>
              {row.count !== undefined && <span className="count">{row.count}</span>}
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
