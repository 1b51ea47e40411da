import { createRoot } from 'react-dom/client';
import type { PreloadApi } from '../shared/ipc';
import { App } from './App';
import { selectBackend } from './backend/select';
import { connectStore } from './stores/app-store';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
const backend = selectBackend(window as Window & { aetherv?: PreloadApi });
if ('error' in backend) {
  root.render(<p className="fatal">{backend.error}</p>);
} else {
  connectStore(backend);
  root.render(<App />);
}
