import { useEffect, useMemo, useRef, useState } from 'react';
import type { Theme } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { useClusterByHost } from '../../stores/inventory-derived';
import { useInventory } from '../../stores/inventory-store';
import { useJobs } from '../../stores/jobs-store'; // jobs: palette button
import { NotificationBell } from '../notifications/NotificationBell';
import { JobsNavButton } from '../jobs/JobsListView'; // jobs: nav entry
import { searchWithQuery } from '../search/search-index'; // query: plain words search everything, a query lists matching VMs
import { QueryErrorLine } from '../search/QueryErrorLine';
import { QUERY_EXAMPLE } from '../search/query-input';
import { keyHint } from '../../components/shortcuts';

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
        <JobsNavButton /> {/* jobs */}
        <button onClick={() => useJobs.setState({ paletteOpen: true })} title={`Command palette (${keyHint('Ctrl+Shift+P')})`} aria-label="Command palette" data-testid="open-palette">
          Commands
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

/** Search everywhere (Ctrl+K): VMs by name, IP, GUID or host; hosts; clusters. */
function SearchBox() {
  const hosts = useApp((s) => s.hosts);
  const navigate = useApp((s) => s.navigate);
  const version = useInventory((s) => s.membershipVersion);
  const model = useInventory((s) => s.model);
  const clusterByHost = useClusterByHost();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Re-run on membership changes only: names and IPs change rarely, hot state never matters here.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const found = useMemo(() => searchWithQuery(query, Object.values(hosts), model, clusterByHost), [hosts, query, model, version, clusterByHost]);
  const results = found.hits;

  const choose = (index: number) => {
    const hit = results[index];
    if (hit) navigate(hit.view);
    setQuery('');
  };

  return (
    <div className="search">
      <input
        ref={input}
        type="search"
        placeholder={`Search (${keyHint('Ctrl+K')})`}
        title={`Search everywhere: VMs by name, IP, ID or host; hosts; clusters. A query lists matching VMs, e.g. ${QUERY_EXAMPLE}`}
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
          {found.error && (
            <li className="search-error">
              <QueryErrorLine text={query} error={found.error} testId="search-query-error" />
            </li>
          )}
          {found.matched !== undefined && found.matched > results.length && (
            <li className="muted" data-testid="search-matched">
              {results.length} of {found.matched} matching VMs (by name)
            </li>
          )}
          {results.length === 0 && !found.error && <li className="muted">No matches</li>}
          {results.map((r, i) => (
            <li key={r.key} role="option" aria-selected={i === active} className={i === active ? 'active' : ''} onMouseDown={() => choose(i)} data-kind={r.kind}>
              <span className="kind">{r.kind}</span> {r.label} <span className="muted">{r.detail}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
