import type { PreloadApi } from '../shared/ipc';
import type { InventorySnapshotWire } from '../shared/contract';
import { withPrefetch } from './backend/prefetch';
import { selectBackend } from './backend/select';
import { STARTUP_CALLS } from './stores/startup-calls';
import { atNextFrame, firstScreenOf, paintFirstScreen, type FirstScreen } from './first-screen';
import { FIRST_SCREEN_DATA_ID } from '../shared/first-screen';
import { applyRememberedTheme } from './theme';
// Every stylesheet loads here, with the first script (render-blocking in the head, as they must
// be anyway): the app's chunk then carries no CSS, and importing it inserts nothing into the page.
import './styles.css';
import './features/jobs/jobs.css';
import './features/palette/palette.css';

// This first script is small on purpose: it opens the connection and sends the startup requests
// (the inventory snapshot above all); the app's chunk (React, views, stores) downloads meanwhile
// (the modulepreload link in index.html). When the page carries a first screen (first-screen.ts:
// the last session's VM figures and first rows, marked "Cached"), it is painted first and only
// then is the app run: evaluating its chunk, decoding every row and React's first render of the
// whole app hold the main thread for hundreds of milliseconds, and that frame would wait behind
// them. The app replaces the first screen as it renders. Browser and Electron take this same path.
// The theme first: the first screen below must not flash light for a dark-theme user.
applyRememberedTheme();
const selected = selectBackend(window as Window & { aetherv?: PreloadApi });
const backend = 'error' in selected ? selected : withPrefetch(selected, STARTUP_CALLS);
// The server (browser mode) or the app:// handler (Electron) puts the last session's first screen
// in the page itself: painted at once, then the app runs. Without one, the app loads at once as it
// always did; a cached inventory answer (the last session's, when the page itself carried none)
// that arrives before the app has rendered is still painted as the first screen meanwhile. An
// answer of the backend's own is not: the app, about to render, would only replace an inert copy.
const embedded = embeddedFirstScreen();
const firstScreen = embedded ? paint(embedded) : undefined;
if (!embedded && !('error' in backend)) {
  void backend.peek('events.snapshot', { topic: 'inventory' })?.then((answer) => {
    const screen = answer.ok ? firstScreenOf(answer.data.payload as InventorySnapshotWire) : undefined;
    if (screen?.cachedAt) void paint(screen);
  });
}
void (firstScreen ?? Promise.resolve())
  .then(() => import('./app-root'))
  .then(({ mountApp }) => mountApp(document.getElementById('root')!, backend));

/** The first screen the server put in the page, if any. */
function embeddedFirstScreen(): FirstScreen | undefined {
  const text = document.getElementById(FIRST_SCREEN_DATA_ID)?.textContent;
  if (!text) return undefined;
  try {
    return JSON.parse(text) as FirstScreen;
  } catch {
    return undefined;
  }
}

/** Paints the first screen; resolves once it has been on screen (or at once when there is none to paint). */
async function paint(screen: FirstScreen | undefined): Promise<void> {
  if (!screen || !paintFirstScreen(screen)) return;
  performance.mark?.('aetherv:first-screen'); // read by bench:inventory's phases
  await atNextFrame();
}
