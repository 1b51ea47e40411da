import type { PreloadApi } from '../shared/ipc';
import type { InventorySnapshotWire } from '../shared/contract';
import { withPrefetch } from './backend/prefetch';
import { selectBackend } from './backend/select';
import { STARTUP_CALLS } from './stores/startup-calls';
import { firstScreenOf, paintFirstScreen } from './first-screen';
// Every stylesheet loads here, with the first script (render-blocking in the head, as they must
// be anyway): the app's chunk then carries no CSS, and importing it inserts nothing into the page.
import './styles.css';
import './features/jobs/jobs.css';
import './features/palette/palette.css';

// This first script is small on purpose: it opens the connection and sends the startup requests
// (the inventory snapshot above all), then loads the app. The app's code (React, views, stores)
// downloads and compiles while the backend answers, rather than before it is even asked. The
// inventory's answer, if it comes first, is painted at once as a first screen (first-screen.ts:
// the VM figures and first rows, marked "Cached" when they are the last session's) that the app
// replaces when it renders. Browser and Electron take this same path.
const selected = selectBackend(window as Window & { aetherv?: PreloadApi });
const backend = 'error' in selected ? selected : withPrefetch(selected, STARTUP_CALLS);
if (!('error' in backend)) {
  void backend.peek('events.snapshot', { topic: 'inventory' })?.then((answer) => {
    if (!answer.ok) return;
    performance.mark?.('aetherv:first-screen-data');
    const screen = firstScreenOf(answer.data.payload as InventorySnapshotWire);
    if (screen && paintFirstScreen(screen)) performance.mark?.('aetherv:first-screen'); // read by bench:inventory's phases
  });
}
void import('./app-root').then(({ mountApp }) => mountApp(document.getElementById('root')!, backend));
