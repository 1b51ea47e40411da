import { useApp, type View } from './stores/app-store';

/**
 * Pages as URLs. The route lives in the URL's hash (`#/vms/<host>:<vm>`), not its path: browser
 * mode's page URL carries its access token in the query (`/?token=…`) and Electron loads one file
 * (`app://bundle/index.html`), so only the hash can change without a server knowing every route.
 * Reload keeps the page, Back/Forward walk the history, and a copied URL opens the same page.
 */

/** The hash for a view, e.g. `#/hosts/3f2c…`. Path segments are URI-encoded (cluster labels have spaces). */
export function viewToHash(view: View): string {
  const e = encodeURIComponent;
  switch (view.name) {
    case 'overview':
      return '#/';
    case 'host':
      return `#/hosts/${e(view.id)}`;
    case 'cluster':
      return `#/clusters/${e(view.label)}`;
    case 'vm':
      return `#/vms/${e(view.key)}`;
    case 'job':
      return `#/jobs/${e(view.id)}`;
    default:
      return `#/${view.name}`;
  }
}

const SIMPLE: Record<string, View> = {
  settings: { name: 'settings' },
  diagnostics: { name: 'diagnostics' },
  'sync-health': { name: 'sync-health' },
  disconnected: { name: 'disconnected' },
  'create-vm': { name: 'create-vm' },
  jobs: { name: 'jobs' },
  hygiene: { name: 'hygiene' },
};

/** The view a hash names, or undefined for one that names none (a typo, an old link). */
export function hashToView(hash: string): View | undefined {
  const path = hash.replace(/^#\/?/, '');
  if (path === '') return { name: 'overview' };
  const [first, rest, ...extra] = path.split('/');
  if (extra.length) return undefined;
  if (rest === undefined) return SIMPLE[first!];
  let arg: string;
  try {
    arg = decodeURIComponent(rest);
  } catch {
    return undefined; // a malformed %-escape
  }
  if (!arg) return undefined;
  switch (first) {
    case 'hosts':
      return { name: 'host', id: arg };
    case 'clusters':
      return { name: 'cluster', label: arg };
    case 'vms':
      return { name: 'vm', key: arg };
    case 'jobs':
      return { name: 'job', id: arg };
    default:
      return undefined;
  }
}

/** The page's full URL for a view (what "Copy link" copies): same origin, path and token, new hash. */
export function urlForView(view: View, location: Pick<Location, 'origin' | 'pathname' | 'search'> = window.location): string {
  return `${location.origin}${location.pathname}${location.search}${viewToHash(view)}`;
}

export interface Router {
  stop(): void;
}

/**
 * Keeps the store's view and the URL in step, both ways: `navigate()` anywhere in the app pushes a
 * history entry; Back/Forward, a typed or pasted hash, and the first load set the view. A hash that
 * names no page opens the overview and is replaced by its hash.
 */
export function startRouter(win: Window = window): Router {
  const initial = hashToView(win.location.hash);
  if (initial) useApp.setState({ view: initial });
  else win.history.replaceState(win.history.state, '', viewToHash({ name: 'overview' }));
  let applying = false;
  const fromUrl = () => {
    let view = hashToView(win.location.hash);
    if (!view) {
      view = { name: 'overview' };
      win.history.replaceState(win.history.state, '', viewToHash(view));
    }
    if (viewToHash(view) === viewToHash(useApp.getState().view)) return;
    applying = true;
    useApp.setState({ view });
    applying = false;
  };
  const unsubscribe = useApp.subscribe((state, previous) => {
    if (applying || state.view === previous.view) return;
    const hash = viewToHash(state.view);
    if (hash !== win.location.hash && !(hash === '#/' && win.location.hash === '')) win.history.pushState(null, '', hash);
  });
  win.addEventListener('popstate', fromUrl);
  win.addEventListener('hashchange', fromUrl);
  return {
    stop() {
      unsubscribe();
      win.removeEventListener('popstate', fromUrl);
      win.removeEventListener('hashchange', fromUrl);
    },
  };
}
