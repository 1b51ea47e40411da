import type { PreloadApi } from '../shared/ipc';
import { withPrefetch } from './backend/prefetch';
import { selectBackend } from './backend/select';
import { STARTUP_CALLS } from './stores/startup-calls';
import './styles.css';

// This first script is small on purpose: it opens the connection and sends the startup requests
// (the inventory snapshot above all), then loads the app. The app's code (React, views, stores)
// downloads and compiles while the backend answers, rather than before it is even asked.
const selected = selectBackend(window as Window & { aetherv?: PreloadApi });
const backend = 'error' in selected ? selected : withPrefetch(selected, STARTUP_CALLS);
void import('./app-root').then(({ mountApp }) => mountApp(document.getElementById('root')!, backend));
