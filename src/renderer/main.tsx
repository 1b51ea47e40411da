import type { PreloadApi } from '../shared/ipc';
import type { InventorySnapshotWire } from '../shared/contract';
import { withPrefetch } from './backend/prefetch';
import { selectBackend } from './backend/select';
import { STARTUP_CALLS } from './stores/startup-calls';
import { afterNextPaint, delay, FIRST_SCREEN_WAIT_MS, firstScreenOf, paintFirstScreen, type FirstScreen } from './first-screen';
import { FIRST_SCREEN_DATA_ID } from '../shared/first-screen';
// Every stylesheet loads here, with the first script (render-blocking in the head, as they must
// be anyway): the app's chunk then carries no CSS, and importing it inserts nothing into the page.
import './styles.css';
import './features/jobs/jobs.css';
import './features/palette/palette.css';

// This first script is small on purpose: it opens the connection and sends the startup requests
// (the inventory snapshot above all); the app's chunk (React, views, stores) downloads meanwhile
// (the modulepreload link in index.html). The inventory's answer is painted at once as a first
// screen (first-screen.ts: the VM figures and first rows, marked "Cached" when they are the last
// session's), and only then is the app run: evaluating its chunk, decoding every row and React's
// first render of the whole app keep the main thread for hundreds of milliseconds, and the answer
// (or the frame that shows it) would wait behind them. The app replaces the first screen as it
// renders. Browser and Electron take this same path.
const selected = selectBackend(window as Window & { aetherv?: PreloadApi });
const backend = 'error' in selected ? selected : withPrefetch(selected, STARTUP_CALLS);
// The browser-mode server puts the last session's first screen in the page itself (no answer to
// wait for); otherwise (Electron, or no snapshot) it is painted from the inventory's answer.
const embedded = embeddedFirstScreen();
const firstScreen = embedded
  ? paint(embedded)
  : 'error' in backend
    ? undefined
    : backend.peek('events.snapshot', { topic: 'inventory' })?.then((answer) => (answer.ok ? paint(firstScreenOf(answer.data.payload as InventorySnapshotWire)) : undefined));
void Promise.race([firstScreen, delay(FIRST_SCREEN_WAIT_MS)])
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
  await afterNextPaint();
}
