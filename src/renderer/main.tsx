import type { PreloadApi } from '../shared/ipc';
import { withPrefetch } from './backend/prefetch';
import { selectBackend } from './backend/select';
import { STARTUP_CALLS } from './stores/startup-calls';
// Every stylesheet loads here, with the first script (render-blocking in the head, as they must
// be anyway): the app's chunk then carries no CSS, and importing it inserts nothing into the page.
import './styles.css';
import './features/jobs/jobs.css';
import './features/palette/palette.css';

// This first script is small on purpose: it opens the connection and sends the startup requests
// (the inventory snapshot above all), then loads the app. The app's code (React, views, stores)
// downloads and compiles while the backend answers, rather than before it is even asked.
const selected = selectBackend(window as Window & { aetherv?: PreloadApi });
const backend = 'error' in selected ? selected : withPrefetch(selected, STARTUP_CALLS);
void import('./app-root').then(({ mountApp }) => mountApp(document.getElementById('root')!, backend));
