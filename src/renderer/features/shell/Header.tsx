import { useEffect, useMemo, useRef, useState } from 'react';
import type { Theme } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { NotificationBell } from '../notifications/NotificationBell';

const THEME_ORDER: Theme[] = ['system', 'light', 'dark'];
const THEME_LABEL: Record<Theme, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };

export function Header() {
  const connection = useApp((s) => s.connection);
  const kind = useApp((s) => s.backend?.kind);
  const settings = useApp((s) => s.settings);
  const backend = useApp((s) => s.backend);
  const setSettings = useApp((s) => s.setSettings);
  const toast = useApp((s) => s.toast);
  const navigate = useApp((s) => s.navigate);

  const cycleTheme = async () => {
    if (!backend || !settings) return;
    const next = THEME_ORDER[(THEME_ORDER.indexOf(settings.theme) + 1) % THEME_ORDER.length]!;
    const result = await backend.invoke('settings.update', { theme: next });
    if (result.ok) setSettings(result.data);
    else toast('error', result.error.message);
  };

  return (
    <header className="header">
      <button className="brand" onClick={() => navigate({ name: 'overview' })}>
        Aether-V
      </button>
      <SearchBox />
      <div className="header-actions">
        {kind === 'browser' && (
          <span className={`connection connection-${connection}`} role="status" aria-live="polite" data-testid="connection">
            {connection === 'open' ? 'Connected' : connection === 'reconnecting' ? 'Reconnecting…' : 'Connecting…'}
          </span>
        )}
        <button onClick={() => void cycleTheme()} data-testid="theme-toggle" title="Switch theme">
          {THEME_LABEL[settings?.theme ?? 'system']}
        </button>
        <NotificationBell />
        <button onClick={() => navigate({ name: 'diagnostics' })}>Diagnostics</button>
        <button onClick={() => navigate({ name: 'settings' })} data-testid="nav-settings">
          Settings
        </button>
      </div>
    </header>
  );
}

/** Search everywhere: hosts and clusters now; VMs join when the inventory lands. Ctrl+K focuses it. */
function SearchBox() {
  const hosts = useApp((s) => s.hosts);
  const navigate = useApp((s) => s.navigate);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        input.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const results = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    const out: { key: string; label: string; kind: string; go(): void }[] = [];
    const clusters = new Set<string>();
    for (const h of Object.values(hosts)) {
      if (h.cluster && h.cluster.toLowerCase().includes(q)) clusters.add(h.cluster);
      if (h.displayName.toLowerCase().includes(q) || h.address.includes(q)) {
        out.push({ key: `h:${h.id}`, label: h.displayName, kind: 'host', go: () => navigate({ name: 'host', id: h.id }) });
      }
    }
    for (const c of clusters) out.push({ key: `c:${c}`, label: c, kind: 'cluster', go: () => navigate({ name: 'cluster', label: c }) });
    return out.slice(0, 20);
  }, [hosts, query, navigate]);

  const choose = (index: number) => {
    results[index]?.go();
    setQuery('');
  };

  return (
    <div className="search">
      <input
        ref={input}
        type="search"
        placeholder="Search everywhere (Ctrl+K)"
        aria-label="Search everywhere"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, results.length - 1));
          else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
          else if (e.key === 'Enter') choose(active);
          else if (e.key === 'Escape') setQuery('');
        }}
      />
      {query.trim() && (
        <ul className="search-results" role="listbox">
          {results.length === 0 && <li className="muted">No matches</li>}
          {results.map((r, i) => (
            <li key={r.key} role="option" aria-selected={i === active} className={i === active ? 'active' : ''} onMouseDown={() => choose(i)}>
              <span className="kind">{r.kind}</span> {r.label}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
